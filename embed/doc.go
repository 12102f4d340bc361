// Package embed turns text into vectors. It owns the embedder interface, the
// offline deterministic Local embedder (the default) and the
// OpenAI-compatible embedder with batching and an on-disk cache.
//
// Embedders plug into chromem-go through Func, so chromem-go never falls back
// to its implicit OpenAI embedder. Package embed imports nothing of ragcite.
package embed
