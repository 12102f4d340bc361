package embed_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/eval"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// This file measures the local embedders as retrievers in the engine: a
// store of passages, each question asked of all of them, recall@k the
// share of questions with a passage that answers them among the first k
// distinct documents. Dense is the vector search alone; hybrid is what
// ragcite runs, dense and BM25 fused (rag.Engine.Search). It is an
// external test package so that it can build an engine; package embed
// itself imports no more than before.

// retrievalCase is one question and the documents that answer it.
type retrievalCase struct {
	question string
	answers  map[string]bool
}

// recall holds recall@1 and @5 of one retriever.
type recall struct{ at1, at5 float64 }

func (r recall) String() string { return fmt.Sprintf("R@1 %.4f R@5 %.4f", r.at1, r.at5) }

// measureRetrieval ingests docs (id -> text) with e and returns dense and
// hybrid recall over cases.
func measureRetrieval(t *testing.T, e embed.Embedder, docs []rag.Document, cases []retrievalCase) (dense, hybrid recall) {
	t.Helper()
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: e})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		v, err := e.Embed(ctx, []string{c.question})
		if err != nil {
			t.Fatal(err)
		}
		hits, err := st.Dense(ctx, v[0], 40, rag.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.Chunk.DocID
		}
		score(&dense, ids, c.answers)
		res, err := eng.Search(ctx, rag.SearchRequest{Query: c.question, TopK: 20})
		if err != nil {
			t.Fatal(err)
		}
		ids = ids[:0]
		for _, r := range res {
			ids = append(ids, r.DocID)
		}
		score(&hybrid, ids, c.answers)
	}
	n := float64(len(cases))
	dense, hybrid = recall{dense.at1 / n, dense.at5 / n}, recall{hybrid.at1 / n, hybrid.at5 / n}
	return dense, hybrid
}

// score counts a question's hits at 1 and 5 over the distinct documents of
// ids, best first.
func score(r *recall, ids []string, answers map[string]bool) {
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if answers[id] {
			if len(seen) == 1 {
				r.at1++
			}
			if len(seen) <= 5 {
				r.at5++
			}
			return
		}
	}
}

// embedders are the two local embedders compared.
func embedders(t *testing.T) []embed.Embedder {
	v2, err := embed.NewLocal(embed.LocalConfig{WordVectors: true})
	if err != nil {
		t.Fatal(err)
	}
	return []embed.Embedder{embed.DefaultLocal(), v2}
}

// TestRetrievalSquad2 asks each answerable question of the two SQuAD 2.0
// articles of ../shared/bench of all their paragraphs.
func TestRetrievalSquad2(t *testing.T) {
	path := os.Getenv("RAGCITE_SQUAD2")
	if path == "" {
		path = "../../shared/bench/squad2/squad2-dev-two-articles.json"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("SQuAD 2.0 data not available (%v); set RAGCITE_SQUAD2 to run", err)
	}
	arts, err := eval.LoadSquad2(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var (
		docs  []rag.Document
		cases []retrievalCase
	)
	for _, a := range arts {
		for i, p := range a.Paragraphs {
			docs = append(docs, rag.Document{ID: fmt.Sprintf("%s-%d", a.Title, i), Title: a.Title, Text: p})
		}
		for _, q := range a.Questions {
			if len(q.Answers) > 0 {
				cases = append(cases, retrievalCase{q.Question, map[string]bool{fmt.Sprintf("%s-%d", a.Title, q.Paragraph): true}})
			}
		}
	}
	// Measured: local-v1 dense 0.630/0.879, hybrid 0.752/0.934; local-v2
	// dense 0.653/0.891, hybrid 0.758/0.936.
	checkRetrieval(t, docs, cases, map[string][2]recall{
		"local-v1-384": {{0.62, 0.87}, {0.74, 0.925}},
		"local-v2-484": {{0.645, 0.885}, {0.75, 0.93}},
	})
}

// TestRetrievalWikiQA puts every candidate sentence of the WikiQA file of
// ../shared/bench into one store and asks each question that has a correct
// sentence of all of them.
func TestRetrievalWikiQA(t *testing.T) {
	path := os.Getenv("RAGCITE_WIKIQA")
	if path == "" {
		path = "../../shared/bench/wikiqa/WikiQA-test-even.tsv"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("WikiQA data not available (%v); set RAGCITE_WIKIQA to run", err)
	}
	qs, err := eval.LoadWikiQA(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var (
		docs  []rag.Document
		cases []retrievalCase
		seen  = map[string]bool{} // questions share pages
	)
	for _, q := range qs {
		c := retrievalCase{question: q.Question, answers: map[string]bool{}}
		for _, s := range q.Sentences {
			if !seen[s.ID] {
				seen[s.ID] = true
				docs = append(docs, rag.Document{ID: s.ID, Text: s.Text})
			}
			if s.Correct {
				c.answers[s.ID] = true
			}
		}
		if len(c.answers) > 0 {
			cases = append(cases, c)
		}
	}
	// Measured: local-v1 dense 0.260/0.543, hybrid 0.323/0.646; local-v2
	// dense 0.346/0.654, hybrid 0.362/0.669.
	checkRetrieval(t, docs, cases, map[string][2]recall{
		"local-v1-384": {{0.25, 0.53}, {0.31, 0.63}},
		"local-v2-484": {{0.33, 0.64}, {0.35, 0.66}},
	})
}

// checkRetrieval measures each embedder and fails when its dense or
// hybrid recall falls under its floors (dense, hybrid).
func checkRetrieval(t *testing.T, docs []rag.Document, cases []retrievalCase, floors map[string][2]recall) {
	t.Helper()
	for _, e := range embedders(t) {
		dense, hybrid := measureRetrieval(t, e, docs, cases)
		t.Logf("%s, %d questions over %d documents: dense %v, hybrid %v", e.Name(), len(cases), len(docs), dense, hybrid)
		floor, ok := floors[e.Name()]
		if !ok {
			t.Fatalf("no floor for %s", e.Name())
		}
		for i, got := range []recall{dense, hybrid} {
			if got.at1 < floor[i].at1 || got.at5 < floor[i].at5 {
				t.Errorf("%s: %s %v, want at least %v", e.Name(), []string{"dense", "hybrid"}[i], got, floor[i])
			}
		}
	}
}
