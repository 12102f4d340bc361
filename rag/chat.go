package rag

import "context"

// ChatMessage is one message of a chat completion request.
type ChatMessage struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// ChatRequest is a chat completion request.
type ChatRequest struct {
	Messages    []ChatMessage
	MaxTokens   int
	Temperature float32
	// TopLogprobs asks for the log probabilities of the likeliest first
	// tokens of the reply (at most 5); 0 asks for none.
	TopLogprobs int
}

// ChatReply is a finished chat completion.
type ChatReply struct {
	Content string
	Usage   Usage
	// FirstTokens are the likeliest first tokens of the reply with their log
	// probabilities, when the request asked for them and the server gave them.
	FirstTokens []TokenLogprob
}

// TokenLogprob is a token and its log probability.
type TokenLogprob struct {
	Token   string
	Logprob float64
}

// Chat is the LLM the engine needs: a plain and a streaming chat completion.
// The go-openai implementation lives beside it; tests use a fake server.
type Chat interface {
	Complete(ctx context.Context, req ChatRequest) (ChatReply, error)
	// Stream calls onDelta with each piece of text as it arrives and returns
	// the whole reply. An error from onDelta stops the stream.
	Stream(ctx context.Context, req ChatRequest, onDelta func(string) error) (ChatReply, error)
}
