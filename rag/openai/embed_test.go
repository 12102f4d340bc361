package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// fakeEmbeddings serves /v1/embeddings: vector i of a batch is a unit
// vector derived from the text's length, so results are checkable.
func fakeEmbeddings(t *testing.T, failFirst int) (*httptest.Server, *atomic.Int32, *atomic.Int32) {
	var calls, texts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if r.URL.Path != "/v1/embeddings" {
			http.NotFound(w, r)
			return
		}
		if int(n) <= failFirst {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"slow down","type":"rate_limit","code":"rate_limit"}}`)
			return
		}
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("decode: %v", err)
		}
		texts.Add(int32(len(req.Input)))
		var data []map[string]any
		for i, in := range req.Input {
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": []float32{float32(len(in)), 1, 0}})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model, "usage": map[string]int{"prompt_tokens": 1, "total_tokens": 1}})
	}))
	t.Cleanup(srv.Close)
	return srv, &calls, &texts
}

func TestOpenAIEmbedBatchesAndCaches(t *testing.T) {
	srv, calls, texts := fakeEmbeddings(t, 1)
	cache := t.TempDir()
	cfg := EmbedderConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "fake-embed", CacheDir: cache, BatchSize: 2, Concurrency: 2}
	e, err := NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	in := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	vs, err := e.Embed(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	// 3 batches of at most 2, plus the one 429 retried.
	if calls.Load() != 4 || texts.Load() != 5 {
		t.Errorf("%d requests for %d texts, want 4 and 5", calls.Load(), texts.Load())
	}
	for i, v := range vs {
		want := float64(len(in[i])) / math.Sqrt(float64(len(in[i])*len(in[i])+1))
		if math.Abs(float64(v[0])-want) > 1e-6 {
			t.Errorf("vector %d = %v, not the normalised vector of its text", i, v)
		}
	}
	if e.Name() != "openai:fake-embed" || e.Dim() != 3 {
		t.Errorf("name %q dim %d", e.Name(), e.Dim())
	}

	// A second embedder over the same cache sends nothing.
	e2, _ := NewEmbedder(cfg)
	before := calls.Load()
	if _, err := e2.Embed(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != before {
		t.Errorf("%d requests with a warm cache", calls.Load()-before)
	}

	// A corrupt entry is ignored and recomputed.
	files, _ := filepath.Glob(filepath.Join(cache, "fake-embed", "*", "*.f32"))
	if len(files) != 5 {
		t.Fatalf("%d cache files, want 5", len(files))
	}
	os.WriteFile(files[0], []byte{1, 2, 3}, 0o644)
	e3, _ := NewEmbedder(cfg)
	if _, err := e3.Embed(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != before+1 {
		t.Errorf("%d requests after corrupting one entry, want 1", calls.Load()-before)
	}
}

func TestOpenAIEmbedErrors(t *testing.T) {
	if _, err := NewEmbedder(EmbedderConfig{}); err == nil {
		t.Error("no endpoint and no key: want an error")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"bad key","type":"invalid_request_error","code":"invalid_api_key"}}`)
	}))
	defer srv.Close()
	e, _ := NewEmbedder(EmbedderConfig{BaseURL: srv.URL + "/v1", APIKey: "bad"})
	if _, err := e.Embed(context.Background(), []string{"x"}); err == nil {
		t.Error("401: want an error")
	}
}
