// Package chromemstore is the embedded implementation of rag.Store:
// chromem-go holds the vectors and answers dense queries, an in-memory BM25
// index answers lexical ones, and each document is persisted as one
// checksummed record (registry entry, text, chunk offsets, analysed terms,
// vectors) in a log of batch files under the store's directory. An empty
// directory keeps the store in memory only.
package chromemstore
