package rag

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Retrieval defaults.
const (
	DefaultTopK = 6
	MaxTopK     = 100
	// rrfK is the reciprocal rank fusion constant (Cormack et al. 2009).
	rrfK = 60
	// candidateFactor: each retriever returns this many times top_k before fusion.
	candidateFactor = 4
	minCandidates   = 20
)

// validateQuery checks a question or query and returns it trimmed.
func validateQuery(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", fmt.Errorf("%w: question is not valid UTF-8", ErrInvalidArgument)
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return "", ErrEmptyQuestion
	}
	if len(q) > 4096 {
		return "", fmt.Errorf("%w: question is longer than 4096 bytes", ErrInvalidArgument)
	}
	return q, nil
}

// validateTopK returns k, or the default for 0; out of range is an error.
func validateTopK(k int) (int, error) {
	switch {
	case k == 0:
		return DefaultTopK, nil
	case k < 0 || k > MaxTopK:
		return 0, fmt.Errorf("%w: top_k %d: must be between 1 and %d", ErrInvalidArgument, k, MaxTopK)
	}
	return k, nil
}

// Search returns the top_k passages for the query: dense and BM25 results
// fused with reciprocal rank fusion.
func (e *Engine) Search(ctx context.Context, req SearchRequest) ([]SearchResult, error) {
	q, err := validateQuery(req.Query)
	if err != nil {
		return nil, err
	}
	k, err := validateTopK(req.TopK)
	if err != nil {
		return nil, err
	}
	f, err := scoped(req.Filter, req.Collection)
	if err != nil {
		return nil, err
	}
	hits, err := e.retrieve(ctx, q, k, f)
	if err != nil {
		return nil, err
	}
	out := make([]SearchResult, len(hits))
	titles := map[string]string{}
	for i, h := range hits {
		title, ok := titles[h.Chunk.DocID]
		if !ok {
			if info, err := e.store.Info(ctx, h.Chunk.DocID); err == nil {
				title = info.Title
			}
			titles[h.Chunk.DocID] = title
		}
		out[i] = SearchResult{DocID: h.Chunk.DocID, ChunkID: h.Chunk.ID, Title: title, Text: h.Chunk.Text,
			Start: h.Chunk.Start, End: h.Chunk.End, Score: h.Score}
	}
	return out, nil
}

// retrieve runs both retrievers and fuses them. Scores are RRF sums.
func (e *Engine) retrieve(ctx context.Context, q string, k int, f Filter) ([]Hit, error) {
	f = f.storeFilter()
	n := max(k*candidateFactor, minCandidates)
	vecs, err := e.embedder.Embed(ctx, []string{q})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	dense, err := e.store.Dense(ctx, vecs[0], n, f)
	if err != nil {
		return nil, err
	}
	lex, err := e.store.Lexical(ctx, q, n, f)
	if err != nil {
		return nil, err
	}
	lex = trimWeak(lex, lexicalFloor)
	hits := fuseRRF(k, dense, lex)
	ranks := make(map[string]*Hit, len(hits))
	for i := range hits {
		ranks[hits[i].Chunk.ID] = &hits[i]
	}
	for i, h := range dense {
		if x := ranks[h.Chunk.ID]; x != nil && x.denseRank == 0 {
			x.denseRank = i + 1
		}
	}
	for i, h := range lex {
		if x := ranks[h.Chunk.ID]; x != nil && x.lexRank == 0 {
			x.lexRank = i + 1
		}
	}
	return hits, nil
}

// lexicalFloor: BM25 hits scoring under this fraction of the best one only
// share a common word with the query. Left in, they would vote in the
// fusion for chunks the dense list also holds and push a passage that
// matches the query's rare words out of the top k.
const lexicalFloor = 0.2

// trimWeak drops the hits of a best-first list that score under floor
// times the best.
func trimWeak(hits []Hit, floor float64) []Hit {
	for i, h := range hits {
		if h.Score < hits[0].Score*floor {
			return hits[:i]
		}
	}
	return hits
}

// fuseRRF merges ranked lists by reciprocal rank fusion: a chunk scores
// sum(1/(rrfK+rank)) over the lists it appears in. Ties keep chunk id order.
func fuseRRF(k int, lists ...[]Hit) []Hit {
	type acc struct {
		hit   Hit
		score float64
	}
	byID := map[string]*acc{}
	var order []string
	for _, list := range lists {
		for rank, h := range list {
			a, ok := byID[h.Chunk.ID]
			if !ok {
				a = &acc{hit: h}
				byID[h.Chunk.ID] = a
				order = append(order, h.Chunk.ID)
			}
			a.score += 1 / float64(rrfK+rank+1)
		}
	}
	out := make([]Hit, 0, len(order))
	for _, id := range order {
		a := byID[id]
		a.hit.Score = a.score
		out = append(out, a.hit)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Chunk.ID < out[j].Chunk.ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// dedupe drops repeated ids, keeping first occurrences in order.
func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
