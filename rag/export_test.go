package rag

import "fmt"

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
