package rag

import "errors"

// Sentinel errors. Callers match them with errors.Is; the HTTP server maps
// each to a status code in one place.
var (
	// ErrNotFound: an unknown document or chunk id.
	ErrNotFound = errors.New("not found")
	// ErrEmptyQuestion: a question or query that is empty or only whitespace.
	ErrEmptyQuestion = errors.New("question is empty")
	// ErrInvalidArgument: a request field out of range or malformed.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrEmbedderMismatch: the store was built by another embedder or dimension.
	ErrEmbedderMismatch = errors.New("embedder mismatch")
	// ErrUnsupportedFile: a file that is binary, not UTF-8, or of an unknown kind.
	ErrUnsupportedFile = errors.New("unsupported file")
	// ErrLLMUnavailable: mode llm was asked for but no LLM is configured or it failed.
	ErrLLMUnavailable = errors.New("llm unavailable")
	// ErrClosed: the engine or store was closed.
	ErrClosed = errors.New("closed")
	// ErrDegraded: the store serves, but set aside records it could not trust.
	ErrDegraded = errors.New("degraded")
	// ErrUnavailable: the store cannot be reached for now (a database outage).
	ErrUnavailable = errors.New("store unavailable")
	// ErrIDTaken: a write to a document id held by a collection outside
	// the caller's scope.
	ErrIDTaken = errors.New("document id taken")
)
