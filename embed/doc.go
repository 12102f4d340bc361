// Package embed turns text into vectors. It owns the embedder interface and
// the offline deterministic Local embedder (the default); the
// OpenAI-compatible embedder is in package rag/openai, beside the chat client
// that shares its HTTP retry layer.
//
// Package embed imports only packages internal/text and internal/wordvec
// of ragcite.
package embed
