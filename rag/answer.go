package rag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ragcite/ragcite/internal/logreg"
	"github.com/ragcite/ragcite/internal/text"
)

// Extractive answer tuning.
const (
	// maxAnswerSentences bounds an extractive answer.
	maxAnswerSentences = 3
	// keepRatio: a further sentence joins the answer when its probability of
	// holding the answer is at least this fraction of the best one's.
	keepRatio = 0.5
	// duplicateJaccard: a sentence sharing this fraction of its terms with one
	// already chosen adds nothing.
	duplicateJaccard = 0.6
)

// abstainAnswer is the whole answer when the documents do not cover a question.
const abstainAnswer = "The documents do not cover this question."

// evidence is a candidate sentence from a retrieved chunk, with document offsets.
type evidence struct {
	chunk Chunk
	text.Span
	text  string
	say   string  // what an answer or summary says for it when that is not the quote (a list run into its lead-in), else ""
	rank  int     // fused rank of its chunk
	pos   int     // sentence index in the document: exact in the first chunk, "far from the lead" after
	score float64 // probability that the sentence holds the answer
	logit float64 // the same as log-odds
	conf  float64 // calibrated confidence of an answer this sentence leads
	// typedConf is conf had the sentence held the asked type of answer:
	// the confidence of an answer that brings a neighbour holding it.
	typedConf float64
	dense     int // 1 + rank of its chunk in the dense list, 0 when absent
	lex       int // 1 + rank of its chunk in the BM25 list, 0 when absent
}

// Ask answers a question. See AskStream.
func (e *Engine) Ask(ctx context.Context, req AskRequest) (*Answer, error) {
	return e.AskStream(ctx, req, nil)
}

// AskStream answers a question, calling emit (when not nil) with pieces of
// the answer text as they are produced; the pieces concatenate to
// Answer.Answer. An error from emit stops the work and is returned.
func (e *Engine) AskStream(ctx context.Context, req AskRequest, emit func(string) error) (*Answer, error) {
	start := time.Now()
	q, err := validateQuery(req.Question)
	if err != nil {
		return nil, err
	}
	k, err := validateTopK(req.TopK)
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
	minConf, err := e.minConfidence(req.MinConfidence)
	if err != nil {
		return nil, err
	}
	// A question asking for a figure looks twice as deep for sources that
	// state another one; the answer itself comes from the top k.
	pool := k
	if quantityQuestion.MatchString(q) {
		pool = min(2*k, MaxTopK)
	}
	f, err := scoped(req.Filter, req.Collection)
	if err != nil {
		return nil, err
	}
	hits, err := e.retrieve(ctx, q, pool, f)
	if err != nil {
		return nil, err
	}
	ans, err := e.answer(ctx, q, hits, answerOptions{k: k, minConf: minConf}, mode, req.Mode == ModeLLM, policy, emit)
	if err != nil {
		return nil, err
	}
	ans.TimingMS = msSince(start)
	return ans, nil
}

// answer writes the answer in mode. An LLM failure before anything was
// streamed falls back to an extractive answer marked degraded, unless the
// caller insisted on the LLM (strict).
func (e *Engine) answer(ctx context.Context, q string, hits []Hit, opt answerOptions, mode Mode, strict bool, policy Policy, emit func(string) error) (*Answer, error) {
	if mode == ModeLLM {
		return withFallback(e, "answering", strict,
			func() (*Answer, error) { return e.answerLLM(ctx, q, hits, opt.k, policy, emit) },
			func() (*Answer, error) { return e.answer(ctx, q, hits, opt, ModeExtractive, false, policy, emit) },
			func(a *Answer, reason string) { a.Degraded, a.Reason = true, reason })
	}
	ans, err := e.answerExtractive(ctx, q, hits, opt)
	if err != nil {
		return nil, err
	}
	ans.Sentences = quotedSentences(ans.Answer)
	if err := emitPieces(ans.Answer, emit); err != nil {
		return nil, err
	}
	return ans, nil
}

// resolveMode turns a requested mode into the one that will run.
func (e *Engine) resolveMode(m Mode) (Mode, error) {
	switch m {
	case "", ModeAuto:
		if e.chat != nil {
			return ModeLLM, nil
		}
		return ModeExtractive, nil
	case ModeExtractive:
		return ModeExtractive, nil
	case ModeLLM:
		if e.chat == nil {
			return "", fmt.Errorf("%w: mode llm needs an LLM endpoint (set OPENAI_BASE_URL and/or OPENAI_API_KEY)", ErrLLMUnavailable)
		}
		return ModeLLM, nil
	}
	return "", fmt.Errorf("%w: mode %q: must be auto, extractive or llm", ErrInvalidArgument, m)
}

// answerOptions are the per-request settings of an answer.
type answerOptions struct {
	k       int     // passages the answer draws on
	minConf float64 // confidence under which the answer abstains
}

// minConfidence returns the abstention threshold: the request's, or the
// ranker's default.
func (e *Engine) minConfidence(req *float64) (float64, error) {
	if req == nil {
		return e.ranker.AbstainBelow, nil
	}
	if *req < 0 || *req > 1 || math.IsNaN(*req) {
		return 0, fmt.Errorf("%w: min_confidence %v: must be between 0 and 1", ErrInvalidArgument, *req)
	}
	return *req, nil
}

// answerExtractive answers with the best one to three sentences of the
// top k hits; conflicts are looked for in all hits. It abstains when the
// calibrated confidence of the best sentence is under opt.minConf. It
// reads as the answer is built (rank, abstain, choose, cite, state the
// conflict), which is why the steps stay in one function.
func (e *Engine) answerExtractive(ctx context.Context, q string, hits []Hit, opt answerOptions) (*Answer, error) {
	ans := &Answer{Citations: []Citation{}, Conflicts: []Conflict{}, Unsupported: []string{}, Mode: ModeExtractive}
	all, err := e.rankEvidence(ctx, q, hits)
	if err != nil {
		return nil, err
	}
	ev := make([]evidence, 0, len(all))
	for _, x := range all {
		if x.rank < opt.k {
			ev = append(ev, x)
		}
	}
	if len(ev) > 0 {
		ans.Confidence = round4(ev[0].conf)
		if _, _, ok := typedNeighbour(q, ev[:1], all); ok {
			ans.Confidence = round4(ev[0].typedConf) // the answer will hold the asked type
		}
	}
	if len(ev) == 0 || ans.Confidence < opt.minConf {
		ans.Abstained, ans.Answer = true, abstainAnswer
		return ans, nil
	}
	cites := newCiteSet(ctx, e.store)
	var b strings.Builder
	conflict, hasConflict := findConflict(q, all)
	var chosen []evidence
	if hasConflict {
		// Lead with the best statement of each of the two most-attested claims.
		for _, cl := range conflict.claims[:2] {
			chosen = append(chosen, cl.evidence[0])
		}
	} else {
		chosen = withTypedNeighbour(q, chooseSentences(ev, maxAnswerSentences), all)
	}
	for _, c := range chosen {
		n, err := cites.add(c)
		if errors.Is(err, errStale) {
			continue // deleted or changed by a concurrent ingest
		}
		if err != nil {
			return nil, err
		}
		writeSentence(&b, c.wording(), []int{n})
	}
	if hasConflict {
		cf, text, ok, err := cites.conflict(conflict)
		if err != nil {
			return nil, err
		}
		if ok {
			ans.Conflicts = append(ans.Conflicts, cf)
			if b.Len() > 0 {
				b.WriteString(" ")
			}
			b.WriteString(text)
		}
	}
	if b.Len() == 0 {
		ans.Abstained, ans.Answer, ans.Citations = true, abstainAnswer, []Citation{}
		return ans, nil
	}
	ans.Answer = b.String()
	ans.Citations = cites.list
	return ans, nil
}

// rankEvidence splits the hits into sentences and scores them, best first.
func (e *Engine) rankEvidence(ctx context.Context, q string, hits []Hit) ([]evidence, error) {
	ev := sentencesOf(hits)
	if len(ev) == 0 {
		return nil, nil
	}
	rows, err := e.evidenceFeatures(ctx, q, ev)
	if err != nil {
		return nil, err
	}
	var typed []float64 // one scratch row for the typed confidences
	for i, z := range e.ranker.scoreRows(rows) {
		ev[i].logit, ev[i].score = z, logreg.Sigmoid(z)
		ev[i].conf = e.ranker.Confidence(rows[i])
		ev[i].typedConf = ev[i].conf
		if rows[i][8] == 1 { // type_missing: score it as if the type were there
			typed = append(typed[:0], rows[i]...)
			typed[7], typed[8], typed[9] = 1, 0, typed[0]
			ev[i].typedConf = e.ranker.Confidence(typed)
		}
	}
	// Best first, in a stable order of indexes (moving the evidence once,
	// not at every swap). A call to action ("Find out how ...") answers
	// nothing: after every other sentence, whatever its words share with
	// the question.
	order := make([]int, len(ev))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		switch {
		case ev[i].score > ev[j].score:
			return -1
		case ev[j].score > ev[i].score:
			return 1
		}
		return 0
	})
	ranked := make([]evidence, 0, len(ev))
	var teasers []int
	for _, i := range order {
		if opensWith(ev[i].text, ctaOpeners) {
			teasers = append(teasers, i)
		} else {
			ranked = append(ranked, ev[i])
		}
	}
	for _, i := range teasers {
		ranked = append(ranked, ev[i])
	}
	return ranked, nil
}

// evidenceFeatures returns the ranker's feature rows of ev.
func (e *Engine) evidenceFeatures(ctx context.Context, q string, ev []evidence) ([][]float64, error) {
	idf, err := e.store.IDF(ctx, append(uniqueTerms(q), unseenTerm))
	if err != nil {
		return nil, fmt.Errorf("term statistics: %w", err)
	}
	cands := make([]Candidate, len(ev))
	for i, x := range ev {
		cands[i] = Candidate{Text: x.text, Position: x.pos, Passage: x.rank, DenseRank: x.dense - 1, LexRank: x.lex - 1, Group: x.rank}
	}
	return SentenceFeatures(q, cands, func(t string) float64 { return idf[t] }), nil
}

// RankedSentence is a candidate answer sentence with its ranker features.
type RankedSentence struct {
	DocID    string
	Text     string
	Features []float64
}

// RankCandidates retrieves the top k passages for question as Ask does and
// returns their sentences with the ranker's features, in passage order:
// the rows the ranker is fitted and measured on. f limits the passages as
// an AskRequest's Filter does.
func (e *Engine) RankCandidates(ctx context.Context, question string, k int, f Filter) ([]RankedSentence, error) {
	q, err := validateQuery(question)
	if err != nil {
		return nil, err
	}
	if k, err = validateTopK(k); err != nil {
		return nil, err
	}
	hits, err := e.retrieve(ctx, q, k, f)
	if err != nil {
		return nil, err
	}
	ev := sentencesOf(hits)
	rows, err := e.evidenceFeatures(ctx, q, ev)
	if err != nil {
		return nil, err
	}
	out := make([]RankedSentence, len(ev))
	for i, x := range ev {
		out[i] = RankedSentence{DocID: x.chunk.DocID, Text: x.text, Features: rows[i]}
	}
	return out, nil
}

// sentencesOf splits hits into sentence evidence with document offsets,
// once per sentence even where chunks overlap.
func sentencesOf(hits []Hit) []evidence {
	type at struct {
		doc   string
		start int
	}
	var ev []evidence
	var xs []evidence
	seen := map[at]bool{}
	for rank, h := range hits {
		xs = xs[:0]
		for i, s := range text.SplitSentences(h.Chunk.Text) {
			pos := i
			if h.Chunk.Index > 0 {
				pos = 10 + h.Chunk.Index
			}
			xs = append(xs, evidence{chunk: h.Chunk, Span: text.Span{Start: h.Chunk.Start + s.Start, End: h.Chunk.Start + s.End},
				text: h.Chunk.Text[s.Start:s.End], rank: rank, pos: pos, dense: h.denseRank, lex: h.lexRank})
		}
		if ev == nil {
			ev = make([]evidence, 0, len(xs)*len(hits)) // about the sentences of every hit
		}
		for _, x := range runListsIn(xs) {
			key := at{x.chunk.DocID, x.Start}
			if !seen[key] {
				seen[key] = true
				ev = append(ev, x)
			}
		}
	}
	return ev
}

// maxListItemWords bounds the items runListsIn joins: names and short
// phrases, not paragraphs set as a list.
const maxListItemWords = 8

// runListsIn joins a lead-in ending in ":" and the short list items on the
// lines after it into one sentence, as a reader would write it ("commitments,
// involving: Nvidia, Advanced Micro Devices, Broadcom."): on its own the
// lead-in is no sentence, and the items are no sentences at all. The joined
// evidence spans the lead-in through the last item, so its quote is the
// document text, bullets included, and its say field holds the wording.
// xs are the sentences of one chunk, in order.
func runListsIn(xs []evidence) []evidence {
	if !slices.ContainsFunc(xs, func(x evidence) bool { return strings.HasSuffix(strings.TrimSpace(x.text), ":") }) {
		return xs // no lead-in
	}
	var out []evidence
	for i := 0; i < len(xs); i++ {
		x := xs[i]
		lead := strings.TrimSpace(x.text)
		if !strings.HasSuffix(lead, ":") {
			out = append(out, x)
			continue
		}
		var items []string
		for j := i + 1; j < len(xs) && xs[j].chunk.ID == x.chunk.ID && !sameLine(xs[j-1], xs[j]); j++ {
			item := stripMarkup(xs[j]).text
			if item == xs[j].text || len(strings.Fields(item)) > maxListItemWords {
				break // no bullet, or a paragraph set as a list
			}
			items = append(items, strings.TrimRight(item, ".,;: "))
		}
		if len(items) < 2 {
			out = append(out, x)
			continue
		}
		x.End = xs[i+len(items)].End
		x.text = x.chunk.Text[x.Start-x.chunk.Start : x.End-x.chunk.Start]
		x.say = lead + " " + strings.Join(items, ", ") + "."
		out = append(out, x)
		i += len(items)
	}
	return out
}

// wording is what an answer or summary says for x: its own words, or its quote.
func (x evidence) wording() string { return cmp.Or(x.say, x.text) }

// chooseSentences picks up to n strong, non-redundant sentences from ev
// (sorted best first).
func chooseSentences(ev []evidence, n int) []evidence {
	var out []evidence
	var termSets []map[string]bool
	for _, x := range ev {
		if len(out) == n || x.score < ev[0].score*keepRatio {
			break
		}
		if isQuestion(x.text) && len(out) > 0 {
			continue // a heading that asks is no answer, unless nothing else is
		}
		ts := termSet(x.text)
		dup := false
		for _, prev := range termSets {
			if jaccard(ts, prev) >= duplicateJaccard {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		out = append(out, x)
		termSets = append(termSets, ts)
	}
	return out
}

// withTypedNeighbour returns chosen with, when its first sentence lacks
// the type of answer the question asks (a date, a quantity, ...) and the
// sentence right before it in its passage (else right after it) holds one,
// that sentence beside it: "But in October, OpenAI changed the rules. After
// its restructuring, Microsoft no longer has the right of first refusal."
// The answer keeps at most maxAnswerSentences sentences.
func withTypedNeighbour(q string, chosen, all []evidence) []evidence {
	x, before, ok := typedNeighbour(q, chosen, all)
	if !ok {
		return chosen
	}
	var out []evidence
	if before {
		out = append([]evidence{x}, chosen...)
	} else {
		out = append([]evidence{chosen[0], x}, chosen[1:]...)
	}
	return out[:min(len(out), maxAnswerSentences)]
}

// typedNeighbour returns the sentence withTypedNeighbour brings beside
// chosen[0], and whether it comes before it.
func typedNeighbour(q string, chosen, all []evidence) (evidence, bool, bool) {
	want := askedAnswerType(q)
	if len(chosen) == 0 || want == typeNone || hasAnswerType(chosen[0].text, want) {
		return evidence{}, false, false
	}
	best := chosen[0]
	fits := func(x evidence) bool {
		if x.chunk.ID != best.chunk.ID || !hasAnswerType(x.text, want) || isQuestion(x.text) || opensWith(x.text, ctaOpeners) {
			return false
		}
		for _, c := range chosen {
			if c.Start == x.Start && c.chunk.DocID == x.chunk.DocID {
				return false
			}
		}
		return true
	}
	for _, x := range all {
		if fits(x) && follows(x, best) {
			return x, true, true
		}
	}
	for _, x := range all {
		if fits(x) && follows(best, x) {
			return x, false, true
		}
	}
	return evidence{}, false, false
}

func termSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range text.Terms(s) {
		m[t] = true
	}
	return m
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	inter := 0
	for t := range a {
		if b[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// emitPieces streams finished text to emit (when not nil) one cited
// sentence at a time.
func emitPieces(text string, emit func(string) error) error {
	if emit == nil {
		return nil
	}
	for _, piece := range splitForStream(text) {
		if err := emit(piece); err != nil {
			return err
		}
	}
	return nil
}

// splitForStream cuts text into pieces after each citation marker group, so
// a stream shows whole cited sentences. The pieces concatenate to text.
func splitForStream(text string) []string {
	var out []string
	last := 0
	for i := 0; i < len(text); i++ {
		if text[i] == ']' && (i+1 == len(text) || text[i+1] != '[') {
			out = append(out, text[last:i+1])
			last = i + 1
		}
	}
	if last < len(text) {
		out = append(out, text[last:])
	}
	return out
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
