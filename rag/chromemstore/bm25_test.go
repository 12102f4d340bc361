package chromemstore

import (
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// TestBM25RemoveFindsPostingsFromText: remove finds a chunk's postings by
// analysing its text again, so after removals no posting names a removed
// slot and document frequencies count only the chunks left.
func TestBM25RemoveFindsPostingsFromText(t *testing.T) {
	texts := []string{
		"Rivers carry sediment to the delta.",
		"The delta of the river floods every spring; rivers rise.",
		"Sediment settles where rivers slow down.",
	}
	for _, tc := range []struct {
		name   string
		remove []int
	}{
		{"none", nil},
		{"first", []int{0}},
		{"middle and last", []int{1, 2}},
		{"all", []int{0, 1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := newBM25Index()
			slots := make([]int32, len(texts))
			for i, s := range texts {
				c := &rag.Chunk{ID: string(rune('a' + i)), Text: s}
				slots[i] = x.add(c, analyse(s))
			}
			gone := map[int32]bool{}
			for _, i := range tc.remove {
				x.remove(slots[i])
				gone[slots[i]] = true
			}
			want := map[string]int{} // term -> chunks left that hold it
			for i, s := range texts {
				if !gone[slots[i]] {
					for _, tf := range analyse(s).terms {
						want[tf.term]++
					}
				}
			}
			for _, s := range texts {
				for _, tf := range analyse(s).terms {
					id, ok := x.dict.lookup(tf.term)
					if !ok {
						t.Fatalf("term %q not in the dictionary", tf.term)
					}
					ps := x.postings[id]
					for _, p := range ps {
						if gone[p.slot] {
							t.Errorf("term %q: posting of removed slot %d", tf.term, p.slot)
						}
					}
					if len(ps) != want[tf.term] {
						t.Errorf("term %q: %d postings, want %d", tf.term, len(ps), want[tf.term])
					}
				}
			}
			if x.live != len(texts)-len(tc.remove) {
				t.Errorf("live = %d, want %d", x.live, len(texts)-len(tc.remove))
			}
		})
	}
}
