package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// faultyStore is an in-memory store whose writes, listing and health can be
// made to fail.
type faultyStore struct {
	*chromemstore.Store
	putErr, listErr, health error
	putBlocks               bool
}

func (f *faultyStore) Put(ctx context.Context, docs ...rag.StoredDocument) error {
	if f.putBlocks {
		<-ctx.Done()
		return fmt.Errorf("put: %w", ctx.Err())
	}
	if f.putErr != nil {
		return f.putErr
	}
	return f.Store.Put(ctx, docs...)
}

func (f *faultyStore) ListDocuments(ctx context.Context, after string, limit int) ([]rag.DocumentInfo, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return f.Store.ListDocuments(ctx, after, limit)
}

func (f *faultyStore) Health(context.Context) error { return f.health }

func faultyServer(t *testing.T, f *faultyStore, cfg Config) *Server {
	t.Helper()
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	f.Store = st
	eng, err := rag.NewEngine(ctx, rag.Config{Store: f, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	cfg.Engine = eng
	return newTestServer(t, cfg)
}

func TestStoreErrorStatuses(t *testing.T) {
	const doc = `{"documents":[{"id":"a","text":"Alpha beta gamma."}]}`
	full := faultyServer(t, &faultyStore{putErr: fmt.Errorf("put: write segment: %w", syscall.ENOSPC)}, Config{})
	down := faultyServer(t, &faultyStore{listErr: fmt.Errorf("list: %w", rag.ErrUnavailable), health: fmt.Errorf("ping: %w", rag.ErrUnavailable)}, Config{})
	degraded := faultyServer(t, &faultyStore{health: fmt.Errorf("%w: 1 record set aside: document \"x\"", rag.ErrDegraded)}, Config{})
	runRouteCases(t, full.Handler(), []routeCase{
		{name: "disk full", method: "POST", path: "/v1/documents", body: doc, wantStatus: 507, wantBodyContains: []string{`"insufficient_storage"`}},
	})
	runRouteCases(t, down.Handler(), []routeCase{
		{name: "database down", method: "GET", path: "/v1/documents", wantStatus: 503, wantBodyContains: []string{`"store_unavailable"`}},
		{name: "not ready while down", method: "GET", path: "/readyz", wantStatus: 503, wantBodyContains: []string{`"store_unavailable"`}},
	})
	runRouteCases(t, degraded.Handler(), []routeCase{
		{name: "degraded", method: "GET", path: "/readyz", wantStatus: 200, wantBodyContains: []string{`"degraded"`, `\"x\"`}},
	})
}

func TestDotSegmentIDsRejected(t *testing.T) {
	s := newTestServer(t, Config{})
	h := s.Handler()
	runRouteCases(t, h, []routeCase{
		{name: "victim exists", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"victim","text":"The victim text."}]}`, wantStatus: 201},
		{name: "ingest x/../victim", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"x/../victim","text":"Other."}]}`, wantStatus: 400, wantBodyContains: []string{`may be`}},
		{name: "ingest ./a", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"./a","text":"Other."}]}`, wantStatus: 400},
		{name: "delete through ..", method: "DELETE", path: "/v1/documents/x/../victim", wantStatus: 400},
		{name: "delete through escaped ..", method: "DELETE", path: "/v1/documents/x/%2E%2E/victim", wantStatus: 400},
		{name: "get through .", method: "GET", path: "/v1/documents/./victim", wantStatus: 400},
		{name: "victim untouched", method: "GET", path: "/v1/documents/victim", wantStatus: 200, wantBodyContains: []string{"The victim text."}},
		{name: "dots inside a part are fine", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a/..b/c.","text":"Dots."}]}`, wantStatus: 201},
	})
}

func TestDocumentsPaging(t *testing.T) {
	s := newTestServer(t, Config{Engine: newEngine(t)})
	h := s.Handler()
	var in []string
	for i := range 25 {
		in = append(in, fmt.Sprintf(`{"id":"p/%02d","text":"Paging text number %d."}`, i, i))
	}
	if rec := (request{method: "POST", path: "/v1/documents", body: `{"documents":[` + strings.Join(in, ",") + `]}`}).do(t, h); rec.Code != 201 {
		t.Fatalf("ingest: %d %s", rec.Code, rec.Body)
	}
	all := (request{method: "GET", path: "/v1/documents?limit=10000"}).do(t, h)
	var want struct {
		Documents []rag.DocumentInfo `json:"documents"`
	}
	if err := json.Unmarshal(all.Body.Bytes(), &want); err != nil || len(want.Documents) < 25 {
		t.Fatalf("full listing: %v, %d documents", err, len(want.Documents))
	}
	var got []string
	cursor, pages := "", 0
	for {
		rec := (request{method: "GET", path: "/v1/documents?limit=10&cursor=" + cursor}).do(t, h)
		var page struct {
			Documents  []rag.DocumentInfo `json:"documents"`
			NextCursor string             `json:"next_cursor"`
		}
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &page) != nil || len(page.Documents) > 10 {
			t.Fatalf("page %d: %d %s", pages, rec.Code, rec.Body)
		}
		pages++
		for _, d := range page.Documents {
			got = append(got, d.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(got) != len(want.Documents) || pages != (len(want.Documents)+9)/10 {
		t.Fatalf("paged %d documents in %d pages, want %d", len(got), pages, len(want.Documents))
	}
	for i, d := range want.Documents {
		if got[i] != d.ID {
			t.Fatalf("paged listing differs at %d: %q, want %q", i, got[i], d.ID)
		}
	}
	runRouteCases(t, h, []routeCase{
		{name: "limit 0", method: "GET", path: "/v1/documents?limit=0", wantStatus: 400},
		{name: "limit too large", method: "GET", path: "/v1/documents?limit=10001", wantStatus: 400},
		{name: "bad cursor", method: "GET", path: "/v1/documents?cursor=%25%25", wantStatus: 400},
	})
}

// TestSlowBodyTimesOut: a body trickled in slower than the body timeout is
// cut off with 408 instead of holding the connection.
func TestSlowBodyTimesOut(t *testing.T) {
	s := newTestServer(t, Config{BodyTimeout: 300 * time.Millisecond})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	conn, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	fmt.Fprintf(conn, "POST /v1/documents HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"documents\":")
	done := make(chan struct{})
	go func() { // keep trickling, as a slow client would
		defer close(done)
		for range 50 {
			time.Sleep(100 * time.Millisecond)
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a slow body: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("slow body: status %d, want 408", res.StatusCode)
	}
	if el := time.Since(start); el > 4*time.Second {
		t.Fatalf("slow body answered after %s", el)
	}
	conn.Close()
	<-done
}

// TestClientDisconnectNotAnError: a client that goes away mid-request is
// logged as 499 at info level, with no error line.
func TestClientDisconnectNotAnError(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := faultyServer(t, &faultyStore{putBlocks: true}, Config{Logger: log})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/documents", strings.NewReader(`{"documents":[{"id":"a","text":"Alpha."}]}`))
	req.Header.Set("Content-Type", "application/json")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Fatalf("request finished with %d; the store should block until the client leaves", res.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf.String(), "status=499") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := buf.String()
	if !strings.Contains(out, "level=INFO msg=request") || !strings.Contains(out, "status=499") {
		t.Fatalf("no 499 request line logged:\n%s", out)
	}
	if strings.Contains(out, "level=ERROR") || strings.Contains(out, "status=503") {
		t.Fatalf("a client disconnect was logged as an error:\n%s", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
