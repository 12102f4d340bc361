package rag

import (
	"context"
	"regexp"
	"strings"
)

// OverlapVerifier is the reference rule the lexical verifier replaced: a
// claim is supported when one passage alone holds 60% of its content terms
// and every number it states. It is kept to measure against (eval
// --attribution --verifier overlap) and grades only supported or unsupported.
type OverlapVerifier struct{}

var _ Verifier = OverlapVerifier{}

// Name implements Verifier.
func (OverlapVerifier) Name() string { return "overlap" }

// Verify implements Verifier.
func (OverlapVerifier) Verify(ctx context.Context, checks []Check) ([]Verdict, error) {
	out := make([]Verdict, len(checks))
	for i, c := range checks {
		out[i] = Verdict{Support: Unsupported}
		for _, p := range c.Passages {
			if overlapSupports(c.Claim, p) {
				out[i] = Verdict{Support: Supported, Score: 1}
				break
			}
		}
	}
	return out, ctx.Err()
}

const overlapTermShare = 0.6

var digitsRE = regexp.MustCompile(`\d+(?:[.,]\d+)*`)

func overlapSupports(sentence, passage string) bool {
	pnums := map[string]bool{}
	for _, n := range digitsRE.FindAllString(passage, -1) {
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
	have := termSet(passage)
	found := 0
	for _, t := range terms {
		if have[t] || hasPrefixMatch(t, have) {
			found++
		}
	}
	return float64(found) >= overlapTermShare*float64(len(terms))
}
