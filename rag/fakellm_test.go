package rag_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ragcite/ragcite/rag/openai"
)

// fakeLLM is an OpenAI-compatible chat server: it speaks the real wire
// format (JSON replies, SSE chunks ending with [DONE], error bodies) and
// answers with reply(system, user).
type fakeLLM struct {
	t     *testing.T
	srv   *httptest.Server
	mu    sync.Mutex
	calls int
	// fail, when set, answers the nth call (1-based) with a status and a
	// Retry-After header; 0 means succeed.
	fail    func(n int) (status int, retryAfter string)
	reply   func(system, user string) string
	systems []string
	users   []string
}

func newFakeLLM(t *testing.T, reply func(system, user string) string) *fakeLLM {
	f := &fakeLLM{t: t, reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.handle))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) config() openai.ChatConfig {
	return openai.ChatConfig{BaseURL: f.srv.URL + "/v1", APIKey: "test-key", Model: "fake-model"}
}

func (f *fakeLLM) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeLLM) handle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer test-key" {
		f.t.Errorf("Authorization = %q", got)
	}
	if f.fail != nil {
		if status, after := f.fail(n); status != 0 {
			if after != "" {
				w.Header().Set("Retry-After", after)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":{"message":"fake failure %d","type":"server_error","code":"fake"}}`, status)
			return
		}
	}
	var req struct {
		Model    string `json:"model"`
		Stream   bool   `json:"stream"`
		Messages []struct{ Role, Content string }
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var system, user string
	for _, m := range req.Messages {
		switch m.Role {
		case "system":
			system = m.Content
		case "user":
			user = m.Content
		}
	}
	f.mu.Lock()
	f.systems = append(f.systems, system)
	f.users = append(f.users, user)
	f.mu.Unlock()
	text := f.reply(system, user)
	usage := map[string]int{"prompt_tokens": len(user) / 4, "completion_tokens": len(text) / 4, "total_tokens": (len(user) + len(text)) / 4}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"id": "c1", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": text}, "finish_reason": "stop"}},
			"usage":   usage,
		})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	for i := 0; i < len(text); i += 7 {
		piece := text[i:min(i+7, len(text))]
		b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": piece}}}})
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	b, _ := json.Marshal(map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": req.Model, "choices": []any{}, "usage": usage})
	fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
}

var passageRE = regexp.MustCompile(`(?s)<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>`)

// passageWith returns the number of the first passage in a prompt whose
// text contains s, or 0.
func passageWith(user, s string) int {
	for _, m := range passageRE.FindAllStringSubmatch(user, -1) {
		if strings.Contains(m[2], s) {
			var n int
			fmt.Sscan(m[1], &n)
			return n
		}
	}
	return 0
}
