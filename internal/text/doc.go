// Package text is the text analysis shared by retrieval and the local
// embedder: word iteration, lexical terms (lowercased, stop words dropped,
// stemmed), and sentence splitting with byte offsets.
//
// It is a leaf: it imports nothing of ragcite, so package embed and package
// rag can both depend on it.
package text
