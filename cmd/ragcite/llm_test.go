package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// chatServer is an OpenAI-compatible chat endpoint that answers with the
// first sentence of the passage holding "$10 billion", cited.
func chatServer(t *testing.T, calls *atomic.Int32) *httptest.Server {
	passage := regexp.MustCompile(`(?s)<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>`)
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Messages []struct{ Role, Content string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, "bad request", 400)
			return
		}
		answer := "The documents do not cover this question."
		for _, m := range passage.FindAllStringSubmatch(req.Messages[len(req.Messages)-1].Content, -1) {
			if i := strings.Index(m[2], "at least $10 billion in OpenAI"); i >= 0 {
				answer = fmt.Sprintf("Amazon is in talks to invest at least $10 billion in OpenAI [%s].", m[1])
				break
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": "m",
			"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": answer}, "finish_reason": "stop"}},
			"usage":   map[string]int{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
	}))
}

// TestCLIEvalLLMRecordReplay records an LLM-backed suite once, then replays
// it with the endpoint gone and no key.
func TestCLIEvalLLMRecordReplay(t *testing.T) {
	var calls atomic.Int32
	srv := chatServer(t, &calls)
	dir := t.TempDir()
	articles, _ := filepath.Abs("../../testdata/articles")
	suite := filepath.Join(dir, "llm.yaml")
	os.WriteFile(suite, []byte("name: llm\ndocuments: ["+articles+"]\ndefaults: {mode: llm}\ncases:\n"+
		"  - id: investment\n    question: How much is Amazon reportedly considering investing in OpenAI?\n"+
		"    expect: {facts: [[\"$10 billion\"]], cite: [000_bc28017ad2dcc5a8, 001_8052e21e807529c1]}\n"+
		"gates: {min_pass_rate: 1}\n"), 0o644)
	cache := filepath.Join(dir, "llm-cache")
	report := filepath.Join(dir, "first.json")

	t.Setenv("OPENAI_BASE_URL", srv.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", "test-key")
	out, _, err := runCLI(t, "eval", "--suite", suite, "--llm-cache", cache, "--json", report)
	if err != nil {
		t.Fatalf("recording run: %v\n%s", err, out)
	}
	recorded := calls.Load()
	if recorded == 0 {
		t.Fatal("the recording run made no LLM request")
	}
	srv.Close()
	t.Setenv("OPENAI_API_KEY", "")
	out, _, err = runCLI(t, "eval", "--suite", suite, "--llm-cache", cache, "--replay-only", "--baseline", report, "--max-regression", "0")
	if err != nil {
		t.Fatalf("replay run: %v\n%s", err, out)
	}
	if calls.Load() != recorded {
		t.Errorf("replay reached the server")
	}
	// A question that was never recorded fails clearly in replay-only mode.
	os.WriteFile(suite, []byte("name: llm\ndocuments: ["+articles+"]\ndefaults: {mode: llm}\ncases:\n"+
		"  - id: other\n    question: Who is the CEO of OpenAI?\n    expect: {facts: [[Altman]]}\n"+
		"gates: {min_pass_rate: 1}\n"), 0o644)
	out, _, err = runCLI(t, "eval", "--suite", suite, "--llm-cache", cache, "--replay-only")
	var stderr bytes.Buffer
	if exitCodeTo(err, &stderr) != 1 || !strings.Contains(out, "not recorded") {
		t.Errorf("unrecorded request: err %v, output:\n%s", err, out)
	}
}
