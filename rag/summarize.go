package rag

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ragcite/ragcite/internal/text"
)

// Summary defaults and bounds.
const (
	DefaultSummarySentences = 5
	MaxSummarySentences     = 30
	// summaryQueryTopK is how many passages a query summary draws from;
	// twice as many are searched for sources stating another figure, as
	// answers to figure questions do.
	summaryQueryTopK = 8
)

// noSentences is the whole summary when nothing can be quoted.
const noSentences = "The documents have no sentences to summarize."

// validateSummarize checks a summary request and fills defaults.
func validateSummarize(req SummarizeRequest) (SummarizeRequest, error) {
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
		q, err := validateQuery(req.Query)
		if err != nil {
			return req, err
		}
		req.Query = q
	}
	req.DocIDs = dedupe(req.DocIDs)
	if req.Collection != "" {
		if err := ValidateCollection(req.Collection); err != nil {
			return req, err
		}
	}
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
	req, err := validateSummarize(req)
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
		return withFallback(e, "summarizing", strict,
			func() (*Summary, error) { return e.summarizeLLM(ctx, req, hits, policy, emit) },
			func() (*Summary, error) { return e.summary(ctx, req, hits, ModeExtractive, false, policy, emit) },
			func(s *Summary, reason string) { s.Degraded, s.Reason = true, reason })
	}
	sum, err := e.summarizeExtractive(ctx, req, sentencesOf(hits), defaultSummaryWeights)
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
		hits, err = e.retrieve(ctx, req.Query, 2*summaryQueryTopK, Filter{Collection: req.Collection})
		if err != nil {
			return nil, err
		}
	} else {
		for _, id := range req.DocIDs {
			if req.Collection != "" {
				info, err := e.store.Info(ctx, id)
				if err != nil {
					return nil, err
				}
				if collectionOf(info.Metadata) != req.Collection {
					return nil, fmt.Errorf("%w: document %q is not in collection %q", ErrNotFound, id, req.Collection)
				}
			}
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

// summarizeExtractive picks central, non-redundant sentences, states a
// disagreement on a central figure in one sentence, and cites each
// sentence. Sentences read in document order, documents in the order asked
// (for a query, in the order their best passage ranked). Selection,
// ordering, the conflict sentence and citing share the chosen set and the
// citation numbering, so they stay in one function.
func (e *Engine) summarizeExtractive(ctx context.Context, req SummarizeRequest, ev []evidence, w summaryWeights) (*Summary, error) {
	sum := &Summary{Citations: []Citation{}, Conflicts: []Conflict{}, Mode: ModeExtractive}
	docOrder := documentOrder(req, ev)
	topK := math.MaxInt // every chunk of the asked documents
	if req.Query != "" {
		topK = summaryQueryTopK
	}
	cs := summaryCandidates(ev, docOrder, req.Query == "", topK)
	if len(cs) == 0 {
		sum.Summary = noSentences
		return sum, nil
	}
	if err := e.scoreCandidates(ctx, req.Query, cs, w); err != nil {
		return nil, err
	}
	fc, hasConflict := summaryConflict(req.Query, cs, len(docOrder))
	n := req.MaxSentences
	if hasConflict && n > 1 {
		n--
	}
	seed, stated := -1, []int(nil)
	if hasConflict {
		seed, stated = conflictLead(cs, fc)
	}
	picked := selectSentences(cs, n, w, seed, stated)
	if !hasConflict {
		picked = withStatus(cs, picked) // a stated disagreement already says the reports are unsettled
	}
	readingOrder(cs, picked)
	at := len(picked)
	if hasConflict {
		at = conflictPlace(cs, picked, fc)
	}
	cites := newCiteSet(ctx, e.store)
	var b strings.Builder
	for k := 0; k <= len(picked); k++ {
		if k == at {
			cf, text, ok, err := cites.conflict(fc)
			if err != nil {
				return nil, err
			}
			if ok {
				sum.Conflicts = append(sum.Conflicts, cf)
				if b.Len() > 0 {
					b.WriteString(" ")
				}
				b.WriteString(text)
			}
		}
		if k == len(picked) {
			break
		}
		x := cs[picked[k]].evidence
		num, err := cites.add(x)
		if errors.Is(err, errStale) {
			continue // deleted or changed by a concurrent ingest
		}
		if err != nil {
			return nil, err
		}
		writeSentence(&b, x.wording(), []int{num})
	}
	sum.Summary, sum.Citations = b.String(), cites.list
	if sum.Summary == "" {
		sum.Summary = noSentences
	}
	return sum, nil
}

// documentOrder numbers the documents of ev in reading order: as asked,
// else in the order their passages ranked.
func documentOrder(req SummarizeRequest, ev []evidence) map[string]int {
	order := map[string]int{}
	for _, id := range req.DocIDs {
		order[id] = len(order)
	}
	for _, x := range ev {
		if _, ok := order[x.chunk.DocID]; !ok {
			order[x.chunk.DocID] = len(order)
		}
	}
	return order
}

// scoreCandidates sets each candidate's vector, centrality and score:
// the weighted centrality, lead prior, specificity and relevance to the
// query when there is one (concept coverage is added as sentences are
// picked, by selectSentences).
func (e *Engine) scoreCandidates(ctx context.Context, query string, cs []candidate, w summaryWeights) error {
	ev := make([]evidence, len(cs))
	for i, c := range cs {
		ev[i] = c.evidence
	}
	vecs, err := e.termVectors(ctx, ev)
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].vec = vecs[i]
		cs[i].terms = slices.Sorted(maps.Keys(vecs[i]))
	}
	central := centrality(cs)
	var rel []float64
	if query != "" {
		idf, err := e.store.IDF(ctx, uniqueTerms(query))
		if err != nil {
			return fmt.Errorf("term statistics: %w", err)
		}
		cands := make([]Candidate, len(cs))
		for i, c := range cs {
			cands[i] = Candidate{Text: c.text, Position: c.pos}
		}
		rel = scoreSentences(query, cands, func(t string) float64 { return idf[t] })
	}
	for i := range cs {
		cs[i].central = central[i]
		cs[i].score = w.central*central[i] + w.lead/float64(1+cs[i].pos) + w.specific*specificity(cs[i].text)
		if rel != nil {
			cs[i].score += w.query * rel[i]
		}
	}
	return nil
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
