package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func TestCLIVerify(t *testing.T) {
	dir := t.TempDir()
	passage := filepath.Join(dir, "deal.txt")
	if err := os.WriteFile(passage, []byte("Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "verify", "--passage", passage, "Amazon is in talks to invest at least $10 billion in OpenAI. Amazon will buy Google for $900 billion.")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "verify.txt", strings.ReplaceAll(out, dir, "DIR"))

	data := t.TempDir()
	if _, _, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "verify", "--data", data, "--json", "--doc", "000_bc28017ad2dcc5a8", "--claim", "Amazon is reportedly considering an investment in OpenAI.")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"doc_id": "000_bc28017ad2dcc5a8"`) || !strings.Contains(out, `"support": "`) {
		t.Errorf("verify --doc --json printed %s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no passages", []string{"verify", "Amazon invests."}, "passages or doc_ids"},
		{"missing file", []string{"verify", "--passage", filepath.Join(dir, "none.txt"), "x"}, "none.txt"},
		{"text and claim", []string{"verify", "--passage", passage, "--claim", "a", "b"}, "not both"},
		{"bad verifier", []string{"verify", "--verifier", "oracle", "--passage", passage, "a"}, "--verifier"},
		{"bad policy", []string{"ask", "--data", data, "--policy", "lenient", "How much?"}, "--policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a usage error containing %q", err, tc.want)
			}
		})
	}
}

// TestCLIAttributionLLMRecordReplay judges claims with the llm verifier
// against a fake endpoint, recording the exchanges, then replays them with
// the endpoint gone.
func TestCLIAttributionLLMRecordReplay(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var req struct {
			Model    string
			Messages []struct{ Role, Content string }
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model != "minicheck" {
			http.Error(w, `{"error":{"message":"bad request"}}`, 400)
			return
		}
		doc, claim, _ := strings.Cut(req.Messages[len(req.Messages)-1].Content, "\nClaim: ")
		answer := "No"
		if strings.Contains(doc, strings.TrimSuffix(claim, ".")) {
			answer = "Yes"
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": req.Model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": answer}, "finish_reason": "stop"}}})
	}))
	t.Setenv("OPENAI_API_KEY", "")
	cache := filepath.Join(t.TempDir(), "llm-cache")
	args := []string{"eval", "--attribution", "../../eval/testdata/attribution-small.jsonl", "--verifier", "llm",
		"--verify-base-url", srv.URL + "/v1", "--verify-model", "minicheck", "--llm-cache", cache}
	out, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("recording run: %v\n%s", err, out)
	}
	recorded := calls.Load()
	if recorded != 4 || !strings.Contains(out, "(llm:minicheck)") {
		t.Fatalf("%d requests, want 4; output:\n%s", recorded, out)
	}
	srv.Close()
	replayed, _, err := runCLI(t, append(args, "--replay-only")...)
	if err != nil {
		t.Fatalf("replay run: %v\n%s", err, replayed)
	}
	if calls.Load() != recorded || replayed != out {
		t.Errorf("replay differs or reached the server:\n%s\nfirst:\n%s", replayed, out)
	}
}
