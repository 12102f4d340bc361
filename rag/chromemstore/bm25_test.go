package chromemstore

import (
	"slices"
	"testing"

	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/internal/text"
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

// BenchmarkAnalyse analyses chunks of about 100 words of synthetic
// English, as ingest does for each chunk.
func BenchmarkAnalyse(b *testing.B) {
	g := synth.New(3, 20_000)
	chunks := make([]string, 256)
	size := 0
	for i := range chunks {
		chunks[i] = g.Passage(100)
		size += len(chunks[i])
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		for _, c := range chunks {
			analyse(c)
		}
	}
}

// TestAnalyseCountsSortedTerms: analyse gives each distinct term of
// text.Terms once, sorted, with its count, and the number of terms.
func TestAnalyseCountsSortedTerms(t *testing.T) {
	g := synth.New(5, 2_000)
	for _, src := range []string{
		"", "the a of", "Harbour harbours HARBOUR light lights lit 1871 1871",
		"Zürich straße café café CAFÉ naïve", g.Passage(300),
	} {
		terms := text.Terms(src)
		slices.Sort(terms)
		var want []termFreq
		for _, w := range terms {
			if n := len(want); n > 0 && want[n-1].term == w {
				want[n-1].tf++
				continue
			}
			want = append(want, termFreq{w, 1})
		}
		got := analyse(src)
		if got.length != len(terms) || !slices.Equal(got.terms, want) {
			t.Fatalf("analyse(%.40q) = %d %v, want %d %v", src, got.length, got.terms, len(terms), want)
		}
	}
}
