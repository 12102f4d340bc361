package rag

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/ragcite/ragcite/internal/text"
)

// Conflicts over values other than figures: dates, people, organisations
// and places. A sentence contributes the value of the asked type nearest
// the question's terms; two documents stating different values of it for a
// question they both cover are a conflict. The same value written two ways
// ("Nov. 3" and "3 November"; "Sam Altman" and "Altman") is one value.

// valueEvidence: at most this many of the best sentences are searched for
// non-figure values, and each must hold this share of the question's terms.
const (
	valueEvidence = 4
	valueCover    = 0.6
)

var monthNumbers = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var (
	monthDay  = regexp.MustCompile(`\b(` + months + `)\.?\s+([0-9]{1,2})(?:st|nd|rd|th)?\b(?:,?\s+([0-9]{4}))?`)
	dayMonth  = regexp.MustCompile(`\b([0-9]{1,2})(?:st|nd|rd|th)?\s+(` + months + `)\b\.?(?:,?\s+([0-9]{4}))?`)
	monthYear = regexp.MustCompile(`\b(` + months + `)\.?\s+([0-9]{4})\b`)
	bareYear  = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b`)
	nameRun   = regexp.MustCompile(`\b[A-Z][\p{L}]+(?:[ -](?:[A-Z][\p{L}]+|of|de|van|von|and))*(?: [A-Z][\p{L}]+)?`)
)

// typedValue is a value found in a sentence: key compares, surface shows.
type typedValue struct {
	key, surface string
	at           int
}

// findDates returns the dates stated in s, keyed "m-d", "y-m-d", "y-m" or "y".
func findDates(s string) []typedValue {
	var out []typedValue
	taken := make([]bool, len(s))
	add := func(m []int, key string) {
		for i := m[0]; i < m[1]; i++ {
			if taken[i] {
				return
			}
		}
		for i := m[0]; i < m[1]; i++ {
			taken[i] = true
		}
		out = append(out, typedValue{key: key, surface: s[m[0]:m[1]], at: m[0]})
	}
	month := func(w string) int { return monthNumbers[strings.ToLower(strings.TrimSuffix(w, "."))] }
	dated := func(y string, m, d int) string {
		k := strconv.Itoa(m) + "-" + strconv.Itoa(d)
		if y != "" {
			k = y + "-" + k
		}
		return k
	}
	for _, m := range monthDay.FindAllStringSubmatchIndex(s, -1) {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		y := ""
		if m[6] >= 0 {
			y = s[m[6]:m[7]]
		}
		add(m, dated(y, month(s[m[2]:m[3]]), d))
	}
	for _, m := range dayMonth.FindAllStringSubmatchIndex(s, -1) {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y := ""
		if m[6] >= 0 {
			y = s[m[6]:m[7]]
		}
		add(m, dated(y, month(s[m[4]:m[5]]), d))
	}
	for _, m := range monthYear.FindAllStringSubmatchIndex(s, -1) {
		add(m, s[m[4]:m[5]]+"-"+strconv.Itoa(month(s[m[2]:m[3]])))
	}
	for _, m := range bareYear.FindAllStringSubmatchIndex(s, -1) {
		add(m, s[m[2]:m[3]])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// findNames returns the capitalised names of s that are not at its start
// and not among the question's terms (the question names what it asks
// about, not the answer).
func findNames(s string, qterms map[string]bool) []typedValue {
	var out []typedValue
	for _, m := range nameRun.FindAllStringIndex(s, -1) {
		name := strings.TrimSpace(s[m[0]:m[1]])
		var keep []string
		for _, w := range strings.Fields(name) {
			lw := strings.ToLower(w)
			if qterms[text.Stem(lw)] || text.IsStopword(lw) || monthNumbers[lw] > 0 {
				continue
			}
			keep = append(keep, w)
		}
		if len(keep) == 0 || m[0] == 0 {
			continue // the sentence's first word is capitalised anyway
		}
		out = append(out, typedValue{key: strings.ToLower(strings.Join(keep, " ")), surface: strings.Join(keep, " "), at: m[0]})
	}
	return out
}

// anchoredValue returns the value of type t in s nearest the question's
// terms, or false.
func anchoredValue(s string, t answerType, qterms map[string]bool) (typedValue, bool) {
	var vals []typedValue
	switch t {
	case typeDate:
		vals = findDates(s)
	case typePerson, typeOrg, typePlace:
		vals = findNames(s, qterms)
	}
	if len(vals) == 0 {
		return typedValue{}, false
	}
	var anchors []int
	forEachWordAt(s, func(w string, at int) {
		if !text.IsStopword(w) && qterms[text.Stem(w)] {
			anchors = append(anchors, at)
		}
	})
	if len(anchors) == 0 {
		return typedValue{}, false
	}
	best, bestD := 0, -1
	for i, v := range vals {
		d := len(s)
		for _, a := range anchors {
			d = min(d, abs(a-v.at))
		}
		if bestD < 0 || d < bestD {
			best, bestD = i, d
		}
	}
	return vals[best], true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// sameValue reports whether two keys name one value: equal, one name a
// part of the other ("altman", "sam altman"), or one date a less precise
// form of the other ("11-3" and "2020-11-3").
func sameValue(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return strings.HasSuffix(b, " "+a) || strings.HasPrefix(b, a+" ") || strings.HasSuffix(b, "-"+a) || strings.HasPrefix(b, a+"-")
}

// findValueConflict looks for different values of the asked type (a date,
// person, organisation or place) that the best sentences of different
// documents state. Finding the values and grouping them by normalised form
// share the per-sentence anchors, so they stay in one function.
func findValueConflict(q string, t answerType, ev []evidence) (foundConflict, bool) {
	qterms := termSet(q)
	entities := questionEntities(q)
	type claim struct {
		value typedValue
		ev    []evidence
	}
	var claims []*claim
	for i, x := range ev {
		if i == valueEvidence || x.score < ev[0].score*conflictEvidenceRatio {
			break
		}
		ts := termSet(x.text)
		if isQuestion(x.text) || !containsAll(ts, entities) || shareOf(qterms, ts) < valueCover {
			continue
		}
		v, ok := anchoredValue(x.text, t, qterms)
		if !ok {
			continue
		}
		var c *claim
		for _, have := range claims {
			if sameValue(have.value.key, v.key) {
				c = have
				break
			}
		}
		if c == nil {
			c = &claim{value: v}
			claims = append(claims, c)
		}
		c.ev = append(c.ev, x)
	}
	if len(claims) < 2 {
		return foundConflict{}, false
	}
	// Only documents that disagree make a conflict: a claim counts when
	// some document states it and no other claim.
	docsOf := func(c *claim) map[string]bool {
		m := map[string]bool{}
		for _, x := range c.ev {
			m[x.chunk.DocID] = true
		}
		return m
	}
	all := map[string]bool{}
	for _, c := range claims {
		for d := range docsOf(c) {
			all[d] = true
		}
	}
	if len(all) < 2 {
		return foundConflict{}, false
	}
	sort.SliceStable(claims, func(i, j int) bool { return len(docsOf(claims[i])) > len(docsOf(claims[j])) })
	fc := foundConflict{about: "the " + t.String()}
	for _, c := range claims {
		xs := c.ev
		if len(xs) > maxClaimCitations {
			xs = xs[:maxClaimCitations]
		}
		fc.claims = append(fc.claims, foundClaim{value: c.value.surface, evidence: xs})
	}
	return fc, true
}

// shareOf returns the share of the terms of q that set holds.
func shareOf(q, set map[string]bool) float64 {
	if len(q) == 0 {
		return 0
	}
	n := 0
	for t := range q {
		if set[t] {
			n++
		}
	}
	return float64(n) / float64(len(q))
}

// parallelJaccard: two sentences from different documents sharing this
// share of their terms say the same thing, so values they state
// differently (a number, a name) disagree.
const parallelJaccard = 0.6

// valueToken matches the tokens a parallel statement can differ in:
// numbers and capitalised words.
var valueToken = regexp.MustCompile(`[0-9][0-9.,]*|\b[A-Z][\p{L}]+`)

// findParallelConflict looks among the best sentences for two from
// different documents that say the same thing with a different number or
// name ("opened in 1871" / "opened in 1899"): whatever the question asks.
func findParallelConflict(ev []evidence) (foundConflict, bool) {
	n := 0
	for n < len(ev) && n < valueEvidence && ev[n].score >= ev[0].score*conflictEvidenceRatio {
		n++
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := ev[i], ev[j]
			if a.chunk.DocID == b.chunk.DocID || isQuestion(a.text) || isQuestion(b.text) {
				continue
			}
			if jaccard(termSet(a.text), termSet(b.text)) < parallelJaccard {
				continue
			}
			va, vb := parallelValues(a.text, b.text)
			if va == "" || vb == "" {
				continue
			}
			return foundConflict{about: "the value", claims: []foundClaim{
				{value: va, evidence: []evidence{a}}, {value: vb, evidence: []evidence{b}},
			}}, true
		}
	}
	return foundConflict{}, false
}

// parallelValues returns what each of two parallel sentences states that
// the other does not: a date or figure (compared normalised, so "Nov. 3"
// and "3 November" agree), else the numbers and names only one holds.
func parallelValues(a, b string) (string, string) {
	norm := func(s string) (string, map[string]string) {
		vals := map[string]string{}
		var spans [][2]int
		for _, d := range findDates(s) {
			vals[d.key] = d.surface
			spans = append(spans, [2]int{d.at, d.at + len(d.surface)})
		}
		for _, f := range findFigures(s) {
			vals[f.value] = s[f.start:f.end]
			spans = append(spans, [2]int{f.start, f.end})
		}
		b := []byte(s)
		for _, sp := range spans {
			for i := sp[0]; i < sp[1] && i < len(b); i++ {
				b[i] = ' '
			}
		}
		return string(b), vals
	}
	ra, da := norm(a)
	rb, db := norm(b)
	diff := func(x, y map[string]string) string {
		var out []string
		for k, v := range x {
			found := false
			for k2 := range y {
				if sameValue(k, k2) {
					found = true
					break
				}
			}
			if !found {
				out = append(out, v)
			}
		}
		sort.Strings(out)
		return strings.Join(out, ", ")
	}
	if va, vb := diff(da, db), diff(db, da); va != "" && vb != "" {
		return va, vb
	}
	return onlyIn(ra, rb), onlyIn(rb, ra)
}

// onlyIn returns the value tokens of a that b does not hold, joined.
func onlyIn(a, b string) string {
	have := map[string]bool{}
	for _, t := range valueToken.FindAllString(b, -1) {
		have[strings.TrimRight(t, ".,")] = true
	}
	var out []string
	for i, t := range valueToken.FindAllStringIndex(a, -1) {
		w := strings.TrimRight(a[t[0]:t[1]], ".,")
		if i == 0 && t[0] == 0 && !unicode.IsDigit(rune(w[0])) {
			continue // the sentence's first word
		}
		if !have[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}
