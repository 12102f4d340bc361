package rag

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/ragcite/ragcite/prompts"
)

// complete runs one prompt through the chat model, streaming verified
// sentences to emit when it is not nil, and returns the cleaned reply.
func (e *Engine) complete(ctx context.Context, msgs prompts.Messages, passages []Hit, policy Policy, emit func(string) error) (*generated, Usage, error) {
	req := ChatRequest{Messages: []ChatMessage{{Role: "system", Content: msgs.System}, {Role: "user", Content: msgs.User}}, MaxTokens: answerReserve}
	g := newGenerated(ctx, e, passages, policy)
	var reply ChatReply
	var err error
	if emit == nil {
		reply, err = e.chat.Complete(ctx, req)
	} else {
		var raw strings.Builder
		reply, err = e.chat.Stream(ctx, req, func(delta string) error {
			raw.WriteString(delta)
			return g.feed(raw.String(), false, emit)
		})
	}
	if err != nil {
		return nil, Usage{}, err
	}
	if err := g.feed(reply.Content, true, emit); err != nil {
		return nil, Usage{}, err
	}
	return g, reply.Usage, nil
}

// streamed reports whether emit has been called, so a failure after it
// cannot fall back to another answer.
type streamed struct {
	emit func(string) error
	any  bool
}

func (s *streamed) fn() func(string) error {
	if s.emit == nil {
		return nil
	}
	return func(p string) error {
		s.any = true
		return s.emit(p)
	}
}

// answerLLM answers from the top k hits with the chat model; conflicts are
// looked for in all hits, as in extractive answers.
func (e *Engine) answerLLM(ctx context.Context, q string, hits []Hit, k int, policy Policy, emit func(string) error) (*Answer, error) {
	ans := &Answer{Citations: []Citation{}, Conflicts: []Conflict{}, Unsupported: []string{}, Mode: ModeLLM}
	passages := fitPassages(hits[:min(k, len(hits))], e.passageBudget())
	msgs, err := prompts.Render(prompts.Answer, prompts.Data{Question: q, Passages: e.promptPassages(ctx, passages, 1)})
	if err != nil {
		return nil, err
	}
	out := &streamed{emit: emit}
	g, usage, err := e.complete(ctx, msgs, passages, policy, out.fn())
	if err != nil {
		return nil, &llmError{err: err, streamed: out.any}
	}
	ans.Usage = usage
	ans.Unsupported = append(ans.Unsupported, g.unsupported...)
	all, err := e.rankEvidence(ctx, q, hits)
	if err != nil {
		return nil, err
	}
	if conflict, found := findConflict(q, all); found {
		cf, ok, err := g.stateConflict(conflict, emit)
		if err != nil {
			return nil, err
		}
		if ok {
			ans.Conflicts = append(ans.Conflicts, cf)
		}
	}
	ans.Answer, ans.Citations, ans.Sentences = g.b.String(), g.cites.list, g.sentences
	if ans.Answer == "" {
		ans.Abstained, ans.Answer = true, abstainAnswer
		if emit != nil {
			if err := emit(abstainAnswer); err != nil {
				return nil, err
			}
		}
	}
	return ans, nil
}

// llmError is a failed LLM call; streamed says whether part of the answer
// had already been sent.
type llmError struct {
	err      error
	streamed bool
}

func (e *llmError) Error() string { return fmt.Sprintf("%v: %v", ErrLLMUnavailable, e.err) }
func (e *llmError) Unwrap() []error {
	return []error{ErrLLMUnavailable, e.err}
}

// withFallback runs llm and returns its result. When it fails with an LLM
// failure that a fallback can cover (fallbackReason) and the caller did not
// insist on the LLM (strict), it logs why, runs extractive instead and
// marks that result degraded with the reason. It is the one extractive
// fallback of answers and summaries.
func withFallback[T any](e *Engine, doing string, strict bool, llm, extractive func() (T, error), degrade func(T, string)) (T, error) {
	v, err := llm()
	if err == nil {
		return v, nil
	}
	reason := fallbackReason(err)
	if strict || reason == "" {
		var zero T
		return zero, err
	}
	e.log.Warn(doing+" extractively", "reason", reason, "error", err)
	if v, err = extractive(); err != nil {
		var zero T
		return zero, err
	}
	degrade(v, reason)
	return v, nil
}

// fallbackReason says why an answer fell back to extractive, or "" when
// err is not an LLM failure that a fallback can cover. The reason goes to
// clients, so it is short and names no endpoint; the log has the detail.
func fallbackReason(err error) string {
	var le *llmError
	if !errors.As(err, &le) || le.streamed || errors.Is(err, context.Canceled) {
		return ""
	}
	return LLMReason(err)
}

// LLMReason is a short, public description of a failed LLM call: what a
// client may see. It never includes the endpoint's URL or the raw error.
func LLMReason(err error) string {
	var se interface{ HTTPStatus() int }
	var ne net.Error
	switch {
	case errors.As(err, &se):
		switch code := se.HTTPStatus(); {
		case code == 401 || code == 403:
			return "the language model refused the configured API key"
		case code == 404:
			return "the language model endpoint does not know the configured model"
		case code == 429:
			return "the language model is rate limited"
		default:
			return fmt.Sprintf("the language model returned an error (HTTP %d)", code)
		}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "the language model did not answer in time"
	}
	return "the language model is unreachable"
}

// appendSummaryConflict states, after a written summary, the disagreement
// on a central figure that the extractive summary would state, with the
// same detector, and lists it in sum.Conflicts.
func (e *Engine) appendSummaryConflict(ctx context.Context, req SummarizeRequest, hits []Hit, g *generated, sum *Summary, emit func(string) error) error {
	fc, found, err := e.hitsConflict(ctx, req, hits)
	if err != nil || !found {
		return err
	}
	cf, ok, err := g.stateConflict(fc, emit)
	if ok {
		sum.Conflicts = append(sum.Conflicts, cf)
	}
	return err
}

// stateConflict cites both sides of f and adds the sentence stating the
// disagreement to the reply: its text, its verified sentence, the stream.
// ok is false when, with stale evidence skipped, fewer than two claims remain.
func (g *generated) stateConflict(f foundConflict, emit func(string) error) (cf Conflict, ok bool, err error) {
	cf, text, ok, err := g.cites.conflict(f)
	if err != nil || !ok {
		return cf, false, err
	}
	g.sentences = append(g.sentences, conflictSentence(text, cf))
	piece := text
	if g.b.Len() > 0 {
		piece = " " + text
	}
	g.b.WriteString(piece)
	if emit != nil {
		return cf, true, emit(piece)
	}
	return cf, true, nil
}

// maxMapCalls bounds the map step of a long summary.
const maxMapCalls = 32

// summarizeLLM summarizes hits with the chat model: in one prompt when they
// fit the context budget, else map-reduce: each group of passages is
// condensed into notes that cite the passages by their global numbers, and
// the notes are merged, so the final markers point at original passages.
// The map and reduce steps share the passage numbering and the budget, so
// they stay in one function.
func (e *Engine) summarizeLLM(ctx context.Context, req SummarizeRequest, hits []Hit, policy Policy, emit func(string) error) (*Summary, error) {
	sum := &Summary{Citations: []Citation{}, Conflicts: []Conflict{}, Mode: ModeLLM}
	all := hits // every passage is evidence for conflicts
	if req.Query != "" {
		hits = hits[:min(len(hits), summaryQueryTopK)]
	}
	budget := e.passageBudget()
	total := 0
	for _, h := range hits {
		total += countTokens(h.Chunk.Text)
	}
	data := prompts.Data{Query: req.Query, MaxSentences: req.MaxSentences}
	name := prompts.Summarize
	var usage Usage
	if total <= budget {
		data.Passages = e.promptPassages(ctx, hits, 1)
	} else {
		name = prompts.Reduce
		for start, calls := 0, 0; start < len(hits); calls++ {
			if calls == maxMapCalls {
				return nil, fmt.Errorf("%w: the input needs more than %d map steps; summarize fewer documents", ErrInvalidArgument, maxMapCalls)
			}
			group := fitPassages(hits[start:], budget)
			if len(group) == 0 {
				group = hits[start : start+1]
			}
			msgs, err := prompts.Render(prompts.Map, prompts.Data{Query: req.Query, Passages: e.promptPassages(ctx, group, start+1)})
			if err != nil {
				return nil, err
			}
			reply, err := e.chat.Complete(ctx, ChatRequest{Messages: []ChatMessage{{Role: "system", Content: msgs.System}, {Role: "user", Content: msgs.User}}, MaxTokens: answerReserve})
			if err != nil {
				return nil, &llmError{err: err}
			}
			usage.PromptTokens += reply.Usage.PromptTokens
			usage.CompletionTokens += reply.Usage.CompletionTokens
			data.Partials = append(data.Partials, reply.Content)
			start += len(group)
		}
	}
	msgs, err := prompts.Render(name, data)
	if err != nil {
		return nil, err
	}
	out := &streamed{emit: emit}
	g, u, err := e.complete(ctx, msgs, hits, policy, out.fn())
	if err != nil {
		return nil, &llmError{err: err, streamed: out.any}
	}
	usage.PromptTokens += u.PromptTokens
	usage.CompletionTokens += u.CompletionTokens
	if err := e.appendSummaryConflict(ctx, req, all, g, sum, emit); err != nil {
		return nil, err
	}
	sum.Summary, sum.Citations, sum.Unsupported, sum.Usage, sum.Sentences = g.b.String(), g.cites.list, g.unsupported, usage, g.sentences
	if sum.Summary == "" {
		sum.Summary = noSentences
		if emit != nil {
			if err := emit(sum.Summary); err != nil {
				return nil, err
			}
		}
	}
	return sum, nil
}
