// Package rag owns the retrieval-augmented pipeline: loading documents,
// chunking them with byte offsets, storing chunks and vectors, hybrid
// retrieval (dense + BM25 fused with reciprocal rank fusion), extractive and
// LLM answers, summaries, citation checks and conflict detection.
//
// Every answer and summary it returns obeys one invariant: each citation's
// Quote is byte-for-byte the document text at [Start,End), every [n] marker
// refers to an existing citation and every citation is referred to.
//
// It does not own embedding (package embed), prompt text (package prompts),
// HTTP (package server) or evaluation (package eval).
package rag
