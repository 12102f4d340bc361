package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/sashabaranov/go-openai"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	ragopenai "github.com/ragcite/ragcite/rag/openai"
)

// moonSentence is what the fake LLM adds that no passage supports.
const moonSentence = "Amazon will also buy the Moon"

// fakeLLM is an OpenAI-compatible chat endpoint, plain and streaming, that
// answers with the passage stating "at least $10 billion in OpenAI", cited,
// plus a cited sentence no passage supports.
func fakeLLM(t *testing.T) *httptest.Server {
	t.Helper()
	passage := regexp.MustCompile(`(?s)<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req openai.ChatCompletionRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`, http.StatusBadRequest)
			return
		}
		answer := "The documents do not cover this question."
		for _, m := range passage.FindAllStringSubmatch(req.Messages[len(req.Messages)-1].Content, -1) {
			if strings.Contains(m[2], "at least $10 billion in OpenAI") {
				answer = fmt.Sprintf("Amazon is in talks to invest at least $10 billion in OpenAI [%s]. %s [%s].", m[1], moonSentence, m[1])
				break
			}
		}
		if !req.Stream {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": req.Model,
				"choices": []any{map[string]any{"index": 0, "message": map[string]string{"role": "assistant", "content": answer}, "finish_reason": "stop"}},
				"usage":   map[string]int{"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.SplitAfter(answer, " ") {
			b, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion.chunk", "model": req.Model,
				"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": word}}}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(ts.Close)
	return ts
}

// TestChatLLMMode: with an LLM configured, chat answers through the same
// engine path as /v1/ask, its verification included: the unsupported
// sentence is not in content, plain or streamed.
func TestChatLLMMode(t *testing.T) {
	llm := fakeLLM(t)
	chat, err := ragopenai.NewChat(ragopenai.ChatConfig{BaseURL: llm.URL + "/v1", APIKey: "k", Model: "fake"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: embed.DefaultLocal(), Chat: chat})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, err := eng.Ingest(ctx, sampleArticles(t), nil); err != nil {
		t.Fatal(err)
	}
	client, ts := newChatClient(t, Config{Engine: eng}, "")
	direct := askDirect(t, ts.URL, amazonQuestion)
	if direct.Mode != rag.ModeLLM || direct.Degraded {
		t.Fatalf("/v1/ask did not use the LLM: mode %s degraded %v (%s)", direct.Mode, direct.Degraded, direct.Reason)
	}
	req := openai.ChatCompletionRequest{Model: DefaultChatModel, Messages: []openai.ChatCompletionMessage{user(amazonQuestion)}}
	res, err := client.CreateChatCompletion(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	content := res.Choices[0].Message.Content
	req.Stream = true
	streamed, _ := streamContent(t, client, req)
	for name, c := range map[string]string{"plain": content, "streamed": streamed} {
		if !strings.HasPrefix(c, direct.Answer) || !strings.Contains(c, "at least $10 billion in OpenAI") || !strings.Contains(c, "[1]") {
			t.Errorf("%s content %q, want the /v1/ask answer %q first", name, c, direct.Answer)
		}
		if strings.Contains(c, "Moon") {
			t.Errorf("%s content has the unsupported sentence: %q", name, c)
		}
	}
	if len(direct.Unsupported) == 0 || !strings.Contains(strings.Join(direct.Unsupported, " "), "Moon") {
		t.Errorf("the unsupported sentence is not reported: %+v", direct.Unsupported)
	}
}
