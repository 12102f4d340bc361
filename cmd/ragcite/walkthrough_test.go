package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestWalkthroughOllama runs the README's Ollama step with the same
// environment against a fake OpenAI-compatible server standing in for
// Ollama (there is none on the machines that run the tests): the model
// named by RAGCITE_LLM_MODEL and the placeholder key reach the endpoint,
// and the answer is the model's, cited.
func TestWalkthroughOllama(t *testing.T) {
	var calls atomic.Int32
	chat := chatServer(t, &calls)
	defer chat.Close()
	var mu sync.Mutex
	var models, auths []string
	ollama := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct{ Model string }
		json.Unmarshal(body, &req)
		mu.Lock()
		models, auths = append(models, req.Model), append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		proxied, _ := http.NewRequest(r.Method, chat.URL+r.URL.Path, bytes.NewReader(body))
		proxied.Header = r.Header.Clone()
		res, err := http.DefaultClient.Do(proxied)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
		w.WriteHeader(res.StatusCode)
		io.Copy(w, res.Body)
	}))
	defer ollama.Close()

	t.Setenv("RAGCITE_EMBEDDER", "")
	t.Setenv("OPENAI_BASE_URL", ollama.URL+"/v1")
	t.Setenv("OPENAI_API_KEY", "ollama")
	t.Setenv("RAGCITE_LLM_MODEL", "llama3.2")
	data := t.TempDir()
	if _, _, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runCLI(t, "ask", "--data", data, "--mode", "llm", "How much is Amazon reportedly considering investing in OpenAI?")
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, stderr)
	}
	if !strings.HasPrefix(out, "Amazon is in talks to invest at least $10 billion in OpenAI. [1]") || !strings.Contains(out, "Sources:\n[1]") {
		t.Errorf("the answer is not the model's, cited:\n%s", out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(models) == 0 || models[0] != "llama3.2" || auths[0] != "Bearer ollama" {
		t.Errorf("the endpoint saw models %v and keys %v, want llama3.2 and Bearer ollama", models, auths)
	}
}
