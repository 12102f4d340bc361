package rag

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/ragcite/ragcite/internal/text"
)

// Summary defaults and bounds.
const (
	DefaultSummarySentences = 5
	MaxSummarySentences     = 30
	// summaryQueryTopK is how many passages a query summary draws from.
	summaryQueryTopK = 8
	// mmrLambda trades relevance (1) against novelty (0) when picking sentences.
	mmrLambda = 0.7
	// leadWeight favours a document's opening sentences, where news puts its point.
	leadWeight                       = 0.3
	minSummaryWords, maxSummaryWords = 6, 80
)

// ValidateSummarize checks a summary request and fills defaults.
func ValidateSummarize(req SummarizeRequest) (SummarizeRequest, error) {
	hasDocs, hasQuery := len(req.DocIDs) > 0, strings.TrimSpace(req.Query) != ""
	switch {
	case hasDocs && hasQuery:
		return req, fmt.Errorf("%w: give doc_ids or query, not both", ErrInvalidArgument)
	case !hasDocs && !hasQuery:
		return req, fmt.Errorf("%w: give doc_ids or a non-empty query", ErrInvalidArgument)
	case req.MaxSentences < 0 || req.MaxSentences > MaxSummarySentences:
		return req, fmt.Errorf("%w: max_sentences %d: must be between 1 and %d", ErrInvalidArgument, req.MaxSentences, MaxSummarySentences)
	}
	if req.MaxSentences == 0 {
		req.MaxSentences = DefaultSummarySentences
	}
	if hasQuery {
		q, err := ValidateQuery(req.Query)
		if err != nil {
			return req, err
		}
		req.Query = q
	}
	req.DocIDs = dedupe(req.DocIDs)
	return req, nil
}

// Summarize writes a cited summary. See SummarizeStream.
func (e *Engine) Summarize(ctx context.Context, req SummarizeRequest) (*Summary, error) {
	return e.SummarizeStream(ctx, req, nil)
}

// SummarizeStream summarizes documents or the passages for a query, calling
// emit (when not nil) with pieces of the summary as they are produced.
func (e *Engine) SummarizeStream(ctx context.Context, req SummarizeRequest, emit func(string) error) (*Summary, error) {
	start := time.Now()
	req, err := ValidateSummarize(req)
	if err != nil {
		return nil, err
	}
	mode, err := e.resolveMode(req.Mode)
	if err != nil {
		return nil, err
	}
	policy, err := ValidatePolicy(req.Policy, e.policy)
	if err != nil {
		return nil, err
	}
	hits, err := e.summaryPassages(ctx, req)
	if err != nil {
		return nil, err
	}
	sum, err := e.summary(ctx, req, hits, mode, req.Mode == ModeLLM, policy, emit)
	if err != nil {
		return nil, err
	}
	sum.TimingMS = msSince(start)
	return sum, nil
}

// summary writes the summary in mode, falling back from a failed LLM to an
// extractive summary marked degraded unless the caller insisted (strict).
func (e *Engine) summary(ctx context.Context, req SummarizeRequest, hits []Hit, mode Mode, strict bool, policy Policy, emit func(string) error) (*Summary, error) {
	if mode == ModeLLM {
		sum, err := e.summarizeLLM(ctx, req, hits, policy, emit)
		if err == nil {
			return sum, nil
		}
		reason := fallbackReason(err)
		if strict || reason == "" {
			return nil, err
		}
		e.log.Warn("summarizing extractively", "reason", reason, "error", err)
		sum, err = e.summary(ctx, req, hits, ModeExtractive, false, policy, emit)
		if err != nil {
			return nil, err
		}
		sum.Degraded, sum.Reason = true, reason
		return sum, nil
	}
	sum, err := e.summarizeExtractive(ctx, req, sentencesOf(hits))
	if err != nil {
		return nil, err
	}
	sum.Sentences = quotedSentences(sum.Summary)
	if err := emitPieces(sum.Summary, emit); err != nil {
		return nil, err
	}
	return sum, nil
}

// summaryPassages gathers the passages to summarize: every chunk of the
// asked documents, or the passages retrieved for the query.
func (e *Engine) summaryPassages(ctx context.Context, req SummarizeRequest) ([]Hit, error) {
	var hits []Hit
	if req.Query != "" {
		var err error
		hits, err = e.retrieve(ctx, req.Query, summaryQueryTopK, Filter{})
		if err != nil {
			return nil, err
		}
	} else {
		for _, id := range req.DocIDs {
			chunks, err := e.store.Chunks(ctx, id)
			if err != nil {
				return nil, err
			}
			for _, c := range chunks {
				hits = append(hits, Hit{Chunk: c})
			}
		}
	}
	return hits, nil
}

// summarizeExtractive picks central, non-redundant sentences (maximal
// marginal relevance) and cites each.
func (e *Engine) summarizeExtractive(ctx context.Context, req SummarizeRequest, ev []evidence) (*Summary, error) {
	sum := &Summary{Citations: []Citation{}, Conflicts: []Conflict{}, Mode: ModeExtractive}
	ev = filterSummarySentences(ev)
	if len(ev) == 0 {
		sum.Summary = "The documents have no sentences to summarize."
		return sum, nil
	}
	vecs, err := e.termVectors(ctx, ev)
	if err != nil {
		return nil, err
	}
	centroid := map[string]float64{}
	for _, v := range vecs {
		for t, w := range v {
			centroid[t] += w
		}
	}
	normalise(centroid)
	var rel []float64
	if req.Query != "" {
		idf, err := e.store.IDF(ctx, uniqueTerms(req.Query))
		if err != nil {
			return nil, err
		}
		cands := make([]Candidate, len(ev))
		for i, x := range ev {
			cands[i] = Candidate{Text: x.text, Position: x.pos}
		}
		rel = ScoreSentences(req.Query, cands, func(t string) float64 { return idf[t] })
	}
	for i := range ev {
		ev[i].score = dot(vecs[i], centroid) + leadWeight/float64(1+ev[i].pos)
		if rel != nil {
			ev[i].score = 0.5*ev[i].score + rel[i]
		}
	}
	picked := mmr(ev, vecs, req.MaxSentences)
	if req.Query == "" {
		// Read in document order.
		order := map[string]int{}
		for i, id := range req.DocIDs {
			order[id] = i
		}
		sort.SliceStable(picked, func(i, j int) bool {
			a, b := ev[picked[i]], ev[picked[j]]
			if a.chunk.DocID != b.chunk.DocID {
				return order[a.chunk.DocID] < order[b.chunk.DocID]
			}
			return a.Start < b.Start
		})
	}
	cites := newCiteSet(ctx, e.store)
	var b strings.Builder
	for _, i := range picked {
		n, err := cites.add(ev[i])
		if errors.Is(err, errStale) {
			continue // deleted or changed by a concurrent ingest
		}
		if err != nil {
			return nil, err
		}
		writeSentence(&b, ev[i].text, []int{n})
	}
	sum.Summary, sum.Citations = b.String(), cites.list
	return sum, nil
}

// filterSummarySentences drops headings, fragments and run-ons.
func filterSummarySentences(ev []evidence) []evidence {
	var out []evidence
	for _, x := range ev {
		words := len(strings.Fields(x.text))
		last := x.text[len(x.text)-1]
		if words < minSummaryWords || words > maxSummaryWords || !strings.ContainsRune(".!”\"’')", rune(last)) || strings.HasSuffix(x.text, "?") {
			continue
		}
		out = append(out, x)
	}
	return out
}

// termVectors returns unit-length tf-idf vectors of each sentence.
func (e *Engine) termVectors(ctx context.Context, ev []evidence) ([]map[string]float64, error) {
	terms := make([][]string, len(ev))
	all := map[string]bool{}
	for i, x := range ev {
		terms[i] = text.Terms(x.text)
		for _, t := range terms[i] {
			all[t] = true
		}
	}
	list := make([]string, 0, len(all))
	for t := range all {
		list = append(list, t)
	}
	idf, err := e.store.IDF(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("term statistics: %w", err)
	}
	vecs := make([]map[string]float64, len(ev))
	for i, ts := range terms {
		v := map[string]float64{}
		for _, t := range ts {
			v[t] += idf[t]
		}
		normalise(v)
		vecs[i] = v
	}
	return vecs, nil
}

// mmr picks n sentence indexes by maximal marginal relevance.
func mmr(ev []evidence, vecs []map[string]float64, n int) []int {
	var picked []int
	used := make([]bool, len(ev))
	for len(picked) < n && len(picked) < len(ev) {
		best, bestScore := -1, math.Inf(-1)
		for i := range ev {
			if used[i] {
				continue
			}
			red := 0.0
			for _, j := range picked {
				red = math.Max(red, dot(vecs[i], vecs[j]))
			}
			s := mmrLambda*ev[i].score - (1-mmrLambda)*red
			if s > bestScore {
				best, bestScore = i, s
			}
		}
		if best < 0 {
			break
		}
		used[best] = true
		picked = append(picked, best)
	}
	return picked
}

func normalise(v map[string]float64) {
	var n float64
	for _, w := range v {
		n += w * w
	}
	if n == 0 {
		return
	}
	n = math.Sqrt(n)
	for t := range v {
		v[t] /= n
	}
}

func dot(a, b map[string]float64) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	var s float64
	for t, w := range a {
		s += w * b[t]
	}
	return s
}
