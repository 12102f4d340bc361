package rag

import (
	"iter"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/text"
)

// Conflicts over values other than figures: dates, people, organisations
// and places. A sentence contributes the value of the asked type nearest
// the question's terms; two documents stating different values of it for a
// question they both cover are a conflict. The same value written two ways
// ("Nov. 3" and "3 November"; "Sam Altman" and "Altman") is one value.

// valueEvidence: at most this many of the best sentences are searched for
// non-figure values, and each must hold this share of the question's terms.
//
// minValueTerms: a question with fewer content terms ("Where is the
// Rhine?") does not say enough for two sentences holding them to answer
// the same question; only parallel statements make a conflict for it.
const (
	valueEvidence = 4
	valueCover    = 0.6
	minValueTerms = 2
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
	nameRun   = regexp.MustCompile(`\b[A-Z][\p{L}]+(?:[ -](?:[A-Z][\p{L}]+|of|de|van|von|and))*(?: [A-Z][\p{L}]+)?`)
)

// typedValue is a value found in a sentence: key compares, surface shows.
type typedValue struct {
	key, surface string
	at           int
}

// findDates returns the dates stated in s, keyed "m-d", "y-m-d", "y-m" or "y".
func findDates(s string) []typedValue {
	if !hasDigit(s) {
		return nil // every date pattern holds a digit: skip four regexps
	}
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
	if mayHoldMonth(s) { // the three month patterns need a month's first three letters
		// monthDay's groups are month, day, year; dayMonth's day, month, year.
		for _, p := range []struct {
			re         *regexp.Regexp
			month, day int // submatch numbers
		}{{monthDay, 1, 2}, {dayMonth, 2, 1}} {
			for _, m := range p.re.FindAllStringSubmatchIndex(s, -1) {
				d, _ := strconv.Atoi(s[m[2*p.day]:m[2*p.day+1]])
				y := ""
				if m[6] >= 0 {
					y = s[m[6]:m[7]]
				}
				add(m, dated(y, month(s[m[2*p.month]:m[2*p.month+1]]), d))
			}
		}
		for _, m := range monthYear.FindAllStringSubmatchIndex(s, -1) {
			add(m, s[m[4]:m[5]]+"-"+strconv.Itoa(month(s[m[2]:m[3]])))
		}
	}
	for m := range bareYears(s) {
		add(m[:], s[m[0]:m[1]])
	}
	sort.Slice(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// monthPrefixes are the first three letters of every month name that
// months matches ("Sept" and "September" both start "Sep").
var monthPrefixes = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// mayHoldMonth reports whether s holds the start of a month name.
func mayHoldMonth(s string) bool {
	for i := 0; i+3 <= len(s); i++ {
		switch s[i] {
		case 'J', 'F', 'M', 'A', 'S', 'O', 'N', 'D':
			if slices.Contains(monthPrefixes, s[i:i+3]) {
				return true
			}
		}
	}
	return false
}

// bareYears yields the byte spans of the years of s, as the regexp
// \b(1[0-9]{3}|20[0-9]{2})\b finds them: a run of word characters
// ([0-9A-Za-z_]) that is four digits, 1000 to 2099.
func bareYears(s string) iter.Seq[[2]int] {
	return func(yield func([2]int) bool) {
		for i := 0; i < len(s); {
			if !isWordByte(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			if w := s[i:j]; len(w) == 4 && isDigits(w) && (w[0] == '1' || w[:2] == "20") {
				if !yield([2]int{i, j}) {
					return
				}
			}
			i = j
		}
	}
}

// isWordByte is regexp's \w.
func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || isASCIILetter(c) || c == '_'
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// findNames returns the capitalised names of s that are not at its start
// and not among the question's terms (the question names what it asks
// about, not the answer). A name holding one of the question's names
// ("Middle Rhine" for a question about the Rhine) is another thing than
// the one asked about, so no answer either.
func findNames(s string, qterms, qnames map[string]bool) []typedValue {
	var out []typedValue
	for _, m := range nameRun.FindAllStringIndex(s, -1) {
		name := strings.TrimSpace(s[m[0]:m[1]])
		var keep []string
		compound := false
		for _, w := range strings.Fields(name) {
			lw := strings.ToLower(w)
			st := text.Stem(lw)
			compound = compound || qnames[st]
			if qterms[st] || text.IsStopword(lw) || monthNumbers[lw] > 0 {
				continue
			}
			keep = append(keep, w)
		}
		if len(keep) == 0 || m[0] == 0 || compound {
			continue // the sentence's first word is capitalised anyway
		}
		out = append(out, typedValue{key: strings.ToLower(strings.Join(keep, " ")), surface: strings.Join(keep, " "), at: m[0]})
	}
	return out
}

// anchoredValue returns the value of type t in s nearest the question's
// terms, or false.
func anchoredValue(s string, t answerType, qterms, qnames map[string]bool) (typedValue, bool) {
	var vals []typedValue
	switch t {
	case typeDate:
		vals = findDates(s)
	case typePerson, typeOrg, typePlace:
		vals = findNames(s, qterms, qnames)
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
	if len(qterms) < minValueTerms {
		return foundConflict{}, false
	}
	entities := questionEntities(q)
	qnames := map[string]bool{}
	for _, e := range entities {
		qnames[e] = true
	}
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
		v, ok := anchoredValue(x.text, t, qterms, qnames)
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

// parallelShare: two sentences from different documents whose tokens
// align in order for this share of the longer one say the same thing, so
// values they state differently (a number, a date, a name) disagree.
const parallelShare = 0.6

// findParallelConflict looks among the best sentences for two from
// different documents that say the same thing with a different number,
// date or name ("opened in 1871" / "opened in 1899"; "flows into Lake
// Constance" / "flows into Central Bridge"): whatever the question asks.
func findParallelConflict(ev []evidence) (foundConflict, bool) {
	n := 0
	for n < len(ev) && n < valueEvidence && ev[n].score >= ev[0].score*conflictEvidenceRatio {
		n++
	}
	toks := make([][]pToken, n)
	for i := range n {
		toks[i] = parallelTokens(ev[i].text)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			a, b := ev[i], ev[j]
			if a.chunk.DocID == b.chunk.DocID || isQuestion(a.text) || isQuestion(b.text) {
				continue
			}
			va, vb := parallelValues(a.text, b.text, toks[i], toks[j])
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

// pToken is a token of a sentence for aligning parallel statements: a
// word, or a whole date or figure keyed by its normalised value, so "Nov. 3"
// and "3 November", "$10bn" and "10 billion dollars" align.
type pToken struct {
	key        string
	start, end int  // byte span in the sentence
	value      bool // a number, date, figure or capitalised word: what a statement can differ in
}

// nextWordToken returns the byte span of the first word token of s at or
// after from, or false: a run of letters and numbers, and more such runs
// joined to it by one of . , ' ’ - ("3.5", "U.S", "Amazon’s", "state-run").
// It finds what the regexp [\p{L}\p{N}]+(?:[.,'’-][\p{L}\p{N}]+)* finds,
// without one.
func nextWordToken(s string, from int) (start, end int, ok bool) {
	runEnd := func(i int) int { // end of the letter/number run at i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if !isLetterOrNumber(r) {
				break
			}
			i += size
		}
		return i
	}
	start = from
	for start < len(s) {
		r, size := utf8.DecodeRuneInString(s[start:])
		if isLetterOrNumber(r) {
			break
		}
		start += size
	}
	if start >= len(s) {
		return 0, 0, false
	}
	end = runEnd(start)
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if r != '.' && r != ',' && r != '\'' && r != '’' && r != '-' {
			break
		}
		next := runEnd(end + size)
		if next == end+size {
			break // a joiner not followed by a letter or number
		}
		end = next
	}
	return start, end, true
}

// isLetterOrNumber is \p{L} or \p{N}.
func isLetterOrNumber(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

// parallelTokens splits s into tokens, dates and figures as one each.
func parallelTokens(s string) []pToken {
	type span struct {
		start, end int
		key        string
	}
	var spans []span
	for _, d := range findDates(s) {
		spans = append(spans, span{d.at, d.at + len(d.surface), "date:" + d.key})
	}
	for _, f := range findFigures(s) {
		spans = append(spans, span{f.start, f.end, "figure:" + f.value})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	// About one token per five bytes.
	out := make([]pToken, 0, len(s)/5+len(spans))
	next := 0 // bytes before next are taken by a date or figure
	si := 0
	for start, end, ok := nextWordToken(s, 0); ok; start, end, ok = nextWordToken(s, end) {
		m := [2]int{start, end}
		for si < len(spans) && spans[si].start < m[1] {
			if spans[si].start >= next {
				out = append(out, pToken{key: spans[si].key, start: spans[si].start, end: spans[si].end, value: true})
				next = spans[si].end
			}
			si++
		}
		if m[0] < next {
			continue
		}
		w := s[m[0]:m[1]]
		r, _ := utf8.DecodeRuneInString(w)
		lw := strings.ToLower(w)
		isValue := unicode.IsDigit(r) || unicode.IsUpper(r) && !(m[0] == 0 && text.IsStopword(lw))
		out = append(out, pToken{key: lw, start: m[0], end: m[1], value: isValue})
	}
	for ; si < len(spans); si++ {
		if spans[si].start >= next {
			out = append(out, pToken{key: spans[si].key, start: spans[si].start, end: spans[si].end, value: true})
			next = spans[si].end
		}
	}
	return out
}

// parallelValues aligns the tokens of two sentences (longest common
// subsequence) and, when the aligned tokens make up parallelShare of the
// longer one, returns what each states in place of the other where both
// state a value and the values differ: "1871" / "1899", "Lake Constance" /
// "Central Bridge". A word only one adds, a rewording without a value, or
// the same value written two ways ("Sam Altman" / "Altman") is no
// difference. Empty strings mean no conflict.
func parallelValues(a, b string, ta, tb []pToken) (string, string) {
	la, lb := len(ta), len(tb)
	if la == 0 || lb == 0 || float64(min(la, lb)) < parallelShare*float64(max(la, lb)) {
		return "", "" // no common subsequence is longer than the shorter one
	}
	// lcs(i, j): common subsequence length of ta[i:] and tb[j:], in one
	// allocation.
	w := lb + 1
	cells := make([]int, (la+1)*w)
	lcs := func(i, j int) int { return cells[i*w+j] }
	for i := la - 1; i >= 0; i-- {
		for j := lb - 1; j >= 0; j-- {
			if ta[i].key == tb[j].key {
				cells[i*w+j] = lcs(i+1, j+1) + 1
			} else {
				cells[i*w+j] = max(lcs(i+1, j), lcs(i, j+1))
			}
		}
	}
	if float64(lcs(0, 0)) < parallelShare*float64(max(la, lb)) {
		return "", ""
	}
	var outA, outB []string
	gap := func(i0, i1, j0, j1 int) {
		if i0 == i1 || j0 == j1 || !anyValue(ta[i0:i1]) || !anyValue(tb[j0:j1]) {
			return
		}
		ka, kb := joinKeys(ta[i0:i1]), joinKeys(tb[j0:j1])
		if sameValue(ka, kb) || sameValue(strings.TrimPrefix(ka, "date:"), strings.TrimPrefix(kb, "date:")) {
			return
		}
		outA = append(outA, a[ta[i0].start:ta[i1-1].end])
		outB = append(outB, b[tb[j0].start:tb[j1-1].end])
	}
	i, j, gi, gj := 0, 0, 0, 0
	for i < la && j < lb {
		switch {
		case ta[i].key == tb[j].key:
			gap(gi, i, gj, j)
			i, j = i+1, j+1
			gi, gj = i, j
		case lcs(i+1, j) >= lcs(i, j+1):
			i++
		default:
			j++
		}
	}
	gap(gi, la, gj, lb)
	return strings.Join(outA, ", "), strings.Join(outB, ", ")
}

func anyValue(ts []pToken) bool {
	for _, t := range ts {
		if t.value {
			return true
		}
	}
	return false
}

func joinKeys(ts []pToken) string {
	ks := make([]string, len(ts))
	for i, t := range ts {
		ks[i] = t.key
	}
	return strings.Join(ks, " ")
}
