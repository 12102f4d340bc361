// Package pgstore is the PostgreSQL + pgvector implementation of rag.Store,
// so several stateless ragcite servers can share one corpus: documents and
// chunks in tables, vectors in a pgvector column with an HNSW index (cosine),
// lexical retrieval with Postgres full-text search over the same analysed
// terms the embedded store indexes, and each document written in one
// transaction. The schema is created and migrated on open (versioned,
// idempotent, serialised by an advisory lock).
package pgstore
