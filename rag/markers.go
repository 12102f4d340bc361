package rag

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
)

// markerGroup matches a run of citation markers: "[1]", "[1][2]",
// "[1, 2]", "[1-3]", "[2–4]" and runs of them with spaces between.
var markerGroup = regexp.MustCompile(`(?:\s*\[\s*\d+(?:\s*(?:[-–,;]|and)\s*\d+)*\s*\])+`)

var markerNumber = regexp.MustCompile(`\d+(?:\s*[-–]\s*\d+)?`)

// maxMarkerRange bounds "[a-b]" so a reply cannot ask for millions of markers.
const maxMarkerRange = 50

// FormatMarkers returns the marker group for citation numbers ns, "[1][2]",
// or "" for none. It is the one writer of markers; parseMarkers reads them.
func FormatMarkers(ns []int) string {
	var b strings.Builder
	for _, n := range ns {
		b.WriteByte('[')
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(']')
	}
	return b.String()
}

// citedText is a sentence followed by its markers, "text [1][2]", or the
// bare sentence when ns is empty.
func citedText(sentence string, ns []int) string {
	if len(ns) == 0 {
		return sentence
	}
	return sentence + " " + FormatMarkers(ns)
}

// writeSentence appends a sentence and its markers to b, after a space
// when b is not empty: "... [1] text [2][3]".
func writeSentence(b *strings.Builder, sentence string, ns []int) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	b.WriteString(citedText(sentence, ns))
}

// parseMarkers returns the passage numbers a marker group names, in order,
// without duplicates: "[1][2]", "[1, 2]" and "[1-2]" all give [1 2].
func parseMarkers(group string) []int {
	var out []int
	seen := map[int]bool{}
	add := func(n int) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, m := range markerNumber.FindAllString(group, -1) {
		lo, hi, isRange := strings.Cut(m, "-")
		if !isRange {
			lo, hi, isRange = strings.Cut(m, "–")
		}
		a, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil {
			continue
		}
		if !isRange {
			add(a)
			continue
		}
		b, err := strconv.Atoi(strings.TrimSpace(hi))
		if err != nil || b < a || b-a > maxMarkerRange {
			add(a)
			continue
		}
		for n := a; n <= b; n++ {
			add(n)
		}
	}
	return out
}

// citedSentence is a sentence of generated text with the passage numbers
// its markers name.
type citedSentence struct {
	text    string // without markers, trimmed
	markers []int
}

// splitCited splits generated text into sentences and attaches each marker
// group to the sentence it follows: "A [1]. B. [2] C" gives A:[1], B:[2], C.
func splitCited(src string) []citedSentence {
	var plain strings.Builder
	type mark struct {
		at   int // offset in plain text
		nums []int
	}
	var marks []mark
	last := 0
	for _, loc := range markerGroup.FindAllStringIndex(src, -1) {
		plain.WriteString(src[last:loc[0]])
		marks = append(marks, mark{at: plain.Len(), nums: parseMarkers(src[loc[0]:loc[1]])})
		last = loc[1]
	}
	plain.WriteString(src[last:])
	p := plain.String()
	spans := text.SplitSentences(p)
	out := make([]citedSentence, len(spans))
	for i, s := range spans {
		out[i].text = strings.TrimSpace(p[s.Start:s.End])
	}
	for _, m := range marks {
		// The sentence the marker ends: the last one starting before it.
		i := -1
		for j, s := range spans {
			if s.Start < m.at {
				i = j
			}
		}
		if i < 0 {
			continue // a marker before any text cites nothing
		}
		out[i].markers = append(out[i].markers, m.nums...)
	}
	return out
}
