package rag

import (
	"github.com/ragcite/ragcite/internal/text"

	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// summaryWeights blend what makes a sentence a summary sentence: the
// concepts it adds to the summary (conceptCover), its figures and names,
// its relevance to the query, and optionally centrality, a lead prior and
// an MMR penalty. There is no public summarization data among the
// project's dev sets, so they were chosen on testdata/eval/summaries.yaml,
// each by its mean over the grid in TestSummaryWeightGrid;
// summaries-heldout.yaml measures them on key facts written separately
// (README: measurements).
type summaryWeights struct {
	central    float64 // centrality: similarity to the centroid of the documents
	coverage   float64 // concept coverage: weight of the recurring terms a sentence adds that the summary lacks
	lead       float64 // lead prior 1/(1+position): news states its point first
	specific   float64 // specificity: figures and names a sentence states (see specificity)
	pair       bool    // a sentence's worth includes the dependent that only it can bring in
	query      float64 // relevance to the query, for query summaries
	redundancy float64 // MMR: penalty per unit of similarity to the closest sentence already chosen
}

var defaultSummaryWeights = summaryWeights{coverage: 1, query: 1, specific: 0.5, pair: true}

// Sentence length bounds for summary sentences: shorter ones are headings
// and fragments, longer ones run-ons or lists that lost their breaks.
const minSummaryWords, maxSummaryWords = 6, 80

// candidate is a sentence that may go into a summary.
type candidate struct {
	evidence
	doc     int                // index of its document in reading order
	vec     map[string]float64 // unit tf-idf vector
	terms   []string           // the keys of vec, sorted: sums over them do not depend on map order
	central float64            // cosine to the centroid of the document centroids
	pred    int                // index of the candidate it depends on (its opening refers back), or -1
	needs   bool               // opens on a reference: usable only right after pred
	extra   bool               // from a passage beyond the summary's own: evidence for conflicts only
}

// bulletRE matches list markup opening a line: bullets, numbers, heading marks.
var bulletRE = regexp.MustCompile(`^(?:[•‣◦▪▫●○■□·*+\-–—]+|\d{1,3}[.)]|#{1,6})\s+`)

// stripMarkup drops a leading bullet, number or heading mark from a
// sentence, moving its span start past it so the quote stays the document
// text at its offsets.
func stripMarkup(x evidence) evidence {
	if x.text == "" || isASCIILetter(x.text[0]) {
		return x // the common case, without the regexp
	}
	if m := bulletRE.FindStringIndex(x.text); m != nil && m[1] < len(x.text) {
		x.text = x.text[m[1]:]
		x.Start += m[1]
	}
	return x
}

// ctaOpeners are calls to action that mark a promotional teaser paragraph.
var ctaOpeners = []string{"find out", "discover", "subscribe", "click", "sign up", "read more", "also read",
	"learn more", "don't miss", "don’t miss", "follow us", "share this", "watch"}

// metaOpeners open sentences about the article rather than its subject.
var metaOpeners = []string{"this article", "in this article", "the article", "this post", "in this post",
	"this piece", "this blog", "this story", "disclaimer"}

// selfReferences name the document itself, opening a statement of its aim.
var selfReferences = []string{"this article", "this post", "this piece", "this blog post", "this story", "this report"}

// aimVerbs say what a document sets out to do.
var aimVerbs = map[string]bool{"explore": true, "explores": true, "examine": true, "examines": true,
	"explain": true, "explains": true, "discuss": true, "discusses": true, "describe": true, "describes": true,
	"analyse": true, "analyses": true, "analyze": true, "analyzes": true, "review": true, "reviews": true,
	"outline": true, "outlines": true, "assess": true, "assesses": true, "investigate": true, "investigates": true,
	"argue": true, "argues": true, "look": true, "looks": true, "consider": true, "considers": true}

// statedAim returns, for a sentence stating what its document sets out to
// do ("This article will explore OpenAI's reported talks with Amazon
// over ..."), the wording a summary of that document gives it, "The
// article will explore ...", and true. Such a sentence is the author's own
// summary: in scientific papers the aim sentence is the one most often
// carried into the abstract (Teufel and Moens 2002, "Summarizing
// scientific articles"). Other remarks about the document ("This article is
// based on media reports") are not.
func statedAim(s string) (string, bool) {
	if !opensWith(s, selfReferences) {
		return "", false
	}
	words := strings.Fields(s)
	for _, w := range words[2:min(len(words), 6)] {
		if aimVerbs[strings.ToLower(w)] {
			return "The" + s[len("this"):], true
		}
	}
	return "", false
}

// opensWith reports whether s opens, case-insensitively, on one of the
// phrases as whole words.
func opensWith(s string, phrases []string) bool {
	head := strings.ToLower(s[:min(len(s), 24)])
	for _, p := range phrases {
		if strings.HasPrefix(head, p) && (len(head) == len(p) || !isLetterOrDigitByte(head[len(p)])) {
			return true
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// personalWords are first- and second-person words: asides and direct
// address ("as I do almost daily", "you'll know"), not reporting.
// Contractions count by their first part ("you’ll" is "you").
var personalWords = map[string]bool{"i": true, "me": true, "my": true, "mine": true, "myself": true,
	"we": true, "us": true, "our": true, "ours": true, "you": true, "your": true, "yours": true, "let": true}

// personal reports whether s speaks in the first or second person outside
// quotation marks (inside them the person is the speaker's).
func personal(s string) bool {
	found, quoted := false, false
	start := 0
	flush := func(end int) {
		if !quoted && !found {
			forEachWordAt(s[start:end], func(w string, _ int) {
				if personalWords[w] {
					found = true
				}
			})
		}
	}
	for i, r := range s {
		if r == '“' || r == '”' || r == '"' {
			flush(i)
			quoted = r == '“' || (r == '"' && !quoted)
			start = i + utf8.RuneLen(r)
		}
	}
	flush(len(s))
	return found
}

// summaryEligible reports whether a sentence can stand in a summary: a
// statement of reasonable length, not a heading, question, teaser, aside
// or a remark about the article itself, except, when one document is
// summarized (single), a statement of its aim (statedAim).
func summaryEligible(s string, single bool) bool {
	words := len(strings.Fields(s))
	if words < minSummaryWords || words > maxSummaryWords || isQuestion(s) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if !strings.ContainsRune(".!”\"’')", last) {
		return false // a heading or caption
	}
	if strings.Contains(s, "](") || strings.Contains(s, "![") || titledLeadIn(s) {
		return false
	}
	if _, aim := statedAim(s); opensWith(s, metaOpeners) && !(single && aim) {
		return false
	}
	return !personal(s)
}

// titledLeadIn reports whether s opens on a title-case label and a colon,
// as list items with a bold lead-in do ("Cloud Wars Are Entering Phase
// Two: This is ...").
func titledLeadIn(s string) bool {
	label, _, ok := strings.Cut(s, ":")
	if !ok {
		return false
	}
	words := strings.Fields(label)
	if len(words) < 2 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !text.IsStopword(strings.ToLower(w)) {
			return false
		}
	}
	return true
}

// referenceOpeners are words that, opening a sentence, point back at the
// sentence before: pronouns, demonstratives, connectives.
var referenceOpeners = map[string]bool{
	"it": true, "its": true, "this": true, "that": true, "these": true, "those": true, "they": true,
	"their": true, "them": true, "he": true, "his": true, "she": true, "her": true, "such": true,
	"however": true, "but": true, "and": true, "yet": true, "also": true, "still": true, "meanwhile": true,
	"moreover": true, "furthermore": true, "therefore": true, "thus": true, "hence": true, "instead": true,
	"nevertheless": true, "nonetheless": true, "similarly": true, "likewise": true, "additionally": true,
	"besides": true, "otherwise": true, "consequently": true, "so": true, "then": true, "first": true,
	"second": true, "secondly": true, "third": true, "thirdly": true, "lastly": true, "finally": true,
	"there": true, "both": true, "either": true, "neither": true, "another": true, "despite": true,
	"yes": true,
}

// referencePhrases are multi-word openers that point back.
var referencePhrases = []string{"in addition", "as a result", "at the same time", "that said", "even so",
	"on the other hand", "by contrast", "in contrast", "for its part", "in this context", "in response",
	"for now", "in turn", "to that end", "for that reason", "on top of that", "at this stage", "at this scale"}

// opensOnReference reports whether s opens on a word or phrase whose
// antecedent is in an earlier sentence.
func opensOnReference(s string) bool {
	s = strings.TrimLeft(s, ` "'“‘(`)
	lower := strings.ToLower(s)
	for _, p := range referencePhrases {
		if strings.HasPrefix(lower, p) && (len(lower) == len(p) || !isLetterOrDigitByte(lower[len(p)])) {
			return true
		}
	}
	end := 0
	for end < len(lower) && isLetterOrDigitByte(lower[end]) {
		end++
	}
	return referenceOpeners[lower[:end]] || subjectAfterPhrase(lower)
}

// subjectPronouns, as the subject after an opening phrase ("Through Amazon
// Web Services, it has been ..."), point back as an opening pronoun does.
var subjectPronouns = map[string]bool{"it": true, "they": true, "he": true, "she": true, "this": true, "these": true}

// subjectAfterPhrase reports whether lower (a lower-cased sentence) opens
// on a short phrase and a comma followed by a subject pronoun.
func subjectAfterPhrase(lower string) bool {
	phrase, rest, ok := strings.Cut(lower, ",")
	if !ok || len(strings.Fields(phrase)) > 6 {
		return false
	}
	rest = strings.TrimLeft(rest, " ")
	end := 0
	for end < len(rest) && isLetterOrDigitByte(rest[end]) {
		end++
	}
	return subjectPronouns[rest[:end]]
}

func isLetterOrDigitByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// summaryCandidates turns evidence into candidates: markup stripped,
// ineligible sentences and teaser paragraphs dropped, each sentence linked
// to the one before it in its document, documents numbered in docOrder.
// Positions are sentence indexes in the document where the whole document
// is present (all its chunks), else as sentencesOf estimates them.
// Sentences of passages ranked topK or lower are marked extra.
func summaryCandidates(ev []evidence, docOrder map[string]int, whole bool, topK int) []candidate {
	byDoc := map[string][]evidence{}
	for _, x := range ev {
		byDoc[x.chunk.DocID] = append(byDoc[x.chunk.DocID], x)
	}
	ids := make([]string, 0, len(byDoc))
	for id := range byDoc {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return docOrder[ids[i]] < docOrder[ids[j]] })
	var out []candidate
	for _, id := range ids {
		xs := byDoc[id]
		sort.Slice(xs, func(i, j int) bool { return xs[i].Start < xs[j].Start })
		for i := range xs {
			if xs[i].say == "" {
				xs[i] = stripMarkup(xs[i])
			}
		}
		teaser := teaserParagraphs(xs)
		prevOut := -1 // index in out of the previous sentence, if it is a candidate
		for i, x := range xs {
			if whole {
				x.pos = i
			}
			adjacent := i > 0 && follows(xs[i-1], x)
			ok := !teaser[i] && summaryEligible(x.wording(), len(ids) == 1)
			say, aim := statedAim(x.wording())
			if ok && aim {
				x.say = say // one document: "The article" is the one summarized
			}
			if !ok {
				prevOut = -1
				continue
			}
			c := candidate{evidence: x, doc: docOrder[id], pred: -1, needs: opensOnReference(x.text) && !aim, extra: x.rank >= topK}
			if adjacent && prevOut >= 0 {
				c.pred = prevOut
			}
			if c.needs && c.pred < 0 {
				prevOut = -1
				continue // its antecedent cannot be in the summary
			}
			out = append(out, c)
			prevOut = len(out) - 1
		}
	}
	return out
}

// follows reports whether b comes right after a in their document: only
// white space between them, as far as their chunks show.
func follows(a, b evidence) bool {
	if a.End > b.Start {
		return false
	}
	for _, c := range []Chunk{b.chunk, a.chunk} {
		if c.Start <= a.End && b.Start <= c.End {
			return strings.TrimSpace(c.Text[a.End-c.Start:b.Start-c.Start]) == ""
		}
	}
	return b.Start-a.End <= 2
}

// teaserParagraphs marks the sentences of paragraphs (runs of sentences
// with no line break between them) that hold a call to action.
func teaserParagraphs(xs []evidence) []bool {
	out := make([]bool, len(xs))
	start := 0
	for i := range xs {
		if i > 0 && !sameLine(xs[i-1], xs[i]) {
			start = i
		}
		if opensWith(xs[i].text, ctaOpeners) {
			for j := start; j <= i; j++ {
				out[j] = true
			}
			for j := i + 1; j < len(xs) && sameLine(xs[j-1], xs[j]); j++ {
				out[j] = true
			}
		}
	}
	return out
}

// sameLine reports whether b follows a with no line break between them.
func sameLine(a, b evidence) bool {
	if a.End > b.Start {
		return false
	}
	for _, c := range []Chunk{b.chunk, a.chunk} {
		if c.Start <= a.End && b.Start <= c.End {
			return !strings.ContainsRune(c.Text[a.End-c.Start:b.Start-c.Start], '\n')
		}
	}
	return false
}

// centrality scores each candidate by cosine similarity to the centroid of
// the document centroids: every document weighs the same, so terms several
// sources share pull harder than one long document's.
func centrality(cs []candidate) []float64 {
	docSum := map[int]map[string]float64{}
	for _, c := range cs {
		m := docSum[c.doc]
		if m == nil {
			m = map[string]float64{}
			docSum[c.doc] = m
		}
		for t, w := range c.vec {
			m[t] += w
		}
	}
	centroid := map[string]float64{}
	for _, m := range docSum {
		normalise(m)
		for t, w := range m {
			centroid[t] += w
		}
	}
	normalise(centroid)
	out := make([]float64, len(cs))
	for i, c := range cs {
		out[i] = dot(c.vec, centroid)
	}
	return out
}

// selectSentences picks up to n candidates by maximal marginal relevance:
// each step takes the best score minus w.redundancy times the similarity
// to the closest chosen sentence. A candidate that opens on a reference is
// available only once the sentence it depends on is chosen. With several
// documents, none gives more than its share, ceil(n/documents), except for
// dependents following their antecedent: on the summary suite this took
// the five-article summary from 3 to 5 of its 6 key facts (README).
//
// seed, when not negative, is chosen first; seen lists candidates the
// summary states otherwise (the conflict sentence's evidence), which count
// as chosen for redundancy without being picked.
func selectSentences(cs []candidate, n int, w summaryWeights, seed int, seen []int) []int {
	var picked []int
	chosen := make([]bool, len(cs))
	red := make([]float64, len(cs)) // similarity to the closest sentence stated so far
	state := func(j int) {
		if w.redundancy == 0 {
			return // no penalty to weigh: skip the similarities
		}
		for i := range cs {
			if !chosen[i] && !cs[i].extra {
				red[i] = math.Max(red[i], dot(cs[i].vec, cs[j].vec))
			}
		}
	}
	cover := newConceptCover(cs)
	for _, j := range seen {
		state(j)
		cover.add(cs[j])
	}
	if seed >= 0 && n > 0 {
		chosen[seed] = true
		picked = append(picked, seed)
		state(seed)
		cover.add(cs[seed])
	}
	docs := map[int]bool{}
	for _, c := range cs {
		if !c.extra {
			docs[c.doc] = true
		}
	}
	quota := (n + len(docs) - 1) / max(len(docs), 1)
	perDoc := map[int]int{}
	for _, i := range picked {
		perDoc[cs[i].doc]++
	}
	dependent := make([]int, len(cs)) // the candidate that depends on i, or -1
	for i := range dependent {
		dependent[i] = -1
	}
	for i, c := range cs {
		if c.needs && c.pred >= 0 && !c.extra {
			dependent[c.pred] = i
		}
	}
	value := func(i int) float64 {
		s := cs[i].score - w.redundancy*red[i]
		if w.coverage > 0 {
			s += w.coverage * cover.gain(cs[i])
		}
		return s
	}
	take := func(i int) {
		chosen[i] = true
		picked = append(picked, i)
		perDoc[cs[i].doc]++
		state(i)
		cover.add(cs[i])
	}
	for len(picked) < n {
		best, bestScore, withDep := -1, math.Inf(-1), false
		for i, c := range cs {
			if chosen[i] || c.extra || (c.needs && !chosen[c.pred]) {
				continue
			}
			if perDoc[c.doc] >= quota && !c.needs {
				continue // a fair share per source; a dependent still follows its antecedent
			}
			s, pair := value(i), false
			if d := dependent[i]; w.pair && d >= 0 && !chosen[d] && len(picked)+2 <= n {
				if ps := (s + value(d)) / 2; ps > s {
					s, pair = ps, true
				}
			}
			if s > bestScore {
				best, bestScore, withDep = i, s, pair
			}
		}
		if best < 0 {
			break
		}
		take(best)
		if withDep {
			take(dependent[best])
		}
	}
	return picked
}

// unconfirmedRE matches a statement that what is reported is not
// confirmed: "unconfirmed", "neither company has confirmed", "have not been
// confirmed", "declined to comment".
var unconfirmedRE = regexp.MustCompile(`(?i)\bunconfirmed\b|\b(?:not|neither|never|nor|yet to|declined to|refused to|no one has)\b[^.;:]{0,40}\b(?:confirm|comment)`)

// withStatus returns picked (in the order chosen, best first) with its
// last sentence replaced, when no picked sentence says that what the
// sources report is unconfirmed and a candidate does, by the best such
// candidate: a summary of a rumoured deal must not read as if the deal were
// done. A candidate that depends on a sentence not picked does not qualify.
// The sentence replaced is the last one picked that no kept sentence
// depends on, never the first, and never the one right before the new
// sentence in its document, which it qualifies ("Reports that Amazon is in
// talks ..." before "While neither company has confirmed the discussions").
// When the summary states nothing from before it in its document, that
// sentence comes with it, replacing one more: a three-sentence summary of
// the editorial otherwise said "neither company has confirmed the
// discussions" without saying which.
func withStatus(cs []candidate, picked []int) []int {
	if len(picked) < 3 {
		return picked
	}
	in := make(map[int]bool, len(picked))
	for _, i := range picked {
		if unconfirmedRE.MatchString(cs[i].text) {
			return picked
		}
		in[i] = true
	}
	best := -1
	for i, c := range cs {
		if c.extra || in[i] || (c.needs && !in[c.pred]) || !unconfirmedRE.MatchString(c.text) {
			continue
		}
		if best < 0 || c.score+c.central > cs[best].score+cs[best].central {
			best = i
		}
	}
	if best < 0 {
		return picked
	}
	needed := func(j int) bool { // does best, or a sentence kept with it, depend on picked[j]?
		if cs[best].pred == picked[j] {
			return true // the sentence right before it: what its "the talks" qualifies
		}
		for k, i := range picked {
			if k != j && cs[i].needs && cs[i].pred == picked[j] {
				return true
			}
		}
		return false
	}
	add := []int{best}
	if p := cs[best].pred; p >= 0 && !cs[p].needs && !cs[p].extra && !statesEarlier(cs, picked, best) {
		add = []int{p, best} // what it qualifies comes with it
	}
	out := slices.Clone(picked)
	for j := len(out) - 1; j > 0 && len(add) > 0; j-- {
		if !needed(j) {
			out[j], add = add[len(add)-1], add[:len(add)-1]
		}
	}
	if len(add) > 0 {
		return picked
	}
	return out
}

// statesEarlier reports whether a picked sentence comes before cs[i] in
// its document: something the summary states that cs[i] can qualify.
func statesEarlier(cs []candidate, picked []int, i int) bool {
	for _, j := range picked {
		if cs[j].doc == cs[i].doc && cs[j].Start < cs[i].Start {
			return true
		}
	}
	return false
}

// specificity is how many figures and names a sentence states, as a share
// of five: words with a digit, and capitalised words after the first.
// Summaries are read for their facts, and facts are figures and names.
func specificity(s string) float64 {
	n := 0
	for k, f := range strings.Fields(s) {
		f = strings.TrimLeft(f, "\"'“‘([")
		if f == "" {
			continue
		}
		r, _ := utf8.DecodeRuneInString(f)
		if strings.ContainsAny(f, "0123456789") || (k > 0 && unicode.IsUpper(r)) {
			n++
		}
	}
	return math.Min(float64(n)/5, 1)
}

// readingOrder sorts picked candidates by document, then by position.
func readingOrder(cs []candidate, picked []int) {
	sort.SliceStable(picked, func(i, j int) bool {
		a, b := cs[picked[i]], cs[picked[j]]
		if a.doc != b.doc {
			return a.doc < b.doc
		}
		return a.Start < b.Start
	})
}

// conceptCover tracks which concepts (content terms) a summary states. A
// concept weighs more the more documents state it and the more sentences
// repeat it: what recurs is what the sources are about. A sentence's gain
// is the weight of the concepts it adds, relative to the largest gain any
// sentence offered at the start, so it is on the scale of the other scores.
type conceptCover struct {
	weight  map[string]float64
	covered map[string]bool
	norm    float64
}

func newConceptCover(cs []candidate) *conceptCover {
	sentences := map[string]int{}
	docs := map[string]map[int]bool{}
	for _, c := range cs {
		if c.extra {
			continue
		}
		for _, t := range c.terms {
			sentences[t]++
			if docs[t] == nil {
				docs[t] = map[int]bool{}
			}
			docs[t][c.doc] = true
		}
	}
	cc := &conceptCover{weight: make(map[string]float64, len(sentences)), covered: map[string]bool{}}
	for t, n := range sentences {
		if n > 1 {
			cc.weight[t] = float64(len(docs[t])) * math.Log(float64(n))
		}
	}
	for _, c := range cs {
		if !c.extra {
			cc.norm = math.Max(cc.norm, cc.gain(c))
		}
	}
	return cc
}

// gain is the weight of c's concepts not yet covered (raw until norm is set).
func (cc *conceptCover) gain(c candidate) float64 {
	var g float64
	for _, t := range c.terms {
		if !cc.covered[t] {
			g += cc.weight[t]
		}
	}
	if cc.norm > 0 {
		g /= cc.norm
	}
	return g
}

func (cc *conceptCover) add(c candidate) {
	for _, t := range c.terms {
		cc.covered[t] = true
	}
}
