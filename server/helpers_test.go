package server

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/load"
)

const articlesDir = "../testdata/articles"

// amazonQuestion is answered from the sample articles.
const amazonQuestion = "How much is Amazon reportedly considering investing in OpenAI?"

var (
	articlesOnce sync.Once
	articles     []rag.Document
	articlesErr  error
)

// sampleArticles loads ../testdata/articles once.
func sampleArticles(t testing.TB) []rag.Document {
	t.Helper()
	articlesOnce.Do(func() {
		var warns []load.Warning
		articles, warns, articlesErr = load.Paths([]string{articlesDir})
		if articlesErr == nil && len(warns) > 0 {
			articlesErr = io.ErrUnexpectedEOF
		}
	})
	if articlesErr != nil || len(articles) == 0 {
		t.Fatalf("load sample articles: %v (%d documents)", articlesErr, len(articles))
	}
	return articles
}

// newEngine returns an engine over an in-memory store holding the sample
// articles.
func newEngine(t testing.TB) *rag.Engine {
	t.Helper()
	ctx := context.Background()
	store, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, err := eng.Ingest(ctx, sampleArticles(t), nil); err != nil {
		t.Fatal(err)
	}
	return eng
}

// newTestServer returns a ready server over a fresh engine with the sample
// articles; cfg.Engine, when nil, is filled in.
func newTestServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Engine == nil {
		cfg.Engine = newEngine(t)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.SetReady(true)
	return s
}

// request is one HTTP request against the router.
type request struct {
	method, path, body string
	header             map[string]string
}

func (r request) do(t testing.TB, h http.Handler) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	req.Host = "localhost" // a keyless server answers loopback names only
	if r.body != "" && r.header["Content-Type"] == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range r.header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// upload is a file part of a multipart body.
type upload struct {
	name string
	data []byte
}

// multipartBody builds a multipart/form-data body of files under field
// "file"; it returns the body and its Content-Type.
func multipartBody(t testing.TB, files ...upload) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		fw, err := w.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}
