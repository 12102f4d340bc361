package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
)

// DefaultChatModel is the model name the OpenAI-compatible routes accept
// and list; a request with no model gets it. It answers over all documents
// (for a key limited to one collection, over that collection).
const DefaultChatModel = "ragcite"

// chatModelPrefix starts the model names that select one collection:
// "ragcite/<collection>" answers within that collection only.
const chatModelPrefix = DefaultChatModel + "/"

// maxSourceQuote bounds each quote in a chat reply's "Sources" block; the
// full quote is in "citations".
const maxSourceQuote = 240

// chatRequest is the part of an OpenAI chat completion request ragcite reads.
// Other OpenAI fields (temperature, max_tokens, tools, ...) are accepted and
// ignored: answers come from the documents, not from sampling.
type chatRequest struct {
	Model         string        `json:"model"`
	Messages      []chatMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	N *int `json:"n"`
	// Ragcite holds ragcite's own options (OpenAI SDKs send it as an extra
	// body field), decoded strictly so a misspelt option is an error.
	Ragcite json.RawMessage `json:"ragcite"`
}

// chatOptions are the ragcite extensions of a chat request.
type chatOptions struct {
	// Sources appends the "Sources" block to content; nil keeps the
	// server's default.
	Sources *bool      `json:"sources"`
	TopK    int        `json:"top_k"`
	Mode    rag.Mode   `json:"mode"`
	Filter  rag.Filter `json:"filter"`
}

// chatMessage is one message; content is a string or an array of parts.
type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// chatMeta is the "ragcite" field of a reply: the standalone question that
// was answered and the whole /v1/ask reply for it.
type chatMeta struct {
	Question string      `json:"question"`
	Answer   *rag.Answer `json:"answer"`
}

type chatUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// chatCompletion is the non-streaming reply ("chat.completion").
type chatCompletion struct {
	ID        string         `json:"id"`
	Object    string         `json:"object"`
	Created   int64          `json:"created"`
	Model     string         `json:"model"`
	Choices   []chatChoice   `json:"choices"`
	Usage     chatUsage      `json:"usage"`
	Citations []rag.Citation `json:"citations"`
	Ragcite   chatMeta       `json:"ragcite"`
}

type chatChoice struct {
	Index        int          `json:"index"`
	Message      replyMessage `json:"message"`
	FinishReason string       `json:"finish_reason"`
}

type replyMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// chatChunk is one streamed "chat.completion.chunk". The last chunk with a
// choice carries finish_reason, citations and ragcite.
type chatChunk struct {
	ID        string          `json:"id"`
	Object    string          `json:"object"`
	Created   int64           `json:"created"`
	Model     string          `json:"model"`
	Choices   []chunkChoice   `json:"choices"`
	Usage     *chatUsage      `json:"usage,omitempty"`
	Citations *[]rag.Citation `json:"citations,omitempty"`
	Ragcite   *chatMeta       `json:"ragcite,omitempty"`
}

type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	FinishReason *string    `json:"finish_reason"`
}

type chunkDelta struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

// chatModel is one entry of GET /v1/models.
type chatModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// chatModels lists the models the request's key may use: DefaultChatModel
// (unless the key is limited to several collections, which it would not
// choose between) and "ragcite/<collection>" for every collection that
// holds documents and the key may use.
func (s *Server) chatModels(c *gin.Context) ([]chatModel, error) {
	colls, err := s.eng.Collections(c.Request.Context())
	if err != nil {
		return nil, err
	}
	model := func(id string) chatModel {
		return chatModel{ID: id, Object: "model", Created: s.started.Unix(), OwnedBy: "ragcite"}
	}
	var out []chatModel
	if allowed := limitsOf(c); allowed == nil || len(allowed) == 1 {
		out = append(out, model(DefaultChatModel))
	}
	for _, cl := range colls {
		if mayUse(c, cl.Name) {
			out = append(out, model(chatModelPrefix+cl.Name))
		}
	}
	return out, nil
}

func (s *Server) listModels(c *gin.Context) {
	models, err := s.chatModels(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"object": "list", "data": models})
}

// getModel answers GET /v1/models/{model}; the route is a catch-all since
// collection models hold a slash ("ragcite/docs").
func (s *Server) getModel(c *gin.Context) {
	id := strings.TrimPrefix(c.Param("model"), "/")
	if _, err := s.chatCollection(c, id); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, chatModel{ID: id, Object: "model", Created: s.started.Unix(), OwnedBy: "ragcite"})
}

// chatCollection resolves a chat model to the collection it asks within
// ("" = all documents). "" and DefaultChatModel are the default;
// "ragcite/<collection>" is that collection, which must hold documents
// (404 model_not_found otherwise) and be one the key may use (403).
func (s *Server) chatCollection(c *gin.Context, model string) (string, error) {
	if model == "" || model == DefaultChatModel {
		coll, err := resolveCollection(c, "")
		if err != nil {
			return "", newParamError(http.StatusForbidden, "forbidden", "model",
				"this API key is limited to the collections %s: use the model %s<collection>", strings.Join(limitsOf(c), ", "), chatModelPrefix)
		}
		return coll, nil
	}
	name, ok := strings.CutPrefix(model, chatModelPrefix)
	if !ok || rag.ValidateCollection(name) != nil {
		return "", modelNotFound(model)
	}
	if !mayUse(c, name) {
		return "", newParamError(http.StatusForbidden, "forbidden", "model", "this API key may not use collection %q (model %q)", name, model)
	}
	colls, err := s.eng.Collections(c.Request.Context())
	if err != nil {
		return "", err
	}
	for _, cl := range colls {
		if cl.Name == name {
			return name, nil
		}
	}
	return "", modelNotFound(model)
}

func modelNotFound(model string) error {
	return newParamError(http.StatusNotFound, "model_not_found", "model",
		"the model %q does not exist: GET /v1/models lists the accepted models", model)
}

// chatCompletions answers the last user message of an OpenAI chat request,
// resolved against the earlier user turns, through the same engine call as
// /v1/ask.
func (s *Server) chatCompletions(c *gin.Context) {
	var req chatRequest
	if err := bindLenientJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	ask, err := s.chatQuestion(req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ask.Collection, err = s.chatCollection(c, req.Model); err != nil {
		s.fail(c, err)
		return
	}
	model := req.Model
	if model == "" {
		model = DefaultChatModel
	}
	sources := s.chatSources
	if ask.sources != nil {
		sources = *ask.sources
	}
	run := func(ctx context.Context, emit func(string) error) (any, error) {
		ans, err := s.eng.AskStream(ctx, ask.AskRequest, emit)
		if err != nil {
			return nil, s.llmErr(err)
		}
		s.metrics.answered(ans)
		return &chatMeta{Question: ask.Question, Answer: ans}, nil
	}
	id, created := "chatcmpl-"+randomHex(12), time.Now().Unix()
	if req.Stream {
		includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		s.streamAs(c, run, &chatEvents{s: s, id: id, created: created, model: model, sources: sources, usage: includeUsage})
		return
	}
	v, err := run(c.Request.Context(), nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	meta := v.(*chatMeta)
	if meta.Answer.Citations == nil {
		meta.Answer.Citations = []rag.Citation{}
	}
	c.JSON(http.StatusOK, chatCompletion{
		ID: id, Object: "chat.completion", Created: created, Model: model,
		Choices: []chatChoice{{Message: replyMessage{Role: "assistant", Content: meta.Answer.Answer + sourcesBlock(meta.Answer.Citations, sources)},
			FinishReason: "stop"}},
		Usage: usageOf(meta.Answer), Citations: meta.Answer.Citations, Ragcite: *meta,
	})
}

// chatAsk is the ask request a chat request stands for, with its Sources
// switch (nil: the server's default).
type chatAsk struct {
	rag.AskRequest
	sources *bool
}

// chatQuestion validates a chat request and turns it into the ask request
// it stands for; the model's collection is resolved by chatCollection.
func (s *Server) chatQuestion(req chatRequest) (chatAsk, error) {
	if req.N != nil && *req.N != 1 {
		return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", "n", "n %d: only one choice is supported", *req.N)
	}
	var o chatOptions
	if raw := bytes.TrimSpace(req.Ragcite); len(raw) > 0 && string(raw) != "null" {
		if raw[0] != '{' {
			return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", "ragcite", "ragcite: want an object of options")
		}
		if err := decodeStrict(raw, &o); err != nil {
			return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", "ragcite", "ragcite: %v", err)
		}
	}
	if len(req.Messages) == 0 {
		return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", "messages", "messages is empty: want at least one user message")
	}
	var turns []string
	for i, m := range req.Messages {
		text, err := messageText(m.Content)
		if err != nil {
			return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", fmt.Sprintf("messages[%d].content", i), "messages[%d].content: %v", i, err)
		}
		switch m.Role {
		case "user":
			turns = append(turns, text)
		case "system", "developer", "assistant", "tool", "function":
		default:
			return chatAsk{}, newParamError(http.StatusBadRequest, "invalid_argument", fmt.Sprintf("messages[%d].role", i),
				"messages[%d].role %q: want system, developer, user, assistant or tool", i, m.Role)
		}
	}
	if len(turns) == 0 || strings.TrimSpace(turns[len(turns)-1]) == "" {
		return chatAsk{}, newParamError(http.StatusBadRequest, "empty_question", "messages", "no question: the last user message is missing or empty")
	}
	ask := rag.AskRequest{Question: standaloneQuestion(turns), TopK: o.TopK, Filter: o.Filter, Mode: o.Mode}
	return chatAsk{AskRequest: ask, sources: o.Sources}, nil
}

// messageText returns a message's text: a string, or the text parts of an
// array of content parts joined by newlines (other parts, such as images,
// are skipped). A null content (an assistant's tool call) is empty.
func messageText(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", errors.New("want a string or an array of content parts")
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), nil
}

// sourcesBlock is the "Sources" list appended to a reply's content for
// clients that show only content: one line per citation, its marker, title,
// source and (shortened) quote. It is empty when off or nothing is cited.
func sourcesBlock(cits []rag.Citation, on bool) string {
	if !on || len(cits) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n\nSources:\n")
	for _, c := range cits {
		fmt.Fprintf(&b, "- [%d] %s", c.N, c.Title)
		if c.Source != "" {
			fmt.Fprintf(&b, " (%s)", c.Source)
		}
		fmt.Fprintf(&b, ": \u201c%s\u201d\n", shorten(c.Quote, maxSourceQuote))
	}
	return b.String()
}

// shorten cuts s to at most n bytes at a word boundary, adding an ellipsis.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > n/2 {
		cut = i
	}
	return strings.TrimRight(s[:cut], " ,;:") + "\u2026"
}

func usageOf(ans *rag.Answer) chatUsage {
	u := ans.Usage
	return chatUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.PromptTokens + u.CompletionTokens}
}

// chatEvents writes a stream in the OpenAI format: "data: {chunk}" lines,
// the role on the first chunk, the Sources block as a last content chunk,
// a final chunk with finish_reason, citations and ragcite, a usage chunk
// when asked for, then "data: [DONE]". An error after the first byte is a
// "data: {"error":{...}}" line, without [DONE].
type chatEvents struct {
	s       *Server
	id      string
	created int64
	model   string
	sources bool
	usage   bool
	roleOut bool
}

func (f *chatEvents) chunk(choices ...chunkChoice) chatChunk {
	if choices == nil {
		choices = []chunkChoice{}
	}
	return chatChunk{ID: f.id, Object: "chat.completion.chunk", Created: f.created, Model: f.model, Choices: choices}
}

func (f *chatEvents) content(text string) chatChunk {
	d := chunkDelta{Content: text}
	if !f.roleOut {
		d.Role, f.roleOut = "assistant", true
	}
	return f.chunk(chunkChoice{Delta: d})
}

func (f *chatEvents) delta(c *gin.Context, text string) error {
	return writeData(c.Writer, f.content(text))
}

func (f *chatEvents) done(c *gin.Context, reply any) error {
	meta := reply.(*chatMeta)
	if block := sourcesBlock(meta.Answer.Citations, f.sources); block != "" || !f.roleOut {
		if err := writeData(c.Writer, f.content(block)); err != nil {
			return err
		}
	}
	stop := "stop"
	last := f.chunk(chunkChoice{FinishReason: &stop})
	cits := meta.Answer.Citations
	if cits == nil {
		cits = []rag.Citation{}
	}
	last.Citations, last.Ragcite = &cits, meta
	if err := writeData(c.Writer, last); err != nil {
		return err
	}
	if f.usage {
		u := f.chunk()
		usage := usageOf(meta.Answer)
		u.Usage = &usage
		if err := writeData(c.Writer, u); err != nil {
			return err
		}
	}
	_, err := io.WriteString(c.Writer, "data: [DONE]\n\n")
	return err
}

func (f *chatEvents) fail(c *gin.Context, err error) error {
	status, body := f.s.errorReply(c, err)
	return writeData(c.Writer, openAIErrorOf(err, status, body))
}

// writeData writes one unnamed SSE event whose data is v as one JSON line.
func writeData(w io.Writer, v any) error {
	var buf bytes.Buffer
	buf.WriteString("data: ")
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// bindLenientJSON decodes the request body into v like bindJSON, except
// that unknown fields are ignored: OpenAI clients send many fields ragcite
// has no use for.
func bindLenientJSON(c *gin.Context, v any) error {
	if err := requireContentType(c.Request, "application/json"); err != nil {
		return err
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		return newAPIError(http.StatusBadRequest, "invalid_body", "read request body: %v", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return newAPIError(http.StatusBadRequest, "invalid_json", "request body is empty: want a JSON object")
	}
	if !utf8.Valid(data) {
		return newAPIError(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	if err := json.Unmarshal(data, v); err != nil {
		return jsonError(err)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
