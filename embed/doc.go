// Package embed turns text into vectors. It owns the embedder interface and
// the offline deterministic Local embedder (the default); the
// OpenAI-compatible embedder is in package rag/openai, beside the chat client
// that shares its HTTP retry layer.
//
// Embedders plug into chromem-go through Func, so chromem-go never falls back
// to its implicit OpenAI embedder. Package embed imports only package
// internal/text of ragcite.
package embed
