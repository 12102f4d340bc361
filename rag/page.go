package rag

import (
	"sort"
	"strconv"
	"strings"
)

// Metadata keys a paged source (a PDF) records on its document.
const (
	// MetaPages is the page count.
	MetaPages = "pages"
	// MetaPageStarts lists, comma-separated, the byte offset in Text where
	// each page starts (page 1 first); an empty page starts where the next
	// one does.
	MetaPageStarts = "page_starts"
)

// PageAt returns the 1-based page of d that holds byte offset off of its
// text, or 0 when d is not paged (no valid MetaPageStarts).
func PageAt(d Document, off int) int {
	starts, ok := pageStarts(d.Metadata[MetaPageStarts])
	if !ok || off < 0 {
		return 0
	}
	// The last page whose start is <= off; skips empty pages sharing a start.
	i := sort.Search(len(starts), func(i int) bool { return starts[i] > off })
	return i
}

// pageStarts parses MetaPageStarts: ascending offsets starting at 0.
func pageStarts(s string) ([]int, bool) {
	if s == "" {
		return nil, false
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i > 0 && n < out[i-1]) || (i == 0 && n != 0) {
			return nil, false
		}
		out[i] = n
	}
	return out, true
}
