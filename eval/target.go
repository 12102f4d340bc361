package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ragcite/ragcite/rag"
)

// Target is what a suite runs against: the engine in-process or a ragcite
// server over HTTP.
type Target interface {
	Ingest(ctx context.Context, docs []rag.Document) error
	Ask(ctx context.Context, req rag.AskRequest) (*rag.Answer, error)
	Summarize(ctx context.Context, req rag.SummarizeRequest) (*rag.Summary, error)
	Search(ctx context.Context, req rag.SearchRequest) ([]rag.SearchResult, error)
	Document(ctx context.Context, id string) (rag.Document, error)
}

// EngineTarget runs cases in-process.
type EngineTarget struct{ Engine *rag.Engine }

var _ Target = EngineTarget{}

// Ingest implements Target.
func (t EngineTarget) Ingest(ctx context.Context, docs []rag.Document) error {
	_, err := t.Engine.Ingest(ctx, docs, nil)
	return err
}

// Ask implements Target.
func (t EngineTarget) Ask(ctx context.Context, req rag.AskRequest) (*rag.Answer, error) {
	return t.Engine.Ask(ctx, req)
}

// Summarize implements Target.
func (t EngineTarget) Summarize(ctx context.Context, req rag.SummarizeRequest) (*rag.Summary, error) {
	return t.Engine.Summarize(ctx, req)
}

// Search implements Target.
func (t EngineTarget) Search(ctx context.Context, req rag.SearchRequest) ([]rag.SearchResult, error) {
	return t.Engine.Search(ctx, req)
}

// Document implements Target.
func (t EngineTarget) Document(ctx context.Context, id string) (rag.Document, error) {
	return t.Engine.Document(ctx, id)
}

// HTTPTarget runs cases against a ragcite server (the v1 JSON API).
type HTTPTarget struct {
	BaseURL string
	APIKey  string // sent as a bearer token when set
	Client  *http.Client
}

var _ Target = (*HTTPTarget)(nil)

// ingestBatch bounds the documents sent in one request.
const ingestBatch = 64

// Ingest implements Target.
func (t *HTTPTarget) Ingest(ctx context.Context, docs []rag.Document) error {
	for i := 0; i < len(docs); i += ingestBatch {
		batch := docs[i:min(i+ingestBatch, len(docs))]
		if err := t.call(ctx, http.MethodPost, "/v1/documents", map[string]any{"documents": batch}, nil); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
	}
	return nil
}

// Ask implements Target.
func (t *HTTPTarget) Ask(ctx context.Context, req rag.AskRequest) (*rag.Answer, error) {
	var ans rag.Answer
	if err := t.call(ctx, http.MethodPost, "/v1/ask", req, &ans); err != nil {
		return nil, err
	}
	return &ans, nil
}

// Summarize implements Target.
func (t *HTTPTarget) Summarize(ctx context.Context, req rag.SummarizeRequest) (*rag.Summary, error) {
	var sum rag.Summary
	if err := t.call(ctx, http.MethodPost, "/v1/summarize", req, &sum); err != nil {
		return nil, err
	}
	return &sum, nil
}

// Search implements Target.
func (t *HTTPTarget) Search(ctx context.Context, req rag.SearchRequest) ([]rag.SearchResult, error) {
	var out struct {
		Results []rag.SearchResult `json:"results"`
	}
	if err := t.call(ctx, http.MethodPost, "/v1/search", req, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// Document implements Target.
func (t *HTTPTarget) Document(ctx context.Context, id string) (rag.Document, error) {
	var d rag.Document
	path := "/v1/documents/" + escapeID(id)
	return d, t.call(ctx, http.MethodGet, path, nil, &d)
}

// escapeID escapes each segment of an id, keeping its slashes.
func escapeID(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// call sends a JSON request and decodes a JSON reply into out (when not nil).
func (t *HTTPTarget) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(t.BaseURL, "/")+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if t.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
			return fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, e.Error.Code, e.Error.Message)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode reply: %w", method, path, err)
	}
	return nil
}
