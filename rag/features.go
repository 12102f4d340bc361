package rag

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

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
	"antonym",        // the sentence states the opposite of a word of the question instead of it (antonymCheck)
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
	lookup   termLookup
}

// termLookup numbers the terms the features look for in a candidate: the
// question's terms first (key j is terms[j]), then its names and the terms
// of its bigrams, so one scan of a candidate's terms finds them all.
type termLookup struct {
	keys     map[string]int
	n        int
	entities []int            // key of each of the question's names
	pairs    map[[2]int]bool  // the question's bigrams, as keys
	prefixes map[string][]int // 5-letter prefix -> question terms of 6+ letters holding it
	// lens has bit lenBit(len(key)) of every key, and firsts the first
	// byte of every prefix: most terms of a candidate are rejected by
	// them without a map lookup.
	lens   uint64
	firsts [256]bool
	// antonyms, when the question has a word with antonyms, sees every
	// word of a candidate (antonymCheck.see).
	antonyms *antonymCheck
}

// lenBit is a term length's bit in termLookup.lens (63: 63 bytes or more).
func lenBit(n int) uint64 { return 1 << min(n, 63) }

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
	seq := text.Terms(q)
	qi := questionInfo{
		terms:    terms,
		bigrams:  termBigrams(seq),
		entities: questionEntities(q),
		numbers:  questionNumbers(q),
		want:     askedAnswerType(q),
		negated:  negated(q),
		def:      askDefinition.MatchString(q),
	}
	lk := termLookup{keys: map[string]int{}, prefixes: map[string][]int{}}
	key := func(t string) int {
		k, ok := lk.keys[t]
		if !ok {
			k = len(lk.keys)
			lk.keys[t] = k
		}
		return k
	}
	for j, t := range terms {
		key(t)
		if len(t) >= 6 {
			lk.prefixes[t[:5]] = append(lk.prefixes[t[:5]], j)
		}
	}
	for _, e := range qi.entities {
		lk.entities = append(lk.entities, key(e))
	}
	lk.pairs = make(map[[2]int]bool, len(qi.bigrams))
	for bg := range qi.bigrams {
		lk.pairs[[2]int{key(bg[0]), key(bg[1])}] = true
	}
	lk.n = len(lk.keys)
	if ac := newAntonymCheck(q); ac.n > 0 {
		lk.antonyms = &ac
	}
	for k := range lk.keys {
		lk.lens |= lenBit(len(k))
	}
	for p := range lk.prefixes {
		lk.firsts[p[0]] = true
	}
	qi.lookup = lk
	return qi
}

// candTerms is what one scan of a candidate's terms finds (termLookup).
type candTerms struct {
	has     []bool // per key: the candidate holds the term
	prefix  []bool // per question term: a term of the candidate shares its first five letters (hasPrefixMatch)
	bigrams int    // adjacent term pairs that are a bigram of the question
	// holds and opposite have bit i when the candidate holds a form of the
	// question's i-th word with antonyms, or of one of its antonyms.
	holds, opposite uint64
}

// scanTerms fills ct from the terms of s.
func (lk *termLookup) scanTerms(s string, ct *candTerms) {
	prev := -1
	var word func([]byte)
	if lk.antonyms != nil {
		word = func(w []byte) { lk.antonyms.see(w, ct) }
	}
	text.EachTermWord(s, word, func(t []byte) {
		k, ok := 0, false
		if lk.lens&lenBit(len(t)) != 0 {
			k, ok = lk.keys[string(t)]
		}
		if ok {
			ct.has[k] = true
			if prev >= 0 && lk.pairs[[2]int{prev, k}] {
				ct.bigrams++
			}
			prev = k
		} else {
			prev = -1
		}
		if len(t) >= 6 && lk.firsts[t[0]] {
			for _, j := range lk.prefixes[string(t[:5])] {
				ct.prefix[j] = true
			}
		}
	})
}

// topicDiscount: how much weaker a question term counts when every
// candidate shares it (the document's topic, often named in the question).
const topicDiscount = 0.95

// SentenceFeatures returns one feature row per candidate (see
// featureNames), for scoring and for fitting the weights. It is long
// because the features share what its first half computes once per
// question (which question terms each candidate holds, the discounted
// question weights and the cover closure); the second half writes one
// column per line, in featureNames order, so a column and its name are easy
// to match.
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
	nq, lk := len(qi.terms), &qi.lookup
	cts := make([]candTerms, len(cands))
	hasFlat := make([]bool, len(cands)*(lk.n+nq))
	cdf := make([]int, nq) // candidates holding each question term
	for i, c := range cands {
		ct := &cts[i]
		row := hasFlat[i*(lk.n+nq) : (i+1)*(lk.n+nq)]
		ct.has, ct.prefix = row[:lk.n:lk.n], row[lk.n:]
		lk.scanTerms(c.Text, ct)
		for j := range nq {
			if ct.has[j] {
				cdf[j]++
			}
		}
	}
	qw := make([]float64, nq)
	raw := make([]float64, nq)
	var total, rawTotal, rare float64
	rareAt := -1
	for j, t := range qi.terms {
		share := 0.0
		if len(cands) > 2 {
			share = float64(cdf[j]) / float64(len(cands))
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
	// terms that has holds (by question term), and the share matched only
	// by prefix (prefix nil: none).
	cover := func(has func(j int) bool, prefix []bool) (c, r, p float64) {
		for j := range nq {
			switch {
			case has(j):
				c += qw[j]
				r += raw[j]
			case prefix != nil && prefix[j]:
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
		c, r, p := cover(func(j int) bool { return cts[i].has[j] }, cts[i].prefix)
		covers[i] = c
		best = max(best, c)
		f := rows[i]
		f[0], f[1], f[3] = c, r, p
	}
	groups := termGroups(cands, cts, nq)
	top := idf(unseenTerm)
	allCover, unseen := onTopicShares(qi.terms, raw, top, func(j int) bool { return cdf[j] > 0 })
	entUnseen := missingShare(qi.entities, func(t string) bool { return top <= 0 || idf(t) < top-1e-9 })
	groupCover := make(map[int]float64, len(groups))
	for g, tg := range groups {
		groupCover[g], _, _ = cover(func(j int) bool { return tg.df[j] > 0 }, nil)
	}
	focus := focusCover(raw, cands, cts, groups)
	for i, c := range cands {
		f := rows[i]
		f[2] = safeDiv(covers[i], best)
		if len(qi.bigrams) > 0 {
			f[4] = min(1, float64(cts[i].bigrams)/float64(len(qi.bigrams)))
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
		f[10] = missingKeys(lk.entities, cts[i].has)
		f[11] = missingShare(qi.numbers, func(n string) bool { return strings.Contains(c.Text, n) })
		switch sneg := negated(c.Text); {
		case qi.negated && !sneg:
			f[12] = 1
		case sneg && !qi.negated:
			f[23] = 1
		}
		words := countFields(c.Text)
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
			both, _, _ := cover(func(j int) bool { return cts[i].has[j] || cts[i-1].has[j] }, nil)
			f[20] = max(0, both-covers[i])
		}
		f[21] = groupCover[c.Group]
		f[24] = allCover
		f[25] = unseen
		f[26] = entUnseen
		f[27] = focus[i]
		if cts[i].contradicts() {
			f[28] = 1
		}
		if rareAt >= 0 && !cts[i].has[rareAt] && rawTotal > 0 {
			f[22] = rare / rawTotal
		}
	}
	return rows
}

// termGroup counts, for the candidates of one passage, how many there are
// and how many hold each question term.
type termGroup struct {
	n  int
	df []int // per question term
}

// termGroups returns the candidates' passages by Group.
func termGroups(cands []Candidate, cts []candTerms, nq int) map[int]*termGroup {
	groups := map[int]*termGroup{}
	for i, c := range cands {
		g := groups[c.Group]
		if g == nil {
			g = &termGroup{df: make([]int, nq)}
			groups[c.Group] = g
		}
		g.n++
		for j := range nq {
			if cts[i].has[j] {
				g.df[j]++
			}
		}
	}
	return groups
}

// focusCover returns, per candidate, the IDF share of the question's terms
// it holds, each term weighted down by the share of the other sentences of
// its passage that hold it too: a term most of the passage repeats is the
// passage's subject ("Matalin" in a passage about her), which a sentence
// carries by context ("She is married to ..."); the terms only one
// sentence holds are what the question asks about.
func focusCover(raw []float64, cands []Candidate, cts []candTerms, groups map[int]*termGroup) []float64 {
	out := make([]float64, len(cands))
	for i, c := range cands {
		g := groups[c.Group]
		var held, total float64
		for j := range raw {
			has := cts[i].has[j]
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
func onTopicShares(terms []string, raw []float64, top float64, found func(j int) bool) (foundShare, unseenShare float64) {
	var f, u int
	for j := range terms {
		if found(j) {
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

// missingKeys returns the share of keys that has does not hold.
func missingKeys(keys []int, has []bool) float64 {
	if len(keys) == 0 {
		return 0
	}
	n := 0
	for _, k := range keys {
		if !has[k] {
			n++
		}
	}
	return float64(n) / float64(len(keys))
}

// countFields returns len(strings.Fields(s)) without building the fields.
func countFields(s string) int {
	n := 0
	in := false
	for i := 0; i < len(s); {
		var space bool
		if c := s[i]; c < utf8.RuneSelf {
			space = c == ' ' || '\t' <= c && c <= '\r' // strings.Fields' ASCII spaces
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += size
		}
		switch {
		case space:
			in = false
		case !in:
			in = true
			n++
		}
	}
	return n
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
