package rag

import (
	"context"
	"fmt"
)

// Bridges for the external tests (package rag_test) to unexported helpers.

// AnswerReserve is answerReserve.
const AnswerReserve = answerReserve

// FigureValues returns the normalised values of the figures in s.
func FigureValues(s string) []string {
	var out []string
	for _, f := range findFigures(s) {
		out = append(out, f.value)
	}
	return out
}

// FirstCited returns each sentence of s that carries markers, as
// "sentence [n]" with its first marker.
func FirstCited(s string) []string {
	var out []string
	for _, c := range splitCited(s) {
		if len(c.markers) > 0 {
			out = append(out, fmt.Sprintf("%s [%d]", c.text, c.markers[0]))
		}
	}
	return out
}

// OpensOnReference is opensOnReference.
var OpensOnReference = opensOnReference

// SummarizeWithWeights summarizes extractively with the given summary
// weights instead of the defaults.
func SummarizeWithWeights(ctx context.Context, e *Engine, req SummarizeRequest, central, coverage, lead, query, redundancy, specific float64, pair bool) (*Summary, error) {
	req, err := validateSummarize(req)
	if err != nil {
		return nil, err
	}
	hits, err := e.summaryPassages(ctx, req)
	if err != nil {
		return nil, err
	}
	return e.summarizeExtractive(ctx, req, sentencesOf(hits), summaryWeights{central: central, coverage: coverage, lead: lead, query: query, redundancy: redundancy, specific: specific, pair: pair})
}

// CountTokens is exactTokens.
func CountTokens(s string) (int, error) { return exactTokens(s) }
