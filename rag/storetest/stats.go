package storetest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// statsCorpus is a handful of documents whose terms recur with different
// frequencies, some chunks long and some short, so that BM25's document
// frequencies and length normalisation both show in the scores.
func statsCorpus() []rag.StoredDocument {
	return []rag.StoredDocument{
		doc("a", "A", map[string]string{"lang": "en"}, 0,
			"Zebras graze in the savanna near the river while zebras watch.",
			"The river floods the savanna every spring."),
		doc("b", "B", nil, 2,
			"Penguins swim in cold water.",
			"Penguins and zebras are both black and white, a zebra on land and a penguin at sea, the river far away."),
		doc("c", "C", map[string]string{"lang": "en"}, 4,
			"Lions hunt zebras at dusk near the river.",
			"Rain."),
		doc("d", "D", nil, 6, "The savanna river dries in summer."),
	}
}

// reference is BM25 over chunks computed here from their text: the
// statistics every store must keep (chunk count, average length, document
// frequency per analysed term) and the scores they give, summed in float32
// in query order.
type reference struct {
	chunks []rag.Chunk
	terms  [][]string
	df     map[string]int
	avgdl  float64
}

func newReference(docs []rag.StoredDocument) reference {
	r := reference{df: map[string]int{}}
	total := 0
	for _, d := range docs {
		for _, c := range d.Chunks {
			ts := text.Terms(c.Text)
			r.chunks, r.terms = append(r.chunks, c), append(r.terms, ts)
			total += len(ts)
			seen := map[string]bool{}
			for _, t := range ts {
				if !seen[t] {
					seen[t] = true
					r.df[t]++
				}
			}
		}
	}
	r.avgdl = float64(total) / float64(len(r.chunks))
	return r
}

// lexical is the reference ranking of query: every chunk with a query
// term, best first, ties by chunk id.
func (r reference) lexical(query string) []rag.Hit {
	var qs []string
	seen := map[string]bool{}
	for _, t := range text.Terms(query) {
		if !seen[t] {
			seen[t] = true
			qs = append(qs, t)
		}
	}
	var hits []rag.Hit
	for i, c := range r.chunks {
		tf := map[string]int{}
		for _, t := range r.terms[i] {
			tf[t]++
		}
		var sum float32
		for _, t := range qs {
			if tf[t] > 0 {
				sum += float32(rag.BM25(tf[t], len(r.terms[i]), r.avgdl, rag.BM25IDF(len(r.chunks), r.df[t])))
			}
		}
		if sum > 0 {
			hits = append(hits, rag.Hit{Chunk: c, Score: float64(sum)})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Chunk.ID < hits[j].Chunk.ID
	})
	return hits
}

// statisticsFollowWrites checks that IDF and BM25 scores follow the
// corpus through puts, a replacement and a delete: the store's statistics
// are those of the chunks it holds, not of chunks it held once.
func statisticsFollowWrites(t *testing.T, s rag.Store) {
	docs := statsCorpus()
	put(t, s, docs...)
	checkStatistics(t, "after put", s, docs)

	replaced := doc("b", "B2", nil, 3, "Penguins nest on the ice far from any river or savanna.")
	put(t, s, replaced)
	docs[1] = replaced
	checkStatistics(t, "after replacing b", s, docs)

	if err := s.Delete(context.Background(), "c"); err != nil {
		t.Fatal(err)
	}
	docs = append(docs[:2], docs[3:]...)
	checkStatistics(t, "after deleting c", s, docs)
}

func checkStatistics(t *testing.T, when string, s rag.Store, docs []rag.StoredDocument) {
	t.Helper()
	ctx := context.Background()
	ref := newReference(docs)
	terms := text.Terms("zebra savanna river penguin lion rain unicorn")
	idf, err := s.IDF(ctx, terms)
	if err != nil {
		t.Fatalf("%s: IDF: %v", when, err)
	}
	for _, term := range terms {
		if when == "after put" && ref.df[term] == 0 && term != text.Terms("unicorn")[0] {
			t.Errorf("%s: term %q is in no chunk: the corpus does not test its statistics", when, term)
		}
		if want := rag.BM25IDF(len(ref.chunks), ref.df[term]); math.Abs(idf[term]-want) > 1e-9 {
			t.Errorf("%s: idf(%s) = %v, want %v (df %d of %d chunks)", when, term, idf[term], want, ref.df[term], len(ref.chunks))
		}
	}
	for _, q := range []string{"zebras river", "savanna river penguins", "rain", "the river", "lions zebras savanna river unicorn"} {
		want := ref.lexical(q)
		for _, k := range []int{1, 2, 100} {
			got, err := s.Lexical(ctx, q, k, rag.Filter{})
			if err != nil {
				t.Fatalf("%s: Lexical(%q): %v", when, q, err)
			}
			if msg := sameRanking(got, want[:min(k, len(want))]); msg != "" {
				t.Errorf("%s: Lexical(%q, k=%d): %s", when, q, k, msg)
			}
		}
	}
}

// sameRanking says how got differs from want (chunk ids in order, scores
// within float32 rounding), or "" when it does not.
func sameRanking(got, want []rag.Hit) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d hits %v, want %d %v", len(got), ids(got), len(want), ids(want))
	}
	for i := range got {
		if got[i].Chunk.ID != want[i].Chunk.ID || math.Abs(got[i].Score-want[i].Score) > 1e-5*math.Max(1, want[i].Score) {
			return fmt.Sprintf("hit %d = %s %.7f, want %s %.7f (all: %v, want %v)", i, got[i].Chunk.ID, got[i].Score, want[i].Chunk.ID, want[i].Score, ids(got), ids(want))
		}
	}
	return ""
}

func ids(hits []rag.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Chunk.ID
	}
	return out
}
