package pgstore

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
	"github.com/ragcite/ragcite/rag/storetest"
)

// testURL returns the database for integration tests, or skips.
func testURL(t *testing.T) string {
	url := os.Getenv("PGVECTOR_TEST_URL")
	if url == "" {
		t.Skip("PGVECTOR_TEST_URL is not set: run scripts/pgvector-test.sh (PostgreSQL with pgvector from npm, see README)")
	}
	return url
}

// openClean drops every ragcite table and opens a fresh store; one
// connection in the pool, since the test server shares one session.
func openClean(t *testing.T) *Store {
	t.Helper()
	url := testURL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `DROP TABLE IF EXISTS ragcite_chunks, ragcite_documents, ragcite_meta, ragcite_schema, ragcite_stats, ragcite_terms CASCADE`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return open(t, url)
}

func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{MaxConns: 1, ExecMode: "cache_describe"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresStoreBehaviour(t *testing.T) {
	testURL(t)
	storetest.Run(t, func(t *testing.T) rag.Store { return openClean(t) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	s := openClean(t)
	if err := s.migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var versions int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM ragcite_schema`).Scan(&versions); err != nil || versions != len(migrations) {
		t.Fatalf("%d schema versions recorded (%v), want %d", versions, err, len(migrations))
	}
}

func TestOptionsValidate(t *testing.T) {
	if _, err := Open(context.Background(), "postgres://127.0.0.1:1/x", Options{ExecMode: "fastest"}); err == nil || !strings.Contains(err.Error(), "exec mode") {
		t.Errorf("bad exec mode: %v", err)
	}
	if _, err := Open(context.Background(), "::not a url", Options{}); err == nil {
		t.Error("bad URL: want an error")
	}
}

func sampleArticles(t *testing.T) []rag.Document {
	docs, warns, err := load.Paths([]string{"../../testdata/articles"})
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	return docs
}

// TestTwoReplicas ingests through one engine and answers from another over
// the same database, as two ragcite servers would.
func TestTwoReplicas(t *testing.T) {
	first := openClean(t)
	ctx := context.Background()
	a, err := rag.NewEngine(ctx, rag.Config{Store: first, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ingest(ctx, sampleArticles(t), nil); err != nil {
		t.Fatal(err)
	}
	b, err := rag.NewEngine(ctx, rag.Config{Store: open(t, testURL(t)), Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := b.Ask(ctx, rag.AskRequest{Question: "How much is Amazon reportedly considering investing in OpenAI?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Abstained || !strings.Contains(ans.Answer, "$10 billion") || len(ans.Conflicts) != 1 {
		t.Errorf("answer from the second replica: %+v", ans)
	}
	for _, c := range ans.Citations {
		d, err := b.Document(ctx, c.DocID)
		if err != nil || d.Text[c.Start:c.End] != c.Quote {
			t.Errorf("citation %d is not verbatim: %v", c.N, err)
		}
	}
	// Re-ingest through the second replica is a no-op; a different
	// embedder is refused.
	res, err := b.Ingest(ctx, sampleArticles(t), nil)
	if err != nil || res[0].Status != rag.StatusUnchanged {
		t.Errorf("re-ingest: %+v %v", res, err)
	}
	if _, err := rag.NewEngine(ctx, rag.Config{Store: first, Embedder: otherEmbedder{embed.DefaultLocal()}}); err == nil {
		t.Error("a store built by another embedder was accepted")
	}
}

type otherEmbedder struct{ *embed.Local }

func (otherEmbedder) Name() string { return "other" }

// TestReanalysesAfterAnalyserChange: chunk terms written by another lexical
// analyser are analysed again on open, so lexical search matches the query's
// terms; a store already on this analyser is left as it is.
func TestReanalysesAfterAnalyserChange(t *testing.T) {
	s := openClean(t)
	ctx := context.Background()
	chunk := "Zebras graze quietly in the savanna near the river."
	sd := rag.StoredDocument{Document: rag.Document{ID: "z", Title: "Z", Text: chunk}, Hash: "h",
		Chunks:  []rag.Chunk{{ID: "z#0", DocID: "z", Start: 0, End: len(chunk), Text: chunk}},
		Vectors: [][]float32{{1, 0, 0}}}
	if err := s.Put(ctx, sd); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE ragcite_chunks SET terms = 'stale', nterms = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE ragcite_meta SET value = 'old' WHERE key = $1`, analyserKey); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = open(t, testURL(t))
	var terms string
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT terms, nterms FROM ragcite_chunks WHERE id = 'z#0'`).Scan(&terms, &n); err != nil {
		t.Fatal(err)
	}
	want := text.Terms(chunk)
	if terms != strings.Join(want, " ") || n != len(want) {
		t.Errorf("terms after reopening = %q (%d), want %q", terms, n, want)
	}
	hits, err := s.Lexical(ctx, "zebras grazing", 3, rag.Filter{})
	if err != nil || len(hits) != 1 || hits[0].Chunk.DocID != "z" {
		t.Errorf("lexical after reanalysis: %+v, %v", hits, err)
	}
	var fp string
	if err := s.pool.QueryRow(ctx, `SELECT value FROM ragcite_meta WHERE key = $1`, analyserKey).Scan(&fp); err != nil || fp != text.Fingerprint() {
		t.Errorf("analyser recorded = %q, %v; want %q", fp, err, text.Fingerprint())
	}
}
