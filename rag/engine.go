package rag

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/ragcite/ragcite/embed"
)

// Config wires an Engine. Store and Embedder are required; a nil Chunker
// gets the defaults; a nil Chat keeps the engine offline (extractive).
type Config struct {
	Store    Store
	Embedder embed.Embedder
	Chunker  *Chunker
	Chat     Chat
	// Verifier judges generated sentences; nil means the fitted lexical verifier.
	Verifier Verifier
	// Policy is the default verification policy; "" means DefaultPolicy.
	Policy Policy
	// ContextTokens is the LLM context window used to fit passages; 0 means 8192.
	ContextTokens int
	// Workers bounds ingest concurrency; 0 means GOMAXPROCS.
	Workers int
	Logger  *slog.Logger
	// Ranker scores answer sentences; nil uses the built-in fitted ranker.
	Ranker *RankModel
}

// Engine is the pipeline: ingest, search, ask and summarize over one store.
// It is safe for concurrent use.
type Engine struct {
	store    Store
	embedder embed.Embedder
	chunker  *Chunker
	chat     Chat
	verifier Verifier
	policy   Policy
	ctxToks  int
	workers  int
	log      *slog.Logger
	ranker   *RankModel
	ingestMu sync.Mutex // one ingest batch at a time keeps statuses exact
}

// NewEngine checks that the store was built by cfg.Embedder (or is empty)
// and returns an engine over it.
func NewEngine(ctx context.Context, cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Embedder == nil {
		return nil, errors.New("new engine: store and embedder are required")
	}
	e := &Engine{store: cfg.Store, embedder: cfg.Embedder, chunker: cfg.Chunker, chat: cfg.Chat,
		ctxToks: cfg.ContextTokens, workers: cfg.Workers, log: cfg.Logger, verifier: cfg.Verifier, ranker: cfg.Ranker}
	if e.verifier == nil {
		e.verifier = DefaultLexicalVerifier()
	}
	policy, err := ValidatePolicy(cfg.Policy, DefaultPolicy)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	e.policy = policy
	if e.ranker == nil {
		e.ranker = defaultModel
	}
	if e.chunker == nil {
		c, err := NewChunker()
		if err != nil {
			return nil, err
		}
		e.chunker = c
	}
	if e.ctxToks <= 0 {
		e.ctxToks = 8192
	}
	if e.workers <= 0 {
		e.workers = runtime.GOMAXPROCS(0)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	name, dim, err := cfg.Store.Embedder(ctx)
	if err != nil {
		return nil, fmt.Errorf("new engine: %w", err)
	}
	want, wantDim := cfg.Embedder.Name(), cfg.Embedder.Dim()
	if wantDim == 0 {
		// A remote model of unknown size: one probe tells.
		v, err := cfg.Embedder.Embed(ctx, []string{"dimension probe"})
		if err != nil {
			return nil, fmt.Errorf("new engine: probe the embedder: %w", err)
		}
		wantDim = len(v[0])
	}
	switch {
	case name == "":
		if err := cfg.Store.SetEmbedder(ctx, want, wantDim); err != nil {
			return nil, fmt.Errorf("new engine: %w", err)
		}
	case name != want || dim != wantDim:
		return nil, &EmbedderMismatchError{Stored: name, StoredDim: dim, Want: want, WantDim: wantDim}
	}
	return e, nil
}

// EmbedderMismatchError says the store was built by another embedder.
type EmbedderMismatchError struct {
	Stored, Want       string
	StoredDim, WantDim int
}

func (e *EmbedderMismatchError) Error() string {
	return fmt.Sprintf("embedder mismatch: the store was built with %q (dimension %d) but %q (dimension %d) is configured",
		e.Stored, e.StoredDim, e.Want, e.WantDim)
}

// Unwrap makes errors.Is(err, ErrEmbedderMismatch) true.
func (e *EmbedderMismatchError) Unwrap() error { return ErrEmbedderMismatch }

// Verifier returns the verifier that judges generated sentences.
func (e *Engine) Verifier() Verifier { return e.verifier }

// Chat returns the configured LLM, or nil when the engine is offline.
func (e *Engine) Chat() Chat { return e.chat }

// Store returns the engine's store.
func (e *Engine) Store() Store { return e.store }

// Close closes the store.
func (e *Engine) Close() error { return e.store.Close() }

// Documents lists the stored documents.
func (e *Engine) Documents(ctx context.Context) ([]DocumentInfo, error) {
	docs, err := e.store.Documents(ctx)
	for i := range docs {
		docs[i].Collection, docs[i].Metadata = splitCollection(docs[i].Metadata)
	}
	return docs, err
}

// ListDocuments lists up to limit documents whose ids sort after after.
func (e *Engine) ListDocuments(ctx context.Context, after string, limit int) ([]DocumentInfo, error) {
	docs, err := e.store.ListDocuments(ctx, after, limit)
	for i := range docs {
		docs[i].Collection, docs[i].Metadata = splitCollection(docs[i].Metadata)
	}
	return docs, err
}

// Health reports the store's condition: nil when it serves everything, an
// error wrapping ErrDegraded when it serves what it could load (records set
// aside as corrupt), or one wrapping ErrUnavailable when it cannot serve.
func (e *Engine) Health(ctx context.Context) error {
	if h, ok := e.store.(interface{ Health(context.Context) error }); ok {
		return h.Health(ctx)
	}
	return nil
}

// Document returns one document with its text.
func (e *Engine) Document(ctx context.Context, id string) (Document, error) {
	d, err := e.store.Document(ctx, id)
	if err == nil {
		d.Collection, d.Metadata = splitCollection(d.Metadata)
	}
	return d, err
}

// Delete removes a document and every trace of it.
func (e *Engine) Delete(ctx context.Context, id string) error {
	return e.store.Delete(ctx, id)
}

// ValidateDocument checks a document before ingest.
func ValidateDocument(d Document) error {
	switch {
	case strings.TrimSpace(d.ID) == "":
		return fmt.Errorf("%w: document id is empty", ErrInvalidArgument)
	case len(d.ID) > 512:
		return fmt.Errorf("%w: document id is longer than 512 bytes", ErrInvalidArgument)
	case !utf8.ValidString(d.ID) || !utf8.ValidString(d.Title) || !utf8.ValidString(d.Source):
		return fmt.Errorf("%w: document %q: id, title and source must be valid UTF-8", ErrInvalidArgument, d.ID)
	case !utf8.ValidString(d.Text):
		return fmt.Errorf("%w: document %q: text is not valid UTF-8", ErrInvalidArgument, d.ID)
	case strings.TrimSpace(d.Text) == "":
		return fmt.Errorf("%w: document %q: text is empty", ErrInvalidArgument, d.ID)
	case strings.ContainsRune(d.ID, '#'):
		return fmt.Errorf("%w: document id %q: must not contain '#'", ErrInvalidArgument, d.ID)
	case HasDotSegment(d.ID):
		return fmt.Errorf("%w: document id %q: no '/'-separated part may be \".\" or \"..\"", ErrInvalidArgument, d.ID)
	}
	for k, v := range d.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return fmt.Errorf("%w: document %q: metadata must be valid UTF-8", ErrInvalidArgument, d.ID)
		}
	}
	return nil
}

// HasDotSegment reports whether a '/'-separated part of id is "." or "..":
// such an id would address another document once a URL is normalised.
func HasDotSegment(id string) bool {
	for part := range strings.SplitSeq(id, "/") {
		if part == "." || part == ".." {
			return true
		}
	}
	return false
}

// ContentHash identifies a document's content: text, title, source and metadata.
func ContentHash(d Document) string {
	h := sha256.New()
	var buf [32 << 10]byte
	write := func(s string) {
		// "len:s", as fmt.Fprintf("%d:%s") wrote it, through a small
		// buffer: a large text is never copied whole.
		h.Write(strconv.AppendInt(buf[:0], int64(len(s)), 10))
		h.Write([]byte{':'})
		for len(s) > 0 {
			n := copy(buf[:], s)
			h.Write(buf[:n])
			s = s[n:]
		}
	}
	write(d.Title)
	write(d.Source)
	write(d.Text)
	keys := make([]string, 0, len(d.Metadata))
	for k := range d.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		write(k)
		write(d.Metadata[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
