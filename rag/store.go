package rag

import "context"

// Store persists documents, their chunks and vectors, and answers dense and
// lexical queries over the chunks. The embedded chromem-go store is the
// default; every backend passes the same behavioural tests.
type Store interface {
	// Embedder returns the embedder name and dimension the store was built
	// with; name is "" for a store that has never held a vector.
	Embedder(ctx context.Context) (name string, dim int, err error)
	// SetEmbedder records the embedder that builds the store's vectors.
	SetEmbedder(ctx context.Context, name string, dim int) error

	// Info returns a document's registry entry, or ErrNotFound.
	Info(ctx context.Context, id string) (DocumentInfo, error)
	// Document returns a document with its full text, or ErrNotFound.
	Document(ctx context.Context, id string) (Document, error)
	// Chunks returns a document's chunks in order, or ErrNotFound.
	Chunks(ctx context.Context, docID string) ([]Chunk, error)
	// Documents lists every document, ordered by id.
	Documents(ctx context.Context) ([]DocumentInfo, error)
	// ListDocuments lists up to limit documents whose ids sort after after
	// ("" starts at the first), ordered by id: one page of Documents.
	ListDocuments(ctx context.Context, after string, limit int) ([]DocumentInfo, error)
	// Put stores docs with their chunks and vectors, each replacing any
	// earlier version of it, all or nothing: when Put returns nil every one
	// is durable; on error none was applied, and a crash leaves the store as
	// before the call or after it, never a mix.
	Put(ctx context.Context, docs ...StoredDocument) error
	// Delete removes a document and every chunk and vector of it, or returns
	// ErrNotFound.
	Delete(ctx context.Context, id string) error

	// Dense returns up to k chunks nearest to vec (cosine), best first.
	Dense(ctx context.Context, vec []float32, k int, f Filter) ([]Hit, error)
	// Lexical returns up to k chunks ranked by full-text relevance to query.
	Lexical(ctx context.Context, query string, k int, f Filter) ([]Hit, error)
	// IDF returns the inverse document frequency of an analysed term over
	// the stored chunks (see text.Terms).
	IDF(ctx context.Context, terms []string) (map[string]float64, error)

	// Close flushes and releases the store.
	Close() error
}

// StoredDocument is everything Put writes for one document.
type StoredDocument struct {
	Document
	Hash    string
	Chunks  []Chunk
	Vectors [][]float32
}

// Hit is a retrieved chunk with its score under one retriever.
type Hit struct {
	Chunk Chunk
	Score float64
	// denseRank and lexRank are 1 + the chunk's rank in the dense and BM25
	// lists that were fused into it, 0 when it was absent from one.
	denseRank, lexRank int
}

// Flusher is a Store that batches durability: after Flush returns, every
// write before it survives a crash. Engine.Ingest flushes once per batch.
type Flusher interface {
	Flush() error
}

// BatchStore is a Store that can also take a batch document by document:
// each document's record is written as it is ready and its vectors as they
// are computed, so neither a batch nor one large document is ever in
// memory whole. A store that keeps an in-memory index answers
// BeginBatch with an error wrapping errors.ErrUnsupported, and
// Engine.Ingest then uses Put.
type BatchStore interface {
	Store
	// BeginBatch starts a batch; it must end with Commit or Abort.
	BeginBatch(ctx context.Context) (Batch, error)
}

// Batch is a write in progress, applied all or nothing like Put.
type Batch interface {
	// Add writes one document: sd.Vectors are its first vectors (possibly
	// none) and more, when not nil, is called for the next ones, in chunk
	// order, until every chunk has one. It is safe for concurrent use; an
	// error leaves the batch good only for Abort.
	Add(ctx context.Context, sd StoredDocument, more func() ([][]float32, error)) error
	// Commit makes every added document durable (when it returns nil) and
	// visible; on error nothing of the batch was applied.
	Commit(ctx context.Context) error
	// Abort drops the batch: nothing of it is applied. It is a no-op after
	// Commit.
	Abort()
}
