package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
)

// corpus is n documents of k chunks of seeded prose over one shared
// vocabulary, with random unit vectors of dimension dim; every other
// document has metadata lang=en, every third kind=news.
func corpus(n, k, dim int) []rag.StoredDocument {
	g := synth.New(1, 3000)
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]rag.StoredDocument, n)
	for i := range docs {
		id := fmt.Sprintf("d%05d", i)
		meta := map[string]string{}
		if i%2 == 0 {
			meta["lang"] = "en"
		}
		if i%3 == 0 {
			meta["kind"] = "news"
		}
		sd := rag.StoredDocument{Document: rag.Document{ID: id, Title: id, Source: "test", Metadata: meta}}
		for c := range k {
			if c > 0 {
				sd.Text += "\n\n"
			}
			start := len(sd.Text)
			sd.Text += g.Passage(30)
			sd.Chunks = append(sd.Chunks, rag.Chunk{ID: fmt.Sprintf("%s#%d", id, c), DocID: id, Index: c, Start: start, End: len(sd.Text)})
			sd.Vectors = append(sd.Vectors, unitVector(rng, dim))
		}
		for c := range sd.Chunks {
			sd.Chunks[c].Text = sd.Text[sd.Chunks[c].Start:sd.Chunks[c].End]
		}
		sd.Hash = rag.ContentHash(sd.Document)
		docs[i] = sd
	}
	return docs
}

func unitVector(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	var norm float64
	for j := range v {
		v[j] = float32(rng.NormFloat64())
		norm += float64(v[j]) * float64(v[j])
	}
	for j := range v {
		v[j] /= float32(math.Sqrt(norm))
	}
	return v
}

// TestDenseReturnsK: pgvector's HNSW scan stops at hnsw.ef_search (40 by
// default); the store asks for k and gets k, filtered or not, and a filter
// that leaves few chunks is ranked exactly.
func TestDenseReturnsK(t *testing.T) {
	s := openClean(t)
	ctx := context.Background()
	const dim = 16
	docs := corpus(200, 3, dim)
	if err := s.SetEmbedder(ctx, "test", dim); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	q := unitVector(rand.New(rand.NewPCG(9, 9)), dim)
	news := rag.Filter{Metadata: map[string]string{"kind": "news"}}
	few := rag.Filter{DocIDs: []string{"d00001", "d00002", "d00150"}}
	defer func(n int) { exactLimit = n }(exactLimit)
	for _, tc := range []struct {
		name  string
		f     rag.Filter
		exact int // exactLimit for the case
		k     int
		want  int
	}{
		{"no filter", rag.Filter{}, 20000, 100, 100},
		{"no filter, more than ef_search's maximum", rag.Filter{}, 20000, 600, 600},
		{"metadata, through the index", news, 10, 150, 150},
		{"metadata, exact", news, 20000, 150, 150},
		{"few documents, exact", few, 20000, 50, 9},
	} {
		exactLimit = tc.exact
		hits, err := s.Dense(ctx, q, tc.k, tc.f)
		if err != nil || len(hits) != tc.want {
			t.Errorf("%s: %d hits (%v), want %d", tc.name, len(hits), err, tc.want)
			continue
		}
		for i := 1; i < len(hits); i++ {
			if hits[i].Score > hits[i-1].Score+1e-6 {
				t.Errorf("%s: hit %d scores %v after %v", tc.name, i, hits[i].Score, hits[i-1].Score)
			}
		}
		if tc.f.Metadata != nil || tc.f.DocIDs != nil {
			checkExactTop(t, tc.name, docs, q, tc.f, hits)
		}
	}
}

// checkExactTop compares filtered dense hits with the brute-force ranking:
// with few chunks passing, the ranking is exact.
func checkExactTop(t *testing.T, name string, docs []rag.StoredDocument, q []float32, f rag.Filter, hits []rag.Hit) {
	t.Helper()
	type sc struct {
		id    string
		score float64
	}
	var all []sc
	ids := map[string]bool{}
	for _, id := range f.DocIDs {
		ids[id] = true
	}
	for _, d := range docs {
		if len(ids) > 0 && !ids[d.ID] {
			continue
		}
		if f.Metadata["kind"] != "" && d.Metadata["kind"] != f.Metadata["kind"] {
			continue
		}
		for i, v := range d.Vectors {
			var dot float64
			for j := range v {
				dot += float64(v[j]) * float64(q[j])
			}
			all = append(all, sc{d.Chunks[i].ID, dot})
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].score > all[j].score })
	missed := 0
	for i, h := range hits {
		if h.Chunk.ID != all[i].id {
			missed++
		}
	}
	if missed > len(hits)/20 { // the index path is approximate: allow 5%
		t.Errorf("%s: %d of %d hits out of the exact order", name, missed, len(hits))
	}
}

// TestMigratesStatistics: a database written before the statistics tables
// existed (schema version 1) gets them on open, computed from its chunks,
// and answers as a store written with them.
func TestMigratesStatistics(t *testing.T) {
	s := openClean(t)
	ctx := context.Background()
	docs := corpus(30, 3, 8)
	if err := s.SetEmbedder(ctx, "test", 8); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	query := strings.Join(strings.Fields(docs[3].Chunks[1].Text)[:6], " ")
	before, err := s.Lexical(ctx, query, 20, rag.Filter{})
	if err != nil || len(before) == 0 {
		t.Fatalf("lexical before: %v %v", before, err)
	}
	if _, err := s.pool.Exec(ctx, `DROP TABLE ragcite_stats, ragcite_terms; DELETE FROM ragcite_schema WHERE version > 1`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, testURL(t))
	var version int
	if err := s.pool.QueryRow(ctx, `SELECT max(version) FROM ragcite_schema`).Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("schema version %d (%v), want %d", version, err, len(migrations))
	}
	after, err := s.Lexical(ctx, query, 20, rag.Filter{})
	if err != nil || len(after) != len(before) {
		t.Fatalf("lexical after migrating: %d hits (%v), want %d", len(after), err, len(before))
	}
	for i := range before {
		if after[i].Chunk.ID != before[i].Chunk.ID || after[i].Score != before[i].Score {
			t.Errorf("hit %d after migrating %s %v, before %s %v", i, after[i].Chunk.ID, after[i].Score, before[i].Chunk.ID, before[i].Score)
		}
	}
}

// TestBatchAbortLeavesNothing: an aborted batch writes no document, chunk
// or statistic.
func TestBatchAbortLeavesNothing(t *testing.T) {
	s := openClean(t)
	ctx := context.Background()
	docs := corpus(5, 2, 8)
	if err := s.SetEmbedder(ctx, "test", 8); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, docs[0]); err != nil {
		t.Fatal(err)
	}
	b, err := s.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sd := range docs[1:] {
		first := sd
		rest := first.Vectors[1:]
		first.Vectors = first.Vectors[:1]
		more := func() ([][]float32, error) { r := rest; rest = nil; return r, nil }
		if err := b.Add(ctx, first, more); err != nil {
			t.Fatal(err)
		}
	}
	b.Abort()
	infos, err := s.Documents(ctx)
	if err != nil || len(infos) != 1 {
		t.Fatalf("documents after abort: %v %v", infos, err)
	}
	idf, err := s.IDF(ctx, []string{"x"})
	if err != nil || idf["x"] != rag.BM25IDF(2, 0) {
		t.Errorf("idf after abort = %v (%v), want that of 2 chunks", idf, err)
	}
}

// statementLog records the statements a store runs, with their arguments.
type statementLog struct {
	mu    sync.Mutex
	on    bool
	stmts []loggedStatement
}

type loggedStatement struct {
	sql  string
	args []any
}

func (l *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.stmts = append(l.stmts, loggedStatement{data.SQL, data.Args})
	}
	return ctx
}

func (l *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// The store pipelines the dense index scan with its settings: the batch
// hooks see those statements.
func (l *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (l *statementLog) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.stmts = append(l.stmts, loggedStatement{data.SQL, data.Args})
	}
}

func (l *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestQueryPathUsesIndexes runs every kind of query (lexical with and
// without filters, with rare and common terms; dense through the index and
// exactly; IDF; a document's info, text and chunks; a page of the registry)
// while recording the statements the store sends, then asks the planner
// for each statement's plan and fails if one scans a whole table of the
// store.
//
// The plans are taken with enable_seqscan off, in a transaction rolled
// back afterwards. A test database is small, and on small tables the
// planner rightly prefers a sequential scan even where an index would
// serve; what matters at scale is whether an index path exists. With
// enable_seqscan off the planner still scans sequentially when it has no
// other way, so a Seq Scan left in the plan is a statement that reads the
// whole table at any size.
func TestQueryPathUsesIndexes(t *testing.T) {
	log := &statementLog{}
	url := testURL(t)
	openClean(t).Close()
	s, err := Open(context.Background(), url, Options{MaxConns: 1, ExecMode: "cache_describe", tracer: log})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const dim = 16
	docs := corpus(300, 4, dim)
	if err := s.SetEmbedder(ctx, "test", dim); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	defer func(n int) { exactLimit = n }(exactLimit)

	log.mu.Lock()
	log.on = true
	log.mu.Unlock()
	runQueryPath(t, s, docs, dim)
	log.mu.Lock()
	log.on = false
	stmts := log.stmts
	log.mu.Unlock()

	explained, indexScans := 0, 0
	for _, st := range stmts {
		if strings.Contains(st.sql, "<=>") && !strings.Contains(st.sql, ") + 0") {
			indexScans++
		}
		verb := strings.ToUpper(strings.Fields(st.sql)[0])
		if verb != "SELECT" && verb != "WITH" || strings.Contains(st.sql, "set_config(") {
			continue // BEGIN, COMMIT and the index scan's settings
		}
		scans, err := seqScans(ctx, s, st)
		if err != nil {
			t.Fatalf("explain %s: %v", st.sql, err)
		}
		explained++
		if len(scans) > 0 {
			t.Errorf("sequential scan of %v in\n%s", scans, st.sql)
		}
	}
	if indexScans == 0 {
		t.Error("no dense index scan was recorded")
	}
	if explained < 12 {
		t.Errorf("only %d query statements explained: the recording missed the query path", explained)
	}
}

// runQueryPath calls every read a query makes.
func runQueryPath(t *testing.T, s *Store, docs []rag.StoredDocument, dim int) {
	t.Helper()
	ctx := context.Background()
	rare := strings.Fields(docs[7].Chunks[2].Text)[3]
	common := "the and of " + strings.Join(strings.Fields(docs[0].Chunks[0].Text)[:8], " ")
	filters := []rag.Filter{{}, {DocIDs: []string{"d00003", "d00004"}}, {Metadata: map[string]string{"lang": "en"}}}
	for _, f := range filters {
		for _, q := range []string{rare, common} {
			if _, err := s.Lexical(ctx, q, 40, f); err != nil {
				t.Fatal(err)
			}
		}
		for _, limit := range []int{20000, 10} { // exactly, and through the index
			exactLimit = limit
			if _, err := s.Dense(ctx, docs[5].Vectors[1], 40, f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.IDF(ctx, []string{rare, "zzz"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Info(ctx, "d00010"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Document(ctx, "d00010"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Chunks(ctx, "d00010"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListDocuments(ctx, "d00100", 50); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Embedder(ctx); err != nil {
		t.Fatal(err)
	}
}

// seqScans returns the store's tables the statement's plan scans
// sequentially, planned with enable_seqscan off.
func seqScans(ctx context.Context, s *Store, st loggedStatement) ([]string, error) {
	var scans []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		var plan []byte
		if err := tx.QueryRow(ctx, `EXPLAIN (FORMAT JSON) `+st.sql, st.args...).Scan(&plan); err != nil {
			return err
		}
		var root []struct {
			Plan planNode `json:"Plan"`
		}
		if err := json.Unmarshal(plan, &root); err != nil {
			return err
		}
		for _, r := range root {
			scans = append(scans, r.Plan.seqScans()...)
		}
		return errRollback
	})
	if err == errRollback {
		err = nil
	}
	return scans, err
}

var errRollback = fmt.Errorf("roll back")

type planNode struct {
	NodeType string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Plans    []planNode `json:"Plans"`
}

// seqScans lists the ragcite tables scanned sequentially in the plan tree.
func (p planNode) seqScans() []string {
	var out []string
	if p.NodeType == "Seq Scan" && strings.HasPrefix(p.Relation, "ragcite_") {
		out = append(out, p.Relation)
	}
	for _, c := range p.Plans {
		out = append(out, c.seqScans()...)
	}
	return out
}
