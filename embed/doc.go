// Package embed turns text into vectors. It owns the embedder interface and
// the offline deterministic Local embedder (the default); the
// OpenAI-compatible embedder is in package rag/openai, beside the chat client
// that shares its HTTP retry layer.
//
// Package embed imports only package internal/text of ragcite.
package embed
