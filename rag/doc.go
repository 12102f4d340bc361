// Package rag owns the retrieval-augmented pipeline: the Engine and the
// domain types, chunking with byte offsets, hybrid retrieval (dense + BM25
// fused with reciprocal rank fusion), extractive and LLM answers, summaries,
// citation checks and conflict detection. It defines the Store and Chat
// interfaces; their implementations live in subpackages (chromemstore,
// pgstore, openai) and are wired in by the caller.
//
// Every answer and summary it returns obeys one invariant: each citation's
// Quote is byte-for-byte the document text at [Start,End), every [n] marker
// refers to an existing citation and every citation is referred to.
//
// It does not own loading files (package rag/load), text analysis (package
// internal/text), embedding (package embed), prompt text (package prompts),
// HTTP (package server) or evaluation (package eval).
package rag
