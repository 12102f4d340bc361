// Package storetest is the behavioural test suite every rag.Store passes:
// registry, chunks with offsets, replacement on re-ingest, delete, filters,
// dense and lexical retrieval, term statistics that follow every write
// (the same BM25 scores from every store) and the embedder record.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// dim is the vector size the suite uses: small, with well-separated
// vectors, so approximate indexes return exact orders.
const dim = 8

// axis returns a unit vector close to axis i (and a little of i+1).
func axis(i int) []float32 {
	v := make([]float32, dim)
	v[i%dim] = 1
	v[(i+1)%dim] = 0.1
	n := float32(math.Sqrt(1.01))
	for j := range v {
		v[j] /= n
	}
	return v
}

// doc builds a stored document whose chunks are its sentences, chunk i
// with vector axis(first+i).
func doc(id, title string, meta map[string]string, first int, sentences ...string) rag.StoredDocument {
	sd := rag.StoredDocument{Document: rag.Document{ID: id, Title: title, Source: "test", Metadata: meta}}
	for i, s := range sentences {
		if i > 0 {
			sd.Text += " "
		}
		start := len(sd.Text)
		sd.Text += s
		sd.Chunks = append(sd.Chunks, rag.Chunk{ID: fmt.Sprintf("%s#%d", id, i), DocID: id, Index: i, Text: s, Start: start, End: len(sd.Text)})
		sd.Vectors = append(sd.Vectors, axis(first+i))
	}
	sd.Hash = rag.ContentHash(sd.Document)
	return sd
}

// Run runs the suite; open returns a new, empty store.
func Run(t *testing.T, open func(t *testing.T) rag.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s rag.Store)
	}{
		{"EmbedderRoundTrip", embedderRoundTrip},
		{"RegistryAndChunks", registryAndChunks},
		{"PutReplaces", putReplaces},
		{"DeleteRemovesEveryTrace", deleteRemovesEveryTrace},
		{"DenseExactOrder", denseExactOrder},
		{"LexicalRanksMatches", lexicalRanksMatches},
		{"Filters", filters},
		{"IDFOrder", idfOrder},
		{"StatisticsFollowWrites", statisticsFollowWrites},
		{"Concurrent", concurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			ctx := context.Background()
			if err := s.SetEmbedder(ctx, "test-embedder", dim); err != nil {
				t.Fatal(err)
			}
			tc.fn(t, s)
		})
	}
}

func put(t *testing.T, s rag.Store, docs ...rag.StoredDocument) {
	t.Helper()
	for _, d := range docs {
		if err := s.Put(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
}

func embedderRoundTrip(t *testing.T, s rag.Store) {
	name, d, err := s.Embedder(context.Background())
	if err != nil || name != "test-embedder" || d != dim {
		t.Fatalf("Embedder() = %q, %d, %v", name, d, err)
	}
}

func registryAndChunks(t *testing.T, s rag.Store) {
	ctx := context.Background()
	a := doc("a", "Alpha", map[string]string{"lang": "en"}, 0, "Zebras graze in the savanna.", "They move in herds of many.")
	b := doc("sub/b", "Beta", nil, 2, "Penguins swim in cold water.")
	put(t, s, a, b)
	infos, err := s.Documents(ctx)
	if err != nil || len(infos) != 2 || infos[0].ID != "a" || infos[1].ID != "sub/b" {
		t.Fatalf("Documents() = %+v, %v", infos, err)
	}
	if infos[0].Chunks != 2 || infos[0].Bytes != len(a.Text) || infos[0].Metadata["lang"] != "en" || infos[0].Hash != a.Hash || infos[0].Title != "Alpha" {
		t.Errorf("info %+v", infos[0])
	}
	got, err := s.Document(ctx, "a")
	if err != nil || got.Text != a.Text || got.Title != "Alpha" || got.Metadata["lang"] != "en" {
		t.Errorf("Document(a) = %+v, %v", got, err)
	}
	chunks, err := s.Chunks(ctx, "a")
	if err != nil || len(chunks) != 2 {
		t.Fatalf("Chunks(a) = %+v, %v", chunks, err)
	}
	for i, c := range chunks {
		if c.Index != i || c.Text != a.Text[c.Start:c.End] || c.ID != a.Chunks[i].ID || c.DocID != "a" {
			t.Errorf("chunk %d = %+v", i, c)
		}
	}
	for _, call := range []func() error{
		func() error { _, err := s.Info(ctx, "nope"); return err },
		func() error { _, err := s.Document(ctx, "nope"); return err },
		func() error { _, err := s.Chunks(ctx, "nope"); return err },
		func() error { return s.Delete(ctx, "nope") },
	} {
		if err := call(); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("unknown id: err = %v, want ErrNotFound", err)
		}
	}
}

func putReplaces(t *testing.T, s rag.Store) {
	ctx := context.Background()
	put(t, s, doc("a", "Old", nil, 0, "Zebras graze in the savanna.", "Lions hunt at dusk.", "Rain falls in spring."))
	put(t, s, doc("a", "New", nil, 4, "Penguins swim in cold water."))
	chunks, _ := s.Chunks(ctx, "a")
	if len(chunks) != 1 || chunks[0].Text != "Penguins swim in cold water." {
		t.Fatalf("chunks after replace: %+v", chunks)
	}
	for _, q := range []string{"zebras savanna", "lions hunt dusk"} {
		hits, _ := s.Lexical(ctx, q, 10, rag.Filter{})
		if len(hits) != 0 {
			t.Errorf("Lexical(%q) after replace = %+v", q, hits)
		}
	}
	hits, _ := s.Dense(ctx, axis(0), 10, rag.Filter{})
	if len(hits) != 1 || hits[0].Chunk.ID != "a#0" || hits[0].Chunk.Text != "Penguins swim in cold water." {
		t.Errorf("Dense after replace = %+v", hits)
	}
	if info, _ := s.Info(ctx, "a"); info.Title != "New" || info.Chunks != 1 {
		t.Errorf("info after replace %+v", info)
	}
}

func deleteRemovesEveryTrace(t *testing.T, s rag.Store) {
	ctx := context.Background()
	put(t, s, doc("a", "A", nil, 0, "Zebras graze in the savanna."), doc("b", "B", nil, 3, "Penguins swim in cold water."))
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Info(ctx, "a"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("Info after delete: %v", err)
	}
	if hits, _ := s.Lexical(ctx, "zebras", 10, rag.Filter{}); len(hits) != 0 {
		t.Errorf("lexical hits after delete: %+v", hits)
	}
	hits, _ := s.Dense(ctx, axis(0), 10, rag.Filter{})
	for _, h := range hits {
		if h.Chunk.DocID == "a" {
			t.Errorf("dense hit after delete: %+v", h)
		}
	}
	if infos, _ := s.Documents(ctx); len(infos) != 1 {
		t.Errorf("documents after delete: %+v", infos)
	}
}

func denseExactOrder(t *testing.T, s rag.Store) {
	ctx := context.Background()
	var docs []rag.StoredDocument
	for i := range dim {
		docs = append(docs, doc(fmt.Sprintf("d%d", i), "D", nil, i, fmt.Sprintf("Sentence number %d here.", i)))
	}
	put(t, s, docs...)
	hits, err := s.Dense(ctx, axis(3), 3, rag.Filter{})
	if err != nil || len(hits) != 3 {
		t.Fatalf("Dense = %+v, %v", hits, err)
	}
	if hits[0].Chunk.DocID != "d3" || math.Abs(hits[0].Score-1) > 1e-4 || hits[1].Score <= hits[2].Score-1e-9 {
		t.Errorf("Dense order %+v", hits)
	}
	if hits[1].Chunk.DocID != "d2" && hits[1].Chunk.DocID != "d4" {
		t.Errorf("second hit %s, want a neighbour of d3", hits[1].Chunk.DocID)
	}
}

func lexicalRanksMatches(t *testing.T, s rag.Store) {
	ctx := context.Background()
	put(t, s,
		doc("a", "A", nil, 0, "Zebras graze in the savanna near the river.", "The weather was mild."),
		doc("b", "B", nil, 2, "The river floods in spring.", "Penguins swim in cold water."))
	hits, err := s.Lexical(ctx, "zebras river", 10, rag.Filter{})
	if err != nil || len(hits) != 2 {
		t.Fatalf("Lexical = %+v, %v", hits, err)
	}
	if hits[0].Chunk.ID != "a#0" || hits[0].Score <= hits[1].Score {
		t.Errorf("Lexical order %+v", hits)
	}
	if hits, _ := s.Lexical(ctx, "the of and", 10, rag.Filter{}); len(hits) != 0 {
		t.Errorf("stopword-only query hits %+v", hits)
	}
	// Query syntax is data, not operators.
	if _, err := s.Lexical(ctx, "O'Brien & (x) | !y :* 'z' zebras", 10, rag.Filter{}); err != nil {
		t.Errorf("operator characters in a query: %v", err)
	}
}

func filters(t *testing.T, s rag.Store) {
	ctx := context.Background()
	put(t, s,
		doc("a", "A", map[string]string{"lang": "en", "kind": "news"}, 0, "Zebras graze in the savanna."),
		doc("b", "B", map[string]string{"lang": "de"}, 1, "Zebras grasen in der Savanne zebras."),
		doc("c", "C", map[string]string{"lang": "en"}, 2, "Zebras sleep standing."))
	check := func(name string, hits []rag.Hit, err error, want ...string) {
		t.Helper()
		got := map[string]bool{}
		for _, h := range hits {
			got[h.Chunk.DocID] = true
		}
		if err != nil || len(got) != len(want) {
			t.Errorf("%s: docs %v (%v), want %v", name, got, err, want)
			return
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("%s: docs %v, want %v", name, got, want)
			}
		}
	}
	f := rag.Filter{DocIDs: []string{"a", "b"}}
	h, err := s.Lexical(ctx, "zebras", 10, f)
	check("lexical doc ids", h, err, "a", "b")
	h, err = s.Dense(ctx, axis(2), 10, f)
	check("dense doc ids", h, err, "a", "b")
	f = rag.Filter{Metadata: map[string]string{"lang": "en"}}
	h, err = s.Lexical(ctx, "zebras", 10, f)
	check("lexical metadata", h, err, "a", "c")
	h, err = s.Dense(ctx, axis(1), 10, f)
	check("dense metadata", h, err, "a", "c")
	f = rag.Filter{DocIDs: []string{"a", "b", "c"}, Metadata: map[string]string{"lang": "en", "kind": "news"}}
	h, err = s.Dense(ctx, axis(1), 10, f)
	check("both", h, err, "a")
}

func idfOrder(t *testing.T, s rag.Store) {
	ctx := context.Background()
	put(t, s,
		doc("a", "A", nil, 0, "Zebras graze in the savanna.", "Zebras sleep standing."),
		doc("b", "B", nil, 2, "Zebras and penguins.", "Penguins swim."))
	idf, err := s.IDF(ctx, []string{"zebra", "penguin", "savanna", "unicorn"})
	if err != nil {
		t.Fatal(err)
	}
	if !(idf["unicorn"] > idf["savanna"] && idf["savanna"] > idf["penguin"] && idf["penguin"] > idf["zebra"] && idf["zebra"] > 0) {
		t.Errorf("idf %v, want unicorn > savanna > penguin > zebra > 0", idf)
	}
	if want := rag.BM25IDF(4, 1); math.Abs(idf["savanna"]-want) > 1e-9 {
		t.Errorf("idf(savanna) = %v, want %v", idf["savanna"], want)
	}
	// A term no chunk can hold, word or not, has the IDF of a term seen
	// nowhere: the answer ranker asks for one to learn that value.
	odd := []string{"\x00", "a b", "it's", "x|y"}
	idf, err = s.IDF(ctx, odd)
	if err != nil {
		t.Fatalf("IDF of terms no chunk holds: %v", err)
	}
	for _, term := range odd {
		if want := rag.BM25IDF(4, 0); math.Abs(idf[term]-want) > 1e-9 {
			t.Errorf("idf(%q) = %v, want %v (seen nowhere)", term, idf[term], want)
		}
	}
}

func concurrent(t *testing.T, s rag.Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if err := s.Put(ctx, doc(fmt.Sprintf("d%d", i), "D", nil, i, "Zebras graze.", fmt.Sprintf("Item %d.", i))); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			if _, err := s.Lexical(ctx, "zebras", 5, rag.Filter{}); err != nil {
				t.Error(err)
			}
			if _, err := s.Dense(ctx, axis(i), 5, rag.Filter{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if infos, _ := s.Documents(ctx); len(infos) != 8 {
		t.Errorf("%d documents after concurrent puts", len(infos))
	}
}
