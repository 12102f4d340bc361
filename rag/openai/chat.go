package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sashabaranov/go-openai"

	"github.com/ragcite/ragcite/rag"
)

// ChatConfig configures the chat client for any OpenAI-compatible
// endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp server, LM Studio).
type ChatConfig struct {
	BaseURL string // "" means https://api.openai.com/v1
	APIKey  string
	Model   string // default gpt-4o-mini
	// HTTPClient sends requests (under the retry layer); nil means the default transport.
	HTTPClient *http.Client
	// Timeout bounds one completion, retries included; 0 means 60 s.
	Timeout time.Duration
	// MaxRetries on 429 and 5xx; 0 means 3, negative means none.
	MaxRetries  int
	Temperature float32
}

// DefaultChatModel is the model used when none is configured.
const DefaultChatModel = "gpt-4o-mini"

// Chat is the Chat implementation over go-openai.
type Chat struct {
	client  *openai.Client
	key     string // redacted from error texts
	model   string
	timeout time.Duration
	temp    float32
}

var _ rag.Chat = (*Chat)(nil)

// NewChat returns a chat client; it sends nothing until asked.
func NewChat(cfg ChatConfig) (*Chat, error) {
	if cfg.BaseURL == "" && cfg.APIKey == "" {
		return nil, errors.New("openai chat: set OPENAI_BASE_URL and/or OPENAI_API_KEY")
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	var next http.RoundTripper
	if cfg.HTTPClient != nil {
		next = cfg.HTTPClient.Transport
	}
	retry := NewRetryTransport(next)
	switch {
	case cfg.MaxRetries < 0:
		retry.MaxRetries = 0
	case cfg.MaxRetries > 0:
		retry.MaxRetries = cfg.MaxRetries
	}
	oc.HTTPClient = &http.Client{Transport: retry}
	c := &Chat{client: openai.NewClientWithConfig(oc), key: cfg.APIKey, model: cfg.Model, timeout: cfg.Timeout, temp: cfg.Temperature}
	if c.model == "" {
		c.model = DefaultChatModel
	}
	if c.timeout <= 0 {
		c.timeout = 60 * time.Second
	}
	return c, nil
}

func (c *Chat) request(req rag.ChatRequest, stream bool) openai.ChatCompletionRequest {
	msgs := make([]openai.ChatCompletionMessage, len(req.Messages))
	for i, m := range req.Messages {
		msgs[i] = openai.ChatCompletionMessage{Role: m.Role, Content: m.Content}
	}
	r := openai.ChatCompletionRequest{Model: c.model, Messages: msgs, MaxCompletionTokens: req.MaxTokens, Temperature: c.temp, Stream: stream}
	if req.Temperature > 0 {
		r.Temperature = req.Temperature
	}
	if stream {
		r.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	if req.TopLogprobs > 0 {
		r.LogProbs, r.TopLogProbs = true, req.TopLogprobs
	}
	return r
}

// Complete implements Chat.
func (c *Chat) Complete(ctx context.Context, req rag.ChatRequest) (rag.ChatReply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	resp, err := c.client.CreateChatCompletion(ctx, c.request(req, false))
	if err != nil {
		return rag.ChatReply{}, fmt.Errorf("chat completion: %w", withStatus(redactErr(err, c.key)))
	}
	if len(resp.Choices) == 0 {
		return rag.ChatReply{}, errors.New("chat completion: no choices in the reply")
	}
	reply := rag.ChatReply{Content: resp.Choices[0].Message.Content,
		Usage: rag.Usage{PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}}
	if lp := resp.Choices[0].LogProbs; lp != nil && len(lp.Content) > 0 {
		first := lp.Content[0]
		reply.FirstTokens = append(reply.FirstTokens, rag.TokenLogprob{Token: first.Token, Logprob: first.LogProb})
		for _, t := range first.TopLogProbs {
			if t.Token != first.Token {
				reply.FirstTokens = append(reply.FirstTokens, rag.TokenLogprob{Token: t.Token, Logprob: t.LogProb})
			}
		}
	}
	return reply, nil
}

// Stream implements Chat.
func (c *Chat) Stream(ctx context.Context, req rag.ChatRequest, onDelta func(string) error) (rag.ChatReply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	stream, err := c.client.CreateChatCompletionStream(ctx, c.request(req, true))
	if err != nil {
		return rag.ChatReply{}, fmt.Errorf("chat stream: %w", withStatus(redactErr(err, c.key)))
	}
	defer stream.Close()
	var reply rag.ChatReply
	var b strings.Builder
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rag.ChatReply{}, fmt.Errorf("chat stream: %w", redactErr(err, c.key))
		}
		if chunk.Usage != nil {
			reply.Usage = rag.Usage{PromptTokens: chunk.Usage.PromptTokens, CompletionTokens: chunk.Usage.CompletionTokens}
		}
		for _, ch := range chunk.Choices {
			if ch.Delta.Content == "" {
				continue
			}
			b.WriteString(ch.Delta.Content)
			if err := onDelta(ch.Delta.Content); err != nil {
				return rag.ChatReply{}, err
			}
		}
	}
	reply.Content = b.String()
	return reply, nil
}

// statusError carries the HTTP status of a failed LLM call, so the engine
// can give clients a short reason without the endpoint's details.
type statusError struct {
	status int
	err    error
}

func (e *statusError) Error() string   { return e.err.Error() }
func (e *statusError) Unwrap() error   { return e.err }
func (e *statusError) HTTPStatus() int { return e.status }

// withStatus attaches the HTTP status of go-openai's errors to err.
func withStatus(err error) error {
	var ae *openai.APIError
	var re *openai.RequestError
	switch {
	case errors.As(err, &ae) && ae.HTTPStatusCode > 0:
		return &statusError{ae.HTTPStatusCode, err}
	case errors.As(err, &re) && re.HTTPStatusCode > 0:
		return &statusError{re.HTTPStatusCode, err}
	}
	return err
}
