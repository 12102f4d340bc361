package rag

import (
	"context"
	"github.com/ragcite/ragcite/internal/text"
	"math"

	"fmt"
	"sort"
	"strings"
)

// summaryConflict looks for a central figure the summarized sources state
// differently, with the one conflict detector answers use (findConflict).
// The figure is the one the query asks about or, without a query, the one
// the most central sentence stating a figure is about. Only a disagreement
// between documents counts: one source stating two figures is not one.
func summaryConflict(query string, cs []candidate, docs int) (foundConflict, bool) {
	q := conflictQuestion(query, cs, docs)
	if q == "" {
		return foundConflict{}, false
	}
	// Evidence strength is centrality: a figure is central when the
	// sentences stating it are. Only sentences with a digit can state a
	// figure; the most central sentence stays first, as findConflict
	// measures evidence against it.
	top := 0
	for i, c := range cs {
		if c.central > cs[top].central {
			top = i
		}
	}
	strength := func(c candidate) evidence {
		x := c.evidence
		x.score = c.central
		return x
	}
	ev := []evidence{strength(cs[top])}
	for i, c := range cs {
		if i != top && hasDigit(c.text) {
			ev = append(ev, strength(c))
		}
	}
	sort.SliceStable(ev[1:], func(i, j int) bool { return ev[1+i].score > ev[1+j].score })
	fc, ok := findConflict(q, ev)
	if !ok || !betweenSources(fc) {
		return foundConflict{}, false
	}
	return fc, true
}

// hitsConflict runs the summary conflict check over the sentences of hits,
// for summaries the chat model writes.
func (e *Engine) hitsConflict(ctx context.Context, req SummarizeRequest, hits []Hit) (foundConflict, bool, error) {
	ev := sentencesOf(hits)
	order := documentOrder(req, ev)
	cs := summaryCandidates(ev, order, req.Query == "", math.MaxInt)
	if len(cs) == 0 {
		return foundConflict{}, false, nil
	}
	if err := e.scoreCandidates(ctx, req.Query, cs, defaultSummaryWeights); err != nil {
		return foundConflict{}, false, err
	}
	fc, ok := summaryConflict(req.Query, cs, len(order))
	return fc, ok, nil
}

// conflictQuestion phrases what a summary's conflict check asks: the query
// as a question about a figure, or, for documents, "How much" followed by
// the words of the most central figure-stating sentence that at least half
// the documents use (for the sample articles: "How much Amazon invest
// OpenAI"). It returns "" when there is nothing to ask: one document, or
// no sentence states a figure. Its steps (pick the sentence, count the
// documents using each word, phrase the question) share the word counts,
// so they are kept together.
func conflictQuestion(query string, cs []candidate, docs int) string {
	if query != "" {
		if quantityQuestion.MatchString(query) {
			return query
		}
		return "How much is " + strings.TrimRight(query, "?.! ") + "?"
	}
	if docs < 2 {
		return ""
	}
	best := -1
	for i, c := range cs {
		if (best < 0 || c.central > cs[best].central) && hasDigit(c.text) && len(findFigures(c.text)) > 0 {
			best = i
		}
	}
	if best < 0 {
		return ""
	}
	// inDocs counts the documents whose candidates use term t.
	inDocs := func(t string) int {
		seen := map[int]bool{}
		for _, c := range cs {
			if _, ok := c.vec[t]; ok {
				seen[c.doc] = true
			}
		}
		return len(seen)
	}
	// The words of that sentence at least half the documents use, most
	// widely used first; the two most widely used names stay capitalised
	// (findConflict wants every claim to name them), the rest only anchor
	// the figure.
	type word struct {
		text string
		docs int
		name bool
	}
	var words []word
	seen := map[string]bool{}
	s := cs[best].text
	forEachWordAt(s, func(w string, at int) {
		t := text.Stem(w)
		if text.IsStopword(w) || seen[t] || isNumberWord(w) {
			return
		}
		seen[t] = true
		n := inDocs(t)
		if 2*n < docs {
			return
		}
		surface := s[at : at+len(w)]
		words = append(words, word{surface, n, surface != w})
	})
	sort.SliceStable(words, func(i, j int) bool { return words[i].docs > words[j].docs })
	var out []string
	names := 0
	for _, w := range words {
		if w.name && names < 2 {
			names++
			out = append(out, w.text)
		} else {
			out = append(out, strings.ToLower(w.text))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "How much " + strings.Join(out, " ") + "?"
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

// isNumberWord reports whether w is a number or a scale word, which name a
// figure rather than what it is about.
func isNumberWord(w string) bool {
	if _, ok := scaleWords[w]; ok {
		return true
	}
	return strings.IndexFunc(w, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// betweenSources reports whether two claims of f come from disjoint sets
// of documents.
func betweenSources(f foundConflict) bool {
	docs := make([]map[string]bool, len(f.claims))
	for i, cl := range f.claims {
		docs[i] = map[string]bool{}
		for _, x := range cl.evidence {
			docs[i][x.chunk.DocID] = true
		}
	}
	for i := range docs {
		for j := i + 1; j < len(docs); j++ {
			disjoint := true
			for d := range docs[i] {
				if docs[j][d] {
					disjoint = false
					break
				}
			}
			if disjoint {
				return true
			}
		}
	}
	return false
}

// conflictPlace returns where in picked (in reading order) the conflict
// sentence goes: after the first sentence stating one of its values and
// the sentences that depend on it, else at the end.
func conflictPlace(cs []candidate, picked []int, f foundConflict) int {
	values := map[string]bool{}
	for _, cl := range f.claims {
		values[cl.value] = true
	}
	for k, i := range picked {
		for _, fig := range findFigures(cs[i].text) {
			if !values[fig.value] {
				continue
			}
			k++
			for k < len(picked) && cs[picked[k]].needs && cs[picked[k]].pred == picked[k-1] {
				k++
			}
			return k
		}
	}
	return len(picked)
}

// conflictLead returns the candidate to open a summary with when there is
// a conflict, the best statement of its most attested claim that can stand
// first (or -1), and the candidates stating any claim, which the rest of
// the summary need not repeat.
func conflictLead(cs []candidate, f foundConflict) (lead int, stated []int) {
	at := map[string]int{}
	for i, c := range cs {
		at[fmt.Sprintf("%s:%d", c.chunk.DocID, c.Start)] = i
	}
	lead = -1
	for k, cl := range f.claims {
		for _, x := range cl.evidence {
			i, ok := at[fmt.Sprintf("%s:%d", x.chunk.DocID, x.Start)]
			if !ok {
				continue
			}
			stated = append(stated, i)
			if k == 0 && lead < 0 && !cs[i].needs && !cs[i].extra {
				lead = i
			}
		}
	}
	return lead, stated
}
