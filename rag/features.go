package rag

import (
	"math"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
)

// Candidate is a sentence to rank for a question.
type Candidate struct {
	Text string
	// Position is the sentence's index in its document (0 = lead sentence).
	Position int
	// Passage is the fused retrieval rank of the passage holding the
	// sentence (0 = best).
	Passage int
	// DenseRank and LexRank are the passage's ranks in the dense and BM25
	// lists, -1 when it is absent from one.
	DenseRank, LexRank int
	// Group numbers the passage: consecutive candidates of one group are
	// neighbouring sentences.
	Group int
}

// IDFFunc returns the inverse document frequency of an analysed term.
type IDFFunc func(term string) float64

// featureNames name the sentence features, in the order of a feature row.
// The fitted weights file lists them too and must agree.
var featureNames = []string{
	"cover",          // IDF-weighted share of the question's terms, topic terms discounted
	"cover_raw",      // the same without the topic discount
	"cover_rel",      // cover over the best cover among the candidates
	"prefix",         // share matched only by a 5-letter prefix ("immigrated"/"immigration")
	"bigram",         // share of the question's adjacent term pairs found adjacent
	"lead",           // 1/(1+sentence index in the document)
	"lead_def",       // lead, for definition questions ("what is X")
	"type_match",     // the question asks a type and the sentence holds one
	"type_missing",   // the question asks a type and the sentence holds none
	"type_cover",     // type_match times cover
	"entity_missing", // share of the question's names missing from the sentence
	"number_missing", // share of the question's numbers missing from the sentence
	"negated_q",      // the question is negated and the sentence is not
	"length",         // min(words/30, 1)
	"fragment",       // under 8 words: captions, headings
	"question",       // the sentence asks a question
	"passage",        // 1/(1+fused rank of its passage)
	"dense",          // 1/(1+rank of its passage in the dense list), 0 when absent
	"lexical",        // 1/(1+rank of its passage in the BM25 list), 0 when absent
	"neighbour",      // best cover of the sentence before or after
	"coref_gain",     // cover gained by borrowing the previous sentence's terms ("It ...")
	"passage_cover",  // cover of the whole passage
	"rare_missing",   // IDF share of the question's rarest term when the sentence lacks it
	"negated_s",      // the sentence is negated and the question is not
	"found_cover",    // share of the question's terms the retrieved text holds at all (onTopicShares)
	"unseen",         // share of the question's terms the collection has never seen (onTopicShares)
	"entity_unseen",  // share of the question's names the collection has never seen
	"focus_cover",    // cover of the question's terms that the passage's other sentences lack (focusCover)
}

// unseenTerm is asked of an IDFFunc for the IDF of a term no text holds.
const unseenTerm = "\x00"

// nFeatures is the length of a feature row.
var nFeatures = len(featureNames)

// questionInfo is what the features need to know of a question, computed
// once per question.
type questionInfo struct {
	terms    []string
	bigrams  map[[2]string]bool
	entities []string
	numbers  []string
	want     answerType
	negated  bool
	def      bool
}

// askWords only say what kind of answer a question wants ("how much"):
// they are not what it is about.
var askWords = map[string]bool{"much": true, "many": true}

func analyseQuestion(q string) questionInfo {
	var terms []string
	for _, t := range uniqueTerms(q) {
		if !askWords[t] {
			terms = append(terms, t)
		}
	}
	return questionInfo{
		terms:    terms,
		bigrams:  termBigrams(text.Terms(q)),
		entities: questionEntities(q),
		numbers:  questionNumbers(q),
		want:     askedAnswerType(q),
		negated:  negated(q),
		def:      askDefinition.MatchString(q),
	}
}

// topicDiscount: how much weaker a question term counts when every
// candidate shares it (the document's topic, often named in the question).
const topicDiscount = 0.95

// SentenceFeatures returns one feature row per candidate (see
// featureNames), for scoring and for fitting the weights. It is long
// because the features share what its first half computes once per
// question (the candidates' term sets, the discounted question weights and
// the cover closure); the second half writes one column per line, in
// featureNames order, so a column and its name are easy to match.
func SentenceFeatures(question string, cands []Candidate, idf IDFFunc) [][]float64 {
	qi := analyseQuestion(question)
	rows := make([][]float64, len(cands))
	flat := make([]float64, len(cands)*nFeatures)
	for i := range rows {
		rows[i] = flat[i*nFeatures : (i+1)*nFeatures]
	}
	if len(qi.terms) == 0 || len(cands) == 0 {
		return rows
	}
	seqs := make([][]string, len(cands))
	sets := make([]map[string]bool, len(cands))
	cdf := map[string]int{}
	for i, c := range cands {
		seqs[i] = text.Terms(c.Text)
		sets[i] = make(map[string]bool, len(seqs[i]))
		for _, t := range seqs[i] {
			sets[i][t] = true
		}
		for t := range sets[i] {
			cdf[t]++
		}
	}
	qw := make([]float64, len(qi.terms))
	raw := make([]float64, len(qi.terms))
	var total, rawTotal, rare float64
	rareAt := -1
	for j, t := range qi.terms {
		share := 0.0
		if len(cands) > 2 {
			share = float64(cdf[t]) / float64(len(cands))
		}
		raw[j] = idf(t)
		qw[j] = raw[j] * (1 - topicDiscount*share)
		total += qw[j]
		rawTotal += raw[j]
		if raw[j] > rare {
			rare, rareAt = raw[j], j
		}
	}
	// cover returns the discounted and raw IDF shares of the question's
	// terms that set holds, and the share matched only by prefix.
	cover := func(has func(string) bool, prefixSet map[string]bool) (c, r, p float64) {
		for j, t := range qi.terms {
			switch {
			case has(t):
				c += qw[j]
				r += raw[j]
			case prefixSet != nil && hasPrefixMatch(t, prefixSet):
				c += qw[j]
				r += raw[j]
				p += qw[j]
			}
		}
		return safeDiv(c, total), safeDiv(r, rawTotal), safeDiv(p, total)
	}
	covers := make([]float64, len(cands))
	best := 0.0
	for i := range cands {
		c, r, p := cover(func(t string) bool { return sets[i][t] }, sets[i])
		covers[i] = c
		best = max(best, c)
		f := rows[i]
		f[0], f[1], f[3] = c, r, p
	}
	// Passage-level term sets.
	groupSets := map[int]map[string]bool{}
	for i, c := range cands {
		g := groupSets[c.Group]
		if g == nil {
			g = map[string]bool{}
			groupSets[c.Group] = g
		}
		for t := range sets[i] {
			g[t] = true
		}
	}
	top := idf(unseenTerm)
	allCover, unseen := onTopicShares(qi.terms, raw, top, func(t string) bool { return cdf[t] > 0 })
	entUnseen := missingShare(qi.entities, func(t string) bool { return top <= 0 || idf(t) < top-1e-9 })
	groupCover := map[int]float64{}
	for g, set := range groupSets {
		groupCover[g], _, _ = cover(func(t string) bool { return set[t] }, nil)
	}
	focus := focusCover(qi.terms, raw, cands, sets)
	for i, c := range cands {
		f := rows[i]
		f[2] = safeDiv(covers[i], best)
		if len(qi.bigrams) > 0 {
			n := 0
			for k := 1; k < len(seqs[i]); k++ {
				if qi.bigrams[[2]string{seqs[i][k-1], seqs[i][k]}] {
					n++
				}
			}
			f[4] = min(1, float64(n)/float64(len(qi.bigrams)))
		}
		lead := 1 / float64(1+c.Position)
		f[5] = lead
		if qi.def {
			f[6] = lead
		}
		if qi.want != typeNone {
			if hasAnswerType(c.Text, qi.want) {
				f[7] = 1
				f[9] = covers[i]
			} else {
				f[8] = 1
			}
		}
		f[10] = missingShare(qi.entities, func(t string) bool { return sets[i][t] })
		f[11] = missingShare(qi.numbers, func(n string) bool { return strings.Contains(c.Text, n) })
		switch sneg := negated(c.Text); {
		case qi.negated && !sneg:
			f[12] = 1
		case sneg && !qi.negated:
			f[23] = 1
		}
		words := len(strings.Fields(c.Text))
		f[13] = min(float64(words)/30, 1)
		if words < 8 {
			f[14] = 1
		}
		if isQuestion(c.Text) {
			f[15] = 1
		}
		f[16] = 1 / float64(1+c.Passage)
		f[17] = rankFeature(c.DenseRank)
		f[18] = rankFeature(c.LexRank)
		prev := i > 0 && cands[i-1].Group == c.Group
		if prev {
			f[19] = covers[i-1]
		}
		if i+1 < len(cands) && cands[i+1].Group == c.Group {
			f[19] = max(f[19], covers[i+1])
		}
		if prev && corefOpeners.MatchString(c.Text) {
			both, _, _ := cover(func(t string) bool { return sets[i][t] || sets[i-1][t] }, nil)
			f[20] = max(0, both-covers[i])
		}
		f[21] = groupCover[c.Group]
		f[24] = allCover
		f[25] = unseen
		f[26] = entUnseen
		f[27] = focus[i]
		if rareAt >= 0 && !sets[i][qi.terms[rareAt]] && rawTotal > 0 {
			f[22] = rare / rawTotal
		}
	}
	return rows
}

// focusCover returns, per candidate, the IDF share of the question's terms
// it holds, each term weighted down by the share of the other sentences of
// its passage that hold it too: a term most of the passage repeats is the
// passage's subject ("Matalin" in a passage about her), which a sentence
// carries by context ("She is married to ..."); the terms only one
// sentence holds are what the question asks about.
func focusCover(terms []string, raw []float64, cands []Candidate, sets []map[string]bool) []float64 {
	type group struct {
		n  int
		df []int // per question term
	}
	groups := map[int]*group{}
	for i, c := range cands {
		g := groups[c.Group]
		if g == nil {
			g = &group{df: make([]int, len(terms))}
			groups[c.Group] = g
		}
		g.n++
		for j, t := range terms {
			if sets[i][t] {
				g.df[j]++
			}
		}
	}
	out := make([]float64, len(cands))
	for i, c := range cands {
		g := groups[c.Group]
		var held, total float64
		for j, t := range terms {
			has := sets[i][t]
			others := g.df[j]
			if has {
				others--
			}
			w := raw[j]
			if g.n > 1 {
				w *= 1 - float64(others)/float64(g.n-1)
			}
			total += w
			if has {
				held += w
			}
		}
		out[i] = safeDiv(held, total)
	}
	return out
}

// onTopicShares returns the shares of the question's terms that the
// retrieved text holds (found) and that the collection has never seen
// (unseen; top is the IDF of such a term, 0 when the IDF function cannot
// tell). Terms count alike, not by IDF: a small collection about one
// subject holds its name in every passage (IDF near 0), and weighted so, a
// question naming that subject and one word the collection lacks ("How
// long is the Rhine?" over five Rhine paragraphs) looked off-topic.
func onTopicShares(terms []string, raw []float64, top float64, found func(string) bool) (foundShare, unseenShare float64) {
	var f, u int
	for j, t := range terms {
		if found(t) {
			f++
		}
		if top > 0 && raw[j] >= top-1e-9 {
			u++
		}
	}
	n := float64(len(terms))
	return safeDiv(float64(f), n), safeDiv(float64(u), n)
}

func rankFeature(r int) float64 {
	if r < 0 {
		return 0
	}
	return 1 / float64(1+r)
}

func safeDiv(a, b float64) float64 {
	if b == 0 || math.IsNaN(b) {
		return 0
	}
	return a / b
}

// missingShare returns the share of items that has does not find.
func missingShare(items []string, has func(string) bool) float64 {
	if len(items) == 0 {
		return 0
	}
	n := 0
	for _, it := range items {
		if !has(it) {
			n++
		}
	}
	return float64(n) / float64(len(items))
}

// hasPrefixMatch reports whether a term of set shares t's first five
// letters ("immigrated" and "immigration").
func hasPrefixMatch(t string, set map[string]bool) bool {
	if len(t) < 6 {
		return false
	}
	p := t[:5]
	for u := range set {
		if len(u) >= 6 && strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

func termBigrams(ts []string) map[[2]string]bool {
	m := map[[2]string]bool{}
	for i := 1; i < len(ts); i++ {
		m[[2]string{ts[i-1], ts[i]}] = true
	}
	return m
}

func uniqueTerms(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range text.Terms(s) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
