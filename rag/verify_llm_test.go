package rag_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/openai"
)

// minicheckServer is an OpenAI-compatible chat endpoint that judges like
// a MiniCheck model: "Yes" when the document holds the claim's words
// verbatim, else "No". With logprobs it gives the first token's top log
// probabilities, as OpenAI does.
type minicheckServer struct {
	srv      *httptest.Server
	calls    atomic.Int32
	inFlight atomic.Int32
	maxSeen  atomic.Int32
	logprobs bool   // answer with logprobs when asked
	reply    string // when set, the answer whatever the claim
	mu       sync.Mutex
	bodies   []map[string]any
}

func newMinicheckServer(t *testing.T, logprobs bool) *minicheckServer {
	m := &minicheckServer{logprobs: logprobs}
	m.srv = httptest.NewServer(http.HandlerFunc(m.handle))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *minicheckServer) handle(w http.ResponseWriter, r *http.Request) {
	m.calls.Add(1)
	n := m.inFlight.Add(1)
	defer m.inFlight.Add(-1)
	for {
		seen := m.maxSeen.Load()
		if n <= seen || m.maxSeen.CompareAndSwap(seen, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond) // let concurrent requests overlap
	var body map[string]any
	if r.URL.Path != "/v1/chat/completions" || json.NewDecoder(r.Body).Decode(&body) != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	m.bodies = append(m.bodies, body)
	m.mu.Unlock()
	msgs := body["messages"].([]any)
	user := msgs[len(msgs)-1].(map[string]any)["content"].(string)
	doc, claim, _ := strings.Cut(user, "\nClaim: ")
	answer, yes := "No", -1.7
	if strings.Contains(doc, strings.TrimSuffix(claim, ".")) {
		answer, yes = "Yes", -0.2
	}
	if m.reply != "" {
		answer = m.reply
	}
	choice := map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": answer}, "finish_reason": "stop"}
	if m.logprobs && body["logprobs"] == true {
		no := math.Log(1 - math.Exp(yes) - 0.01)
		first := map[string]any{"token": answer, "logprob": yes, "top_logprobs": []map[string]any{
			{"token": "Yes", "logprob": yes}, {"token": "No", "logprob": no}, {"token": "The", "logprob": math.Log(0.01)}}}
		if answer == "No" {
			first["logprob"] = no
		}
		choice["logprobs"] = map[string]any{"content": []any{first}}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": body["model"],
		"choices": []any{choice}, "usage": map[string]int{"prompt_tokens": 50, "completion_tokens": 1, "total_tokens": 51}})
}

func (m *minicheckServer) verifier(t *testing.T, cacheDir string, concurrency int) *rag.LLMVerifier {
	t.Helper()
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: m.srv.URL + "/v1", Model: "bespoke-minicheck", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	v, err := rag.NewLLMVerifier(rag.LLMVerifierConfig{Chat: chat, Model: "bespoke-minicheck", CacheDir: cacheDir, Concurrency: concurrency})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var llmChecks = []rag.Check{
	{Claim: "Amazon is in talks to invest at least $10 billion in OpenAI.", Passages: []string{"Reports say Amazon is in talks to invest at least $10 billion in OpenAI.", "Other news."}},
	{Claim: "Amazon will buy Google.", Passages: []string{"Reports say Amazon is in talks to invest at least $10 billion in OpenAI."}},
	{Claim: "Nothing to judge against."},
}

func TestLLMVerifierLogprobsAndCache(t *testing.T) {
	m := newMinicheckServer(t, true)
	cache := t.TempDir()
	vs, err := m.verifier(t, cache, 2).Verify(context.Background(), llmChecks)
	if err != nil {
		t.Fatal(err)
	}
	wantP := math.Exp(-0.2) / (math.Exp(-0.2) + 1 - math.Exp(-0.2) - 0.01)
	if vs[0].Support != rag.Supported || math.Abs(vs[0].Score-wantP) > 1e-3 || len(vs[0].Quotes) == 0 {
		t.Errorf("supported claim: %+v, want supported at %.4f with quotes", vs[0], wantP)
	}
	if vs[1].Support != rag.Unsupported || vs[1].Score >= 0.25 || len(vs[1].Quotes) != 0 {
		t.Errorf("unsupported claim: %+v", vs[1])
	}
	if vs[2].Support != rag.Unsupported {
		t.Errorf("claim without passages: %+v", vs[2])
	}
	if got := m.calls.Load(); got != 2 {
		t.Fatalf("%d requests, want 2 (none for the claim without passages)", got)
	}
	body := m.bodies[0]
	if body["model"] != "bespoke-minicheck" || body["logprobs"] != true || body["top_logprobs"] != float64(5) {
		t.Errorf("request body %v: want the verifier model and logprobs", body)
	}
	// A second run, by a new verifier on the same cache, sends nothing.
	again, err := m.verifier(t, cache, 2).Verify(context.Background(), llmChecks)
	if err != nil {
		t.Fatal(err)
	}
	if m.calls.Load() != 2 {
		t.Errorf("the second run made %d requests; want cache hits only", m.calls.Load()-2)
	}
	for i := range vs {
		if again[i].Support != vs[i].Support || again[i].Score != vs[i].Score {
			t.Errorf("check %d: cached verdict %+v, first %+v", i, again[i], vs[i])
		}
	}
}

func TestLLMVerifierAnswerWithoutLogprobs(t *testing.T) {
	m := newMinicheckServer(t, false)
	vs, err := m.verifier(t, "", 4).Verify(context.Background(), llmChecks[:2])
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].Support != rag.Supported || vs[0].Score != 1 || vs[1].Support != rag.Unsupported || vs[1].Score != 0 {
		t.Errorf("verdicts %+v, want supported at 1 and unsupported at 0", vs)
	}
}

func TestLLMVerifierBoundsConcurrency(t *testing.T) {
	m := newMinicheckServer(t, true)
	var checks []rag.Check
	for i := 0; i < 12; i++ {
		checks = append(checks, rag.Check{Claim: strings.Repeat("x", i+1) + " claim.", Passages: []string{"passage"}})
	}
	if _, err := m.verifier(t, "", 3).Verify(context.Background(), checks); err != nil {
		t.Fatal(err)
	}
	if got := m.maxSeen.Load(); got > 3 || got < 2 {
		t.Errorf("%d requests in flight at most, want 2 or 3 with a bound of 3", got)
	}
}

func TestLLMVerifierErrors(t *testing.T) {
	m := newMinicheckServer(t, false)
	m.reply = "Perhaps."
	_, err := m.verifier(t, "", 2).Verify(context.Background(), llmChecks[:1])
	if err == nil || !strings.Contains(err.Error(), "not yes or no") {
		t.Errorf("error %v, want one saying the answer was not yes or no", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":{"message":"bad key","type":"invalid_request_error"}}`))
	}))
	defer srv.Close()
	chat, _ := openai.NewChat(openai.ChatConfig{BaseURL: srv.URL + "/v1", Model: "m"})
	v, _ := rag.NewLLMVerifier(rag.LLMVerifierConfig{Chat: chat, Model: "m"})
	if _, err := v.Verify(context.Background(), llmChecks[:2]); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("error %v, want the 401", err)
	}
	if _, err := rag.NewLLMVerifier(rag.LLMVerifierConfig{}); err == nil {
		t.Error("a verifier without a chat model was built")
	}
}

// TestLLMVerifierInEngine checks that answers are judged by the llm
// verifier when the engine has one, with a model other than the answering one.
func TestLLMVerifierInEngine(t *testing.T) {
	m := newMinicheckServer(t, true)
	eng := verifierEngine(t, newFakeLLM(t, gradedReply), m.verifier(t, "", 2))
	ans, err := eng.Ask(context.Background(), rag.AskRequest{Question: "How much will Amazon invest in OpenAI?", TopK: 3, Policy: rag.PolicyFlag})
	if err != nil {
		t.Fatal(err)
	}
	if m.calls.Load() == 0 {
		t.Fatal("the verifier model was never asked")
	}
	if len(ans.Sentences) != 3 || ans.Sentences[0].Support != rag.Supported {
		t.Errorf("sentences %+v", ans.Sentences)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.bodies {
		if b["model"] != "bespoke-minicheck" {
			t.Errorf("verifier request to model %v", b["model"])
		}
	}
}
