package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
)

// generated turns model output into cited text: it judges each sentence
// against the passages its markers name (then against all passages), keeps
// it or not by the policy, cites the passage sentences that back it
// (renumbering citations from 1 in order of use), and collects removed
// sentences as unsupported.
type generated struct {
	ctx         context.Context
	verifier    Verifier
	policy      Policy
	passages    []Hit // passage n is passages[n-1]
	cites       *citeSet
	b           strings.Builder
	unsupported []string
	sentences   []VerifiedSentence
	abstained   bool
	done        int // sentences already taken from the stream
}

func newGenerated(ctx context.Context, e *Engine, passages []Hit, policy Policy) *generated {
	return &generated{ctx: ctx, verifier: e.verifier, policy: policy, passages: passages, cites: newCiteSet(ctx, e.store)}
}

// judgement is a verdict with the hits its quotes point into.
type judgement struct {
	Verdict
	hits []Hit // hits[i] holds Quotes[i]
}

// judge verifies sentences in one batch against the union of the passages
// each cites; those not supported are judged again against all passages,
// and the better verdict stands.
func (g *generated) judge(ss []citedSentence) ([]judgement, error) {
	cited := make([][]Hit, len(ss))
	checks := make([]Check, len(ss))
	for i, s := range ss {
		seen := map[int]bool{}
		for _, m := range s.markers {
			if m >= 1 && m <= len(g.passages) && !seen[m] {
				seen[m] = true
				cited[i] = append(cited[i], g.passages[m-1])
			}
		}
		checks[i] = Check{Claim: s.text, Passages: hitTexts(cited[i])}
	}
	vs, err := g.verifier.Verify(g.ctx, checks)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	out := make([]judgement, len(ss))
	var again []int
	for i, v := range vs {
		out[i] = judgement{Verdict: v, hits: quoteHits(v.Quotes, cited[i])}
		if v.Support != Supported && len(cited[i]) < len(g.passages) {
			again = append(again, i)
		}
	}
	if len(again) == 0 {
		return out, nil
	}
	checks = checks[:0]
	all := hitTexts(g.passages)
	for _, i := range again {
		checks = append(checks, Check{Claim: ss[i].text, Passages: all})
	}
	vs, err = g.verifier.Verify(g.ctx, checks)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	for j, i := range again {
		if vs[j].Score > out[i].Score {
			out[i] = judgement{Verdict: vs[j], hits: quoteHits(vs[j].Quotes, g.passages)}
		}
	}
	return out, nil
}

func hitTexts(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Chunk.Text
	}
	return out
}

func quoteHits(qs []Quote, hits []Hit) []Hit {
	out := make([]Hit, len(qs))
	for i, q := range qs {
		out[i] = hits[q.Passage]
	}
	return out
}

// take adds one judged sentence to the reply, if the policy keeps it, and
// returns the text it adds.
func (g *generated) take(s citedSentence, j judgement) (string, error) {
	var ns []int
	if j.Support != Unsupported && g.policy.keeps(j.Support) {
		for i, q := range j.Quotes {
			h := j.hits[i]
			n, err := g.cites.add(evidence{chunk: h.Chunk, Span: text.Span{Start: h.Chunk.Start + q.Start, End: h.Chunk.Start + q.End}, text: q.Text, score: h.Score})
			if errors.Is(err, errStale) {
				continue
			}
			if err != nil {
				return "", err
			}
			ns = appendUniqueInt(ns, n)
		}
		if len(ns) == 0 {
			j.Support = Unsupported // every passage backing it changed since retrieval
		}
	}
	if !g.policy.keeps(j.Support) {
		g.unsupported = append(g.unsupported, s.text)
		return "", nil
	}
	g.sentences = append(g.sentences, VerifiedSentence{Text: s.text, Support: j.Support, Score: j.Score, Citations: append([]int{}, ns...)})
	piece := citedText(s.text, ns)
	if g.b.Len() > 0 {
		piece = " " + piece
	}
	g.b.WriteString(piece)
	return piece, nil
}

// feed takes the sentences of raw that are complete (another has begun
// after them) and emits what they add.
func (g *generated) feed(raw string, final bool, emit func(string) error) error {
	cs := splitCited(raw)
	end := len(cs)
	if !final {
		end-- // the last sentence may still grow, or get its markers
	}
	if g.done >= end {
		return nil
	}
	var todo []citedSentence
	for _, s := range cs[g.done:end] {
		switch {
		case s.text == "":
		case strings.HasPrefix(s.text, strings.TrimSuffix(abstainAnswer, ".")):
			g.abstained = true
		default:
			todo = append(todo, s)
		}
	}
	g.done = end
	if len(todo) == 0 {
		return nil
	}
	js, err := g.judge(todo)
	if err != nil {
		return err
	}
	for i, s := range todo {
		piece, err := g.take(s, js[i])
		if err != nil {
			return err
		}
		if piece != "" && emit != nil {
			if err := emit(piece); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendUniqueInt(xs []int, n int) []int {
	for _, x := range xs {
		if x == n {
			return xs
		}
	}
	return append(xs, n)
}
