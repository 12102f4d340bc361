package rag

import (
	"context"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/prompts"
)

// LLM budgets, in tokens.
const (
	// answerReserve is kept free for the model's reply.
	answerReserve = 600
	// promptOverhead covers the instructions, the question and the fences.
	promptOverhead = 400
)

// fitPassages keeps the hits, in order, whose text fits budget tokens; the
// first that does not fit whole is cut at a sentence boundary (its offsets
// stay valid: it keeps a prefix).
func fitPassages(hits []Hit, budget int) []Hit {
	var out []Hit
	used := 0
	for _, h := range hits {
		n := countTokens(h.Chunk.Text)
		if used+n <= budget {
			out = append(out, h)
			used += n
			continue
		}
		end := 0
		for _, s := range text.SplitSentences(h.Chunk.Text) {
			if used+countTokens(h.Chunk.Text[:s.End]) > budget {
				break
			}
			end = s.End
		}
		if end > 0 {
			h.Chunk.Text = h.Chunk.Text[:end]
			h.Chunk.End = h.Chunk.Start + end
			out = append(out, h)
		}
		break
	}
	return out
}

func (e *Engine) passageBudget() int {
	return max(e.ctxToks-answerReserve-promptOverhead, 256)
}

// promptPassages numbers hits from first as prompt passages.
func (e *Engine) promptPassages(ctx context.Context, hits []Hit, first int) []prompts.Passage {
	out := make([]prompts.Passage, len(hits))
	for i, h := range hits {
		title := h.Chunk.DocID
		if info, err := e.store.Info(ctx, h.Chunk.DocID); err == nil && info.Title != "" {
			title = info.Title
		}
		out[i] = prompts.Passage{N: first + i, Title: title, Text: h.Chunk.Text}
	}
	return out
}
