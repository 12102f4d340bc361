package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/sashabaranov/go-openai"

	"github.com/ragcite/ragcite/rag"
)

const (
	abstainQuestion = "What is the boiling point of mercury?"
	microsoftFollow = "and how much did Microsoft invest?"
)

// newChatClient starts a live server over cfg and returns a go-openai
// client pointed at it, with key as its API key.
func newChatClient(t *testing.T, cfg Config, key string) (*openai.Client, *httptest.Server) {
	t.Helper()
	ts := httptest.NewServer(newTestServer(t, cfg).Handler())
	t.Cleanup(ts.Close)
	oc := openai.DefaultConfig(key)
	oc.BaseURL = ts.URL + "/v1"
	return openai.NewClientWithConfig(oc), ts
}

// askDirect answers q through POST /v1/ask on the same server.
func askDirect(t *testing.T, url, q string) rag.Answer {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"question": q})
	res, err := http.Post(url+"/v1/ask", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var ans rag.Answer
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("ask: %d %s", res.StatusCode, b)
	}
	if err := json.NewDecoder(res.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	return ans
}

func user(s string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: s}
}

func assistant(s string) openai.ChatCompletionMessage {
	return openai.ChatCompletionMessage{Role: openai.ChatMessageRoleAssistant, Content: s}
}

// streamContent reads a go-openai stream to its end and returns the
// concatenated content and the last finish reason.
func streamContent(t *testing.T, c *openai.Client, req openai.ChatCompletionRequest) (string, openai.FinishReason) {
	t.Helper()
	st, err := c.CreateChatCompletionStream(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var b strings.Builder
	var finish openai.FinishReason
	for {
		r, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), finish
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range r.Choices {
			b.WriteString(ch.Delta.Content)
			if ch.FinishReason != "" {
				finish = ch.FinishReason
			}
		}
	}
}

// TestChatOpenAIClient runs the go-openai client against the chat route,
// plain and streaming, and checks the content against /v1/ask.
func TestChatOpenAIClient(t *testing.T) {
	client, ts := newChatClient(t, Config{}, "")
	tests := []struct {
		name     string
		messages []openai.ChatCompletionMessage
		question string // the standalone question answered
		want     []string
		not      []string
	}{
		{"conflict", []openai.ChatCompletionMessage{user(amazonQuestion)}, amazonQuestion,
			[]string{"$10 billion", "$50 billion", "[1]", "[2]", "\n\nSources:\n- [1] "}, nil},
		{"follow-up needs the previous turn", []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: "You answer from the documents."},
			user(amazonQuestion), assistant("Amazon is reportedly ... [1]"), user(microsoftFollow)},
			"how much did Microsoft invest in OpenAI?", []string{"Microsoft has invested more than $13 billion in OpenAI", "Sources:"}, nil},
		{"abstention", []openai.ChatCompletionMessage{user(abstainQuestion)}, abstainQuestion,
			[]string{"do not cover"}, []string{"[1]", "Sources:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			direct := askDirect(t, ts.URL, tc.question)
			req := openai.ChatCompletionRequest{Model: DefaultChatModel, Messages: tc.messages}
			res, err := client.CreateChatCompletion(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Choices) != 1 || res.Object != "chat.completion" || res.Model != DefaultChatModel {
				t.Fatalf("reply shape: %+v", res)
			}
			msg := res.Choices[0].Message
			if msg.Role != openai.ChatMessageRoleAssistant || res.Choices[0].FinishReason != openai.FinishReasonStop {
				t.Errorf("role %q finish %q", msg.Role, res.Choices[0].FinishReason)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg.Content, w) {
					t.Errorf("content lacks %q:\n%s", w, msg.Content)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(msg.Content, w) {
					t.Errorf("content has %q:\n%s", w, msg.Content)
				}
			}
			if !strings.HasPrefix(msg.Content, direct.Answer) {
				t.Errorf("chat content does not start with the /v1/ask answer to %q:\nchat %q\nask  %q", tc.question, msg.Content, direct.Answer)
			}
			req.Stream = true
			streamed, finish := streamContent(t, client, req)
			if streamed != msg.Content || finish != openai.FinishReasonStop {
				t.Errorf("streamed content (finish %q) differs from plain:\nstream %q\nplain  %q", finish, streamed, msg.Content)
			}
		})
	}
}

// chatRaw posts a raw chat request and decodes the reply.
func chatRaw(t *testing.T, url, body string) (int, map[string]json.RawMessage) {
	t.Helper()
	res, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var v map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, v
}

// TestChatExtensions checks the citations and ragcite fields and the
// switchable Sources block.
func TestChatExtensions(t *testing.T) {
	_, on := newChatClient(t, Config{}, "")
	_, off := newChatClient(t, Config{NoChatSources: true}, "")
	msgs := `"messages":[{"role":"user","content":[{"type":"text","text":"` + amazonQuestion + `"}]}]`
	tests := []struct {
		name, url, extra string
		wantSources      bool
	}{
		{"server default on", on.URL, "", true},
		{"request turns it off", on.URL, `,"ragcite":{"sources":false}`, false},
		{"server flag off", off.URL, "", false},
		{"request turns it on", off.URL, `,"ragcite":{"sources":true}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, v := chatRaw(t, tc.url, `{"model":"ragcite","temperature":0.2,`+msgs+tc.extra+`}`)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, v["error"])
			}
			var reply struct {
				Choices   []struct{ Message struct{ Content string } }
				Citations []rag.Citation
				Ragcite   chatMeta
			}
			b, _ := json.Marshal(v)
			if err := json.Unmarshal(b, &reply); err != nil {
				t.Fatal(err)
			}
			content := reply.Choices[0].Message.Content
			if got := strings.Contains(content, "\n\nSources:\n"); got != tc.wantSources {
				t.Errorf("Sources block present %v, want %v:\n%s", got, tc.wantSources, content)
			}
			if len(reply.Citations) < 2 || reply.Ragcite.Answer == nil || len(reply.Ragcite.Answer.Conflicts) == 0 {
				t.Fatalf("citations %d, ragcite %+v", len(reply.Citations), reply.Ragcite)
			}
			if reply.Ragcite.Question != amazonQuestion || !strings.HasPrefix(content, reply.Ragcite.Answer.Answer) {
				t.Errorf("ragcite question %q, answer %q", reply.Ragcite.Question, reply.Ragcite.Answer.Answer)
			}
			for _, c := range reply.Citations {
				if tc.wantSources && !strings.Contains(content, "- ["+itoa(c.N)+"] "+c.Title) {
					t.Errorf("Sources block lacks citation %d %q", c.N, c.Title)
				}
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestChatStreamWire reads the raw SSE stream: chunks, the role first, the
// final chunk with citations, the usage chunk, then [DONE].
func TestChatStreamWire(t *testing.T) {
	_, ts := newChatClient(t, Config{}, "")
	body := `{"model":"ragcite","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"` + amazonQuestion + `"}]}`
	res, err := http.Post(ts.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	var lines []string
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			if !strings.HasPrefix(l, "data: ") {
				t.Fatalf("line %q is not a data line", l)
			}
			lines = append(lines, strings.TrimPrefix(l, "data: "))
		}
	}
	if len(lines) < 4 || lines[len(lines)-1] != "[DONE]" {
		t.Fatalf("stream does not end in [DONE]: %q", lines)
	}
	var chunks []chatChunk
	for _, l := range lines[:len(lines)-1] {
		var ch chatChunk
		if err := json.Unmarshal([]byte(l), &ch); err != nil {
			t.Fatalf("chunk %q: %v", l, err)
		}
		if ch.Object != "chat.completion.chunk" || ch.ID != chunks0ID(chunks, ch.ID) {
			t.Errorf("chunk object %q id %q", ch.Object, ch.ID)
		}
		chunks = append(chunks, ch)
	}
	if chunks[0].Choices[0].Delta.Role != "assistant" {
		t.Errorf("first chunk has no role: %+v", chunks[0])
	}
	final, usage := chunks[len(chunks)-2], chunks[len(chunks)-1]
	if fr := final.Choices[0].FinishReason; fr == nil || *fr != "stop" || final.Citations == nil || len(*final.Citations) == 0 || final.Ragcite == nil {
		t.Errorf("final chunk: %+v", final)
	}
	if usage.Usage == nil || len(usage.Choices) != 0 {
		t.Errorf("usage chunk: %+v", usage)
	}
}

func chunks0ID(chunks []chatChunk, id string) string {
	if len(chunks) == 0 {
		return id
	}
	return chunks[0].ID
}

// TestChatErrors checks that mistakes get the OpenAI error shape with the
// fitting status, type, param and code.
func TestChatErrors(t *testing.T) {
	s := newTestServer(t, Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}, MaxBodyBytes: 4096})
	auth := map[string]string{"Authorization": "Bearer rk"}
	ok := `{"model":"ragcite","messages":[{"role":"user","content":"hi"}]}`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		typ, code, param         string
	}{
		{"no key", "POST", "/v1/chat/completions", ok, nil, 401, "invalid_request_error", "invalid_api_key", ""},
		{"unknown key", "GET", "/v1/models", "", map[string]string{"Authorization": "Bearer nope"}, 401, "invalid_request_error", "invalid_api_key", ""},
		{"unknown model", "POST", "/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, auth, 404, "invalid_request_error", "model_not_found", "model"},
		{"unknown model by id", "GET", "/v1/models/gpt-4o", "", auth, 404, "invalid_request_error", "model_not_found", "model"},
		{"no messages", "POST", "/v1/chat/completions", `{"model":"ragcite","messages":[]}`, auth, 400, "invalid_request_error", "invalid_argument", "messages"},
		{"no user message", "POST", "/v1/chat/completions", `{"messages":[{"role":"system","content":"be nice"}]}`, auth, 400, "invalid_request_error", "empty_question", "messages"},
		{"bad role", "POST", "/v1/chat/completions", `{"messages":[{"role":"robot","content":"hi"}]}`, auth, 400, "invalid_request_error", "invalid_argument", "messages[0].role"},
		{"bad content", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":42}]}`, auth, 400, "invalid_request_error", "invalid_argument", "messages[0].content"},
		{"n above one", "POST", "/v1/chat/completions", `{"n":2,"messages":[{"role":"user","content":"hi"}]}`, auth, 400, "invalid_request_error", "invalid_argument", "n"},
		{"bad top_k", "POST", "/v1/chat/completions", `{"ragcite":{"top_k":1000},"messages":[{"role":"user","content":"hi"}]}`, auth, 400, "invalid_request_error", "invalid_argument", ""},
		{"llm not configured", "POST", "/v1/chat/completions", `{"ragcite":{"mode":"llm"},"messages":[{"role":"user","content":"hi"}]}`, auth, 400, "invalid_request_error", "llm_not_configured", ""},
		{"misspelt ragcite option", "POST", "/v1/chat/completions", `{"ragcite":{"sourcez":false},"messages":[{"role":"user","content":"hi"}]}`, auth, 400, "invalid_request_error", "invalid_argument", "ragcite"},
		{"ragcite not an object", "POST", "/v1/chat/completions", `{"ragcite":"sources","messages":[{"role":"user","content":"hi"}]}`, auth, 400, "invalid_request_error", "invalid_argument", "ragcite"},
		{"malformed JSON", "POST", "/v1/chat/completions", `{"messages":`, auth, 400, "invalid_request_error", "invalid_json", ""},
		{"empty body", "POST", "/v1/chat/completions", ` `, auth, 400, "invalid_request_error", "invalid_json", ""},
		{"too large", "POST", "/v1/chat/completions", `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 5000) + `"}]}`, auth, 413, "invalid_request_error", "request_too_large", ""},
		{"wrong content type", "POST", "/v1/chat/completions", ok, map[string]string{"Authorization": "Bearer rk", "Content-Type": "text/plain"}, 415, "invalid_request_error", "unsupported_media_type", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := request{method: tc.method, path: tc.path, body: tc.body, header: tc.header}.do(t, s.Handler())
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			var body struct {
				Error struct {
					Message string
					Type    string
					Param   *string
					Code    string
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			e := body.Error
			param := ""
			if e.Param != nil {
				param = *e.Param
			}
			if e.Type != tc.typ || e.Code != tc.code || param != tc.param || e.Message == "" {
				t.Errorf("error %+v (param %q), want type %q code %q param %q", e, param, tc.typ, tc.code, tc.param)
			}
			if !strings.Contains(rec.Body.String(), `"param":`) {
				t.Errorf("param is missing rather than null: %s", rec.Body)
			}
		})
	}
}

// TestChatOpenAIClientErrors checks go-openai sees API errors it can read.
func TestChatOpenAIClientErrors(t *testing.T) {
	client, _ := newChatClient(t, Config{ReadKeys: []string{"rk"}}, "rk")
	models, err := client.ListModels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(models.Models) != 2 || models.Models[0].ID != DefaultChatModel || models.Models[1].ID != chatModelPrefix+rag.DefaultCollection {
		t.Errorf("models %+v", models.Models)
	}
	_, err = client.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: "gpt-4o", Messages: []openai.ChatCompletionMessage{user("hi")}})
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 404 || apiErr.Code != "model_not_found" || apiErr.Param == nil || *apiErr.Param != "model" {
		t.Errorf("error %#v", err)
	}
	bad, _ := newChatClient(t, Config{ReadKeys: []string{"rk"}}, "wrong")
	_, err = bad.CreateChatCompletionStream(context.Background(), openai.ChatCompletionRequest{Messages: []openai.ChatCompletionMessage{user("hi")}, Stream: true})
	if !errors.As(err, &apiErr) || apiErr.HTTPStatusCode != 401 {
		t.Errorf("stream with a wrong key: %#v", err)
	}
}

func TestMessageText(t *testing.T) {
	tests := []struct {
		raw, want string
		wantErr   bool
	}{
		{`"hello"`, "hello", false},
		{`null`, "", false},
		{``, "", false},
		{`[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]`, "a\nb", false},
		{`{"text":"a"}`, "", true},
		{`7`, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			got, err := messageText(json.RawMessage(tc.raw))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("messageText(%s) = %q, %v", tc.raw, got, err)
			}
		})
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"one two three four", 12, "one two\u2026"},
		{"a  b\n c", 10, "a b c"},
		{"é\u00e9\u00e9\u00e9\u00e9", 5, "éé\u2026"},
	}
	for _, tc := range tests {
		if got := shorten(tc.in, tc.n); got != tc.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestChatStreamErrorAfterFirstByte: a failure after the stream started is
// one OpenAI-shaped error line, without [DONE], and go-openai reports it.
func TestChatStreamErrorAfterFirstByte(t *testing.T) {
	s := newTestServer(t, Config{})
	s.router.POST("/broken/v1/chat/completions", withOpenAIErrors(), func(c *gin.Context) {
		s.streamAs(c, func(ctx context.Context, emit func(string) error) (any, error) {
			if err := emit("partial "); err != nil {
				return nil, err
			}
			return nil, rag.ErrLLMUnavailable
		}, &chatEvents{s: s, id: "chatcmpl-x", model: DefaultChatModel})
	})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	oc := openai.DefaultConfig("")
	oc.BaseURL = ts.URL + "/broken/v1"
	st, err := openai.NewClientWithConfig(oc).CreateChatCompletionStream(context.Background(),
		openai.ChatCompletionRequest{Messages: []openai.ChatCompletionMessage{user("hi")}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first, err := st.Recv()
	if err != nil || first.Choices[0].Delta.Content != "partial " {
		t.Fatalf("first chunk %+v, %v", first, err)
	}
	_, err = st.Recv()
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "llm_unavailable" || apiErr.Type != "server_error" {
		t.Errorf("after the failure: %#v, want the llm_unavailable API error", err)
	}
}

// FuzzChatCompletions: whatever the body, the chat route answers with a
// status that is not a server fault, and an error body in the OpenAI shape.
func FuzzChatCompletions(f *testing.F) {
	f.Add(`{"model":"ragcite","messages":[{"role":"user","content":"` + amazonQuestion + `"}]}`)
	f.Add(`{"messages":[{"role":"user","content":"What about it?"},{"role":"user","content":[{"type":"text","text":"and Microsoft?"}]}],"ragcite":{"sources":false,"top_k":3}}`)
	f.Add(`{"messages":[{"role":"user","content":null}],"n":1,"stream_options":{"include_usage":true}}`)
	f.Add(`{"messages":[{"role":"user","content":"x"}],"ragcite":{"filter":{"doc_ids":["nope"]},"mode":"extractive"}}`)
	f.Add(`[]`)
	s := newTestServer(f, Config{})
	f.Fuzz(func(t *testing.T, body string) {
		if strings.Contains(body, `"stream"`) {
			return // the recorder does not read streams; TestChatStreamWire covers them
		}
		rec := request{method: "POST", path: "/v1/chat/completions", body: body}.do(t, s.Handler())
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code >= 400 {
			var e openAIErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Type == "" || e.Error.Message == "" {
				t.Fatalf("status %d with body %s", rec.Code, rec.Body)
			}
		}
	})
}
