package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// fakeChat is an OpenAI-compatible /chat/completions endpoint that records
// the decoded request bodies and replies "ok", as JSON or as an SSE stream.
func fakeChat(t *testing.T) (*httptest.Server, func() []map[string]any) {
	t.Helper()
	var mu sync.Mutex
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		if body["stream"] == true {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, `data: {"id":"1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"o"}}]}`+"\n\n")
			fmt.Fprint(w, `data: {"id":"1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"k"}}]}`+"\n\n")
			fmt.Fprint(w, `data: {"id":"1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}`+"\n\n")
			fmt.Fprint(w, "data: [DONE]\n\n")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id":"1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}`)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []map[string]any {
		mu.Lock()
		defer mu.Unlock()
		return append([]map[string]any(nil), bodies...)
	}
}

func TestChatSendsCompletionTokenBudget(t *testing.T) {
	srv, bodies := fakeChat(t)
	c, err := NewChat(ChatConfig{BaseURL: srv.URL + "/v1", APIKey: "k", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	req := rag.ChatRequest{Messages: []rag.ChatMessage{{Role: "user", Content: "hi"}}, MaxTokens: 123}
	ctx := context.Background()
	reply, err := c.Complete(ctx, req)
	if err != nil || reply.Content != "ok" || reply.Usage.CompletionTokens != 1 {
		t.Fatalf("Complete = %+v, %v", reply, err)
	}
	var deltas []string
	reply, err = c.Stream(ctx, req, func(d string) error { deltas = append(deltas, d); return nil })
	if err != nil || reply.Content != "ok" || strings.Join(deltas, "|") != "o|k" || reply.Usage.PromptTokens != 5 {
		t.Fatalf("Stream = %+v, %q, %v", reply, deltas, err)
	}
	got := bodies()
	if len(got) != 2 {
		t.Fatalf("%d requests, want 2", len(got))
	}
	for i, b := range got {
		if b["max_completion_tokens"] != float64(123) {
			t.Errorf("request %d: max_completion_tokens = %v, want 123", i, b["max_completion_tokens"])
		}
		if _, ok := b["max_tokens"]; ok {
			t.Errorf("request %d sends the deprecated max_tokens", i)
		}
		if b["model"] != "m" {
			t.Errorf("request %d: model = %v", i, b["model"])
		}
	}
}
