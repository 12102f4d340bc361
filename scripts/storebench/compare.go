package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/pgstore"
)

// compareConfig is a side-by-side run: the same corpus ingested through the
// engine (chunking and the local embedder included) into the embedded store
// and into PostgreSQL, then the same searches on both.
type compareConfig struct {
	dir, pgURL              string
	docs, paragraphs, words int
	batch, queries, topK    int
	pgMaxConns              int32
	pgExecMode              string
}

// storeRun is what one store measured.
type storeRun struct {
	name   string
	chunks int
	ingest time.Duration
	lat    []time.Duration
	found  int // queries whose source document is in the top k
	topIDs [][]string
}

func compareStores(cfg compareConfig) error {
	ctx := context.Background()
	docs := compareCorpus(cfg.docs, cfg.paragraphs, cfg.words)
	queries := compareQueries(docs, cfg.queries)
	dir := cfg.dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "storebench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	emb, err := chromemstore.Open(ctx, dir)
	if err != nil {
		return fmt.Errorf("embedded store: %w", err)
	}
	defer emb.Close()
	pg, err := pgstore.Open(ctx, cfg.pgURL, pgstore.Options{MaxConns: cfg.pgMaxConns, ExecMode: cfg.pgExecMode})
	if err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	defer pg.Close()
	if n, err := pg.Documents(ctx); err != nil || len(n) > 0 {
		return fmt.Errorf("postgres store: want an empty database, it has %d documents (%v)", len(n), err)
	}
	var runs []*storeRun
	for _, st := range []struct {
		name  string
		store rag.Store
	}{{"embedded", emb}, {"postgres", pg}} {
		r, err := runStore(ctx, st.name, st.store, docs, queries, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		runs = append(runs, r)
	}
	printComparison(runs, len(queries), cfg)
	return compareRetrievers(ctx, emb, pg, queries, 4*cfg.topK)
}

// compareRetrievers reports how much of each retriever's candidate list
// (the n the engine asks for) the stores share: the dense list differs by
// the HNSW index's approximation, the lexical one should not differ.
func compareRetrievers(ctx context.Context, a, b rag.Store, queries []benchQuery, n int) error {
	e := embed.DefaultLocal()
	var dense, lex [2][][]string
	for _, q := range queries {
		vecs, err := e.Embed(ctx, []string{q.text})
		if err != nil {
			return err
		}
		for i, st := range []rag.Store{a, b} {
			d, err := st.Dense(ctx, vecs[0], n, rag.Filter{})
			if err != nil {
				return fmt.Errorf("dense: %w", err)
			}
			l, err := st.Lexical(ctx, q.text, n, rag.Filter{})
			if err != nil {
				return fmt.Errorf("lexical: %w", err)
			}
			dense[i], lex[i] = append(dense[i], hitIDs(d)), append(lex[i], hitIDs(l))
		}
	}
	fmt.Printf("candidate lists (top %d) shared by both stores: dense %.3f, lexical %.3f\n", n, overlap(dense[0], dense[1]), overlap(lex[0], lex[1]))
	return nil
}

func hitIDs(hits []rag.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Chunk.ID
	}
	return out
}

// benchQuery is a search whose source document is known.
type benchQuery struct {
	text, docID string
}

// compareCorpus is n documents of p paragraphs of seeded prose drawn from
// one vocabulary, so queries match across documents as in real text.
func compareCorpus(n, p, words int) []rag.Document {
	g := synth.New(1, 20000)
	docs := make([]rag.Document, n)
	for i := range docs {
		paras := make([]string, p)
		for j := range paras {
			paras[j] = g.Passage(words)
		}
		id := fmt.Sprintf("d%07d", i)
		docs[i] = rag.Document{ID: id, Title: "Document " + id, Text: strings.Join(paras, "\n\n")}
	}
	return docs
}

// compareQueries takes n queries of five consecutive words from random
// places of random documents.
func compareQueries(docs []rag.Document, n int) []benchQuery {
	rng := rand.New(rand.NewPCG(42, 42))
	out := make([]benchQuery, n)
	for i := range out {
		d := docs[rng.IntN(len(docs))]
		words := strings.Fields(d.Text)
		at := rng.IntN(max(len(words)-5, 1))
		out[i] = benchQuery{strings.Join(words[at:min(at+5, len(words))], " "), d.ID}
	}
	return out
}

func runStore(ctx context.Context, name string, store rag.Store, docs []rag.Document, queries []benchQuery, cfg compareConfig) (*storeRun, error) {
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: embed.DefaultLocal()})
	if err != nil {
		return nil, err
	}
	r := &storeRun{name: name}
	start := time.Now()
	for lo := 0; lo < len(docs); lo += cfg.batch {
		res, err := eng.Ingest(ctx, docs[lo:min(lo+cfg.batch, len(docs))], nil)
		if err != nil {
			return nil, fmt.Errorf("ingest: %w", err)
		}
		for _, x := range res {
			r.chunks += x.Chunks
		}
	}
	r.ingest = time.Since(start)
	for _, q := range queries[:min(5, len(queries))] { // warm caches and prepared statements
		if _, err := eng.Search(ctx, rag.SearchRequest{Query: q.text, TopK: cfg.topK}); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	}
	for _, q := range queries {
		t := time.Now()
		hits, err := eng.Search(ctx, rag.SearchRequest{Query: q.text, TopK: cfg.topK})
		r.lat = append(r.lat, time.Since(t))
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.text, err)
		}
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ChunkID
			if h.DocID == q.docID && (i == 0 || !contains(ids[:i], q.docID)) {
				r.found++
			}
		}
		r.topIDs = append(r.topIDs, ids)
	}
	return r, nil
}

func contains(ids []string, docID string) bool {
	for _, id := range ids {
		if strings.HasPrefix(id, docID+"#") {
			return true
		}
	}
	return false
}

func percentile(lat []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func printComparison(runs []*storeRun, nq int, cfg compareConfig) {
	fmt.Printf("corpus: %d documents x %d paragraphs of %d words; %d searches, top %d\n", cfg.docs, cfg.paragraphs, cfg.words, nq, cfg.topK)
	fmt.Printf("%-9s %8s %9s %11s %9s %9s %8s\n", "store", "chunks", "ingest s", "chunks/s", "p50 ms", "p95 ms", "found")
	for _, r := range runs {
		fmt.Printf("%-9s %8d %9.2f %11.0f %9.2f %9.2f %5d/%d\n", r.name, r.chunks, r.ingest.Seconds(),
			float64(r.chunks)/r.ingest.Seconds(), ms(percentile(r.lat, 0.50)), ms(percentile(r.lat, 0.95)), r.found, nq)
	}
	if len(runs) == 2 {
		a, b := runs[0], runs[1]
		fmt.Printf("postgres/embedded: ingest time %.2fx, p50 %.2fx, p95 %.2fx; top-%d overlap %.3f\n",
			b.ingest.Seconds()/a.ingest.Seconds(), ratio(b.lat, a.lat, 0.5), ratio(b.lat, a.lat, 0.95), cfg.topK, overlap(a.topIDs, b.topIDs))
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ratio(a, b []time.Duration, p float64) float64 {
	return percentile(a, p).Seconds() / percentile(b, p).Seconds()
}

// overlap is the mean fraction of one store's top chunks the other returns.
func overlap(a, b [][]string) float64 {
	var sum float64
	for i := range a {
		in := map[string]bool{}
		for _, id := range a[i] {
			in[id] = true
		}
		common := 0
		for _, id := range b[i] {
			if in[id] {
				common++
			}
		}
		sum += float64(common) / float64(max(len(a[i]), 1))
	}
	return sum / float64(max(len(a), 1))
}
