// Package pgstore is the PostgreSQL + pgvector implementation of rag.Store,
// so several stateless ragcite servers can share one corpus: documents and
// chunks in tables, vectors in a pgvector column with an HNSW index (cosine),
// lexical retrieval by the embedded store's BM25 over the same analysed
// terms, its candidates found through Postgres full-text search rarest term
// first and its statistics (chunk count, total length, document frequency
// per term) kept in tables by every write. An ingest batch is one
// transaction, its chunks written with COPY. The schema is created and
// migrated on open (versioned, idempotent, serialised by an advisory lock).
package pgstore
