package rag

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/text"
)

// Conflict detection tuning.
const (
	// conflictEvidenceRatio: only sentences whose probability of holding
	// the answer is at least this fraction of the best one's count as
	// evidence about the asked value.
	conflictEvidenceRatio = 0.15
	// maxClaimCitations bounds the citations listed per claim.
	maxClaimCitations = 3
)

// quantityQuestion matches questions that ask for a figure.
var quantityQuestion = regexp.MustCompile(`(?i)\b(how (much|many|large|big|high)|what (is|was|were|are|'s) the (amount|size|value|figure|price|cost|valuation|sum|number)|what amount|what sum|how much money)\b`)

// figurePattern matches money amounts and scaled numbers: "$10 billion",
// "$10bn", "US$ 5.5 million", "50 billion dollars", "12%".
var figurePattern = regexp.MustCompile(`(?i)(US\$|\$|€|£)\s?(\d+(?:[.,]\d+)*)(?:\s*(trillion|billion|million|thousand|tn|bn|b|mn|m|k)\b)?|(\d+(?:[.,]\d+)*)\s*(trillion|billion|million|percent|%)(?:\s+(dollars|euros|pounds))?`)

var scaleWords = map[string]string{
	"trillion": "trillion", "tn": "trillion",
	"billion": "billion", "bn": "billion", "b": "billion",
	"million": "million", "mn": "million", "m": "million",
	"thousand": "thousand", "k": "thousand",
	"percent": "%", "%": "%",
}

// figure is one normalised figure found in a sentence.
type figure struct {
	value      string // "$10 billion"
	start, end int    // byte offsets in the sentence
}

// findFigures returns the figures stated in s.
func findFigures(s string) []figure {
	if !mayHoldFigure(s) {
		return nil
	}
	var out []figure
	for _, m := range figurePattern.FindAllStringSubmatchIndex(s, -1) {
		sub := func(i int) string {
			if m[2*i] < 0 {
				return ""
			}
			return s[m[2*i]:m[2*i+1]]
		}
		var cur, num, scale string
		if sub(2) != "" {
			cur, num, scale = sub(1), sub(2), strings.ToLower(sub(3))
		} else {
			num, scale = sub(4), strings.ToLower(sub(5))
			switch strings.ToLower(sub(6)) {
			case "dollars":
				cur = "$"
			case "euros":
				cur = "€"
			case "pounds":
				cur = "£"
			}
		}
		if cur == "US$" {
			cur = "$"
		}
		out = append(out, figure{value: normaliseFigure(cur, num, scaleWords[scale]), start: m[0], end: m[1]})
	}
	return out
}

// mayHoldFigure reports whether figurePattern can match s, cheaply: every
// figure holds a digit and a currency sign, a "%", or a scale word ending in
// "illion" or "percent" (letters whose case folds are ASCII only). It spares
// the regexp most sentences.
func mayHoldFigure(s string) bool {
	if !hasDigit(s) {
		return false
	}
	return strings.ContainsAny(s, "$€£%") || containsFoldASCII(s, "illion") || containsFoldASCII(s, "percent")
}

// containsFoldASCII reports whether s holds sub (lowercase ASCII letters)
// in any case.
func containsFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && s[i+j]|0x20 == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// normaliseFigure writes a figure one way: "$10 billion", "12%", "$1.5 million".
func normaliseFigure(cur, num, scale string) string {
	num = strings.ReplaceAll(num, ",", "")
	if f, err := strconv.ParseFloat(num, 64); err == nil {
		num = strconv.FormatFloat(f, 'f', -1, 64)
	}
	switch scale {
	case "":
		return cur + num
	case "%":
		return num + "%"
	}
	return cur + num + " " + scale
}

// foundConflict is a disagreement among the evidence about the asked figure.
type foundConflict struct {
	about  string
	claims []foundClaim
}

type foundClaim struct {
	value    string
	evidence []evidence
}

// findConflict looks for two or more different values that strong evidence
// states for a question: figures for a quantity question
// (findFigureConflict), dates, people, organisations and places otherwise
// (findValueConflict); failing those, two parallel statements of different
// documents that differ in a value (findParallelConflict).
func findConflict(q string, ev []evidence) (foundConflict, bool) {
	if len(ev) == 0 {
		return foundConflict{}, false
	}
	if quantityQuestion.MatchString(q) {
		if fc, ok := findFigureConflict(q, ev); ok {
			return fc, true
		}
		return findParallelConflict(ev)
	}
	switch t := askedAnswerType(q); t {
	case typeDate, typePerson, typeOrg, typePlace:
		if fc, ok := findValueConflict(q, t, ev); ok {
			return fc, true
		}
	}
	return findParallelConflict(ev)
}

// findFigureConflict looks for different figures that strong evidence
// states for a quantity question. Each evidence sentence contributes the
// one figure anchored to the question: the figure nearest the question's
// terms, skipping figures that modify another noun ("a $500 billion
// valuation").
func findFigureConflict(q string, ev []evidence) (foundConflict, bool) {
	qterms := termSet(q)
	entities := questionEntities(q)
	byValue := map[string][]evidence{}
	var order []string
	for _, x := range ev {
		if x.score < ev[0].score*conflictEvidenceRatio {
			break
		}
		if isQuestion(x.text) || !containsAll(termSet(x.text), entities) {
			continue // a heading, or about another party ("invested $8 billion in Anthropic")
		}
		v, ok := anchoredFigure(x.text, qterms)
		if !ok {
			continue
		}
		if _, seen := byValue[v]; !seen {
			order = append(order, v)
		}
		byValue[v] = append(byValue[v], x)
	}
	if len(order) < 2 {
		return foundConflict{}, false
	}
	// The value most documents state first.
	docs := func(v string) int {
		seen := map[string]bool{}
		for _, x := range byValue[v] {
			seen[x.chunk.DocID] = true
		}
		return len(seen)
	}
	sort.SliceStable(order, func(i, j int) bool { return docs(order[i]) > docs(order[j]) })
	fc := foundConflict{about: conflictTopic(q)}
	for _, v := range order {
		xs := byValue[v]
		if len(xs) > maxClaimCitations {
			xs = xs[:maxClaimCitations]
		}
		fc.claims = append(fc.claims, foundClaim{value: v, evidence: xs})
	}
	return fc, true
}

// questionEntities returns the analysed terms of the capitalised words of q
// after its first word: the names a claim must be about.
func questionEntities(q string) []string {
	var out []string
	first := true
	forEachWordAt(q, func(w string, at int) {
		if first {
			first = false
			return
		}
		r, _ := utf8.DecodeRuneInString(q[at:])
		if unicode.IsUpper(r) && !text.IsStopword(w) {
			out = append(out, text.Stem(w))
		}
	})
	return out
}

func containsAll(set map[string]bool, terms []string) bool {
	for _, t := range terms {
		if !set[t] {
			return false
		}
	}
	return true
}

// isQuestion reports whether a sentence asks rather than states.
func isQuestion(s string) bool { return strings.HasSuffix(strings.TrimRight(s, `"'”’)`), "?") }

// anchoredFigure returns the figure of sentence s that the question asks about.
func anchoredFigure(s string, qterms map[string]bool) (string, bool) {
	figs := findFigures(s)
	if len(figs) == 0 {
		return "", false
	}
	type word struct {
		term string
		at   int
	}
	var words []word
	forEachWordAt(s, func(w string, at int) {
		if !text.IsStopword(w) {
			words = append(words, word{text.Stem(w), at})
		}
	})
	best, bestScore := "", 0.0
	for _, f := range figs {
		if modifiesNoun(s[f.end:], qterms) {
			continue
		}
		// Word index of the figure.
		idx := sort.Search(len(words), func(i int) bool { return words[i].at >= f.start })
		var score float64
		for i, w := range words {
			if !qterms[w.term] {
				continue
			}
			d := i - idx
			if d < 0 {
				d = -d
			}
			score += 1 / float64(1+d)
		}
		if score > bestScore {
			best, bestScore = f.value, score
		}
	}
	return best, bestScore > 0
}

// modifiesNoun reports whether the text after a figure makes it a modifier
// of a noun the question does not ask about ("$500 billion valuation").
func modifiesNoun(after string, qterms map[string]bool) bool {
	next := ""
	forEachWordAt(after, func(w string, at int) {
		if next == "" && at < 3 {
			next = w
		}
	})
	if next == "" || text.IsStopword(next) {
		return false
	}
	switch next {
	case "in", "from", "to", "into", "for", "of", "over", "as", "investment", "investments", "deal":
		return false
	}
	if _, isScale := scaleWords[next]; isScale {
		return false
	}
	return !qterms[text.Stem(next)]
}

// conflictTopic names what a quantity question asks about, for the
// "Sources disagree on ..." sentence.
func conflictTopic(q string) string {
	lq := strings.ToLower(q)
	switch {
	case strings.Contains(lq, "invest"):
		return "the investment amount"
	case strings.Contains(lq, "how many"):
		return "the number"
	case strings.Contains(lq, "valu"):
		return "the valuation"
	case strings.Contains(lq, "cost") || strings.Contains(lq, "price"):
		return "the cost"
	}
	return "the figure"
}

// forEachWordAt calls fn with each lowercased word of s and its byte offset.
func forEachWordAt(s string, fn func(w string, at int)) {
	start := -1
	for i, r := range s {
		isWord := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127 && isLetterOrDigit(r)
		switch {
		case isWord && start < 0:
			start = i
		case !isWord && start >= 0:
			fn(strings.ToLower(s[start:i]), start)
			start = -1
		}
	}
	if start >= 0 {
		fn(strings.ToLower(s[start:]), start)
	}
}

func isLetterOrDigit(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
