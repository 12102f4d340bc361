// Package openai talks to OpenAI-compatible endpoints through go-openai: Chat
// implements rag.Chat (completions and streams) and Embedder implements
// embed.Embedder (batched, bounded concurrency, cached on disk). Both send
// through RetryTransport, which retries 429, 5xx and network errors with
// backoff and honours Retry-After.
package openai
