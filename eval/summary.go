package eval

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// runSummaryCase asks t for the summary a case describes and checks it.
// Its checks are listed one after another in the order the report shows
// them, each a few lines, so they are kept together.
func runSummaryCase(ctx context.Context, s *Suite, t Target, c Case, docs map[string]rag.Document) CaseResult {
	r := CaseResult{ID: c.ID, Query: c.Query, DocIDs: c.DocIDs, FactsTotal: len(c.Expect.Facts),
		expectConflict: c.Expect.Conflict, summary: true}
	fail := func(format string, args ...any) { r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...)) }
	start := time.Now()
	sum, err := t.Summarize(ctx, rag.SummarizeRequest{DocIDs: c.DocIDs, Query: c.Query, MaxSentences: c.MaxSentences, Mode: rag.Mode(s.mode(c))})
	r.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		fail("summarize failed: %v", err)
		return r
	}
	r.Answer, r.Conflict, r.Citations = sum.Summary, len(sum.Conflicts) > 0, len(sum.Citations)

	var missing []string
	for _, group := range c.Expect.Facts {
		if anyFact(sum.Summary, group) {
			r.FactsFound++
		} else {
			missing = append(missing, strings.Join(group, " | "))
		}
	}
	if need := requiredFacts(c.Expect.MinCoverage, r.FactsTotal); r.FactsFound < need {
		fail("states %d of %d facts, want %d; missing: %s", r.FactsFound, r.FactsTotal, need, strings.Join(missing, "; "))
	}
	for _, bad := range c.Expect.Not {
		if ContainsFact(sum.Summary, bad) {
			fail("states %q, which it must not", bad)
		}
	}
	sents := splitSummary(sum.Summary)
	r.Sentences = len(sents)
	if c.MaxSentences > 0 && r.Sentences > c.MaxSentences {
		fail("%d sentences, want at most %d", r.Sentences, c.MaxSentences)
	}
	if e := c.Expect.Conflict; e != nil {
		if *e != r.Conflict {
			fail("conflict flagged = %v, want %v", r.Conflict, *e)
		}
		if *e {
			r.DisagreementStated = disagreementStated(sents, sum.Conflicts)
			if !r.DisagreementStated {
				fail("no sentence states the disagreement citing each side")
			}
		}
	}
	for _, cit := range sum.Citations {
		r.CitedDocs = appendUnique(r.CitedDocs, cit.DocID)
	}
	if len(c.Expect.Cite) > 0 && !intersects(r.CitedDocs, c.Expect.Cite) {
		fail("cites %v, want one of %v", r.CitedDocs, c.Expect.Cite)
	}
	r.ValidCitations = validCitations(ctx, t, sum.Citations, docs)
	if r.ValidCitations < r.Citations {
		fail("%d of %d citations are not verbatim at their offsets", r.Citations-r.ValidCitations, r.Citations)
	}
	r.MarkersResolve = markersResolve(sum.Summary, len(sum.Citations))
	if !r.MarkersResolve {
		fail("citation markers do not match the citations one to one")
	}
	r.CitedSentences, r.Supported = citationSupport(sum.Summary, sum.Citations)
	r.RedundantPairs = len(redundantPairs(sents))
	if r.RedundantPairs > 0 {
		fail("%d near-duplicate sentence pairs", r.RedundantPairs)
	}
	for _, i := range danglingOpeners(ctx, t, sents, sum.Citations, docs) {
		r.DanglingOpeners++
		fail("sentence %d opens on %q with nothing before it to refer to", i+1, firstWords(sents[i].text, 3))
	}
	for _, i := range listMarkup(sents) {
		r.ListMarkup++
		fail("sentence %d keeps list markup: %q", i+1, firstWords(sents[i].text, 3))
	}
	r.Pass = len(r.Reasons) == 0
	return r
}

// requiredFacts is how many of total fact groups a summary must state:
// the share minCoverage (0 meaning all), rounded up.
func requiredFacts(minCoverage float64, total int) int {
	if minCoverage <= 0 {
		return total
	}
	return int(math.Ceil(minCoverage*float64(total) - 1e-9))
}

// summarySentence is one sentence of a summary: its text without markers
// and the citation numbers it carries.
type summarySentence struct {
	text    string
	markers []int
}

var markerGroupRE = regexp.MustCompile(`(?:\[\d+\])+`)

// splitSummary cuts a summary into sentences. A sentence ends after a
// marker group (and an optional period) followed by a space or the end, so
// "Sources disagree on X: $10 billion [1][2]; $50 billion [3]." is one
// sentence. Trailing text without markers is a sentence too.
func splitSummary(text string) []summarySentence {
	var out []summarySentence
	cut := 0
	add := func(piece string) {
		var s summarySentence
		for _, m := range markerRE.FindAllStringSubmatch(piece, -1) {
			n, _ := strconv.Atoi(m[1])
			s.markers = append(s.markers, n)
		}
		s.text = strings.Join(strings.Fields(markerGroupRE.ReplaceAllString(piece, "")), " ")
		if s.text != "" {
			out = append(out, s)
		}
	}
	for _, m := range markerGroupRE.FindAllStringIndex(text, -1) {
		end := m[1]
		if end < len(text) && text[end] == '.' {
			end++
		}
		if end < len(text) && !unicode.IsSpace(rune(text[end])) {
			continue
		}
		add(text[cut:end])
		cut = end
	}
	add(text[cut:])
	return out
}

// disagreementStated reports whether one sentence states two or more
// claims of a conflict, each with a marker citing it.
func disagreementStated(sents []summarySentence, conflicts []rag.Conflict) bool {
	for _, cf := range conflicts {
		for _, s := range sents {
			sides := 0
			for _, cl := range cf.Claims {
				if ContainsFact(s.text, cl.Value) && sharesInt(s.markers, cl.Citations) {
					sides++
				}
			}
			if sides >= 2 {
				return true
			}
		}
	}
	return false
}

func sharesInt(a, b []int) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// Near-duplicate sentences: two sentences are a redundant pair when their
// content-term sets overlap by Jaccard >= nearDuplicateJaccard, or when the
// smaller (of at least nearDuplicateMinTerms terms) lies mostly inside the
// larger (containment >= nearDuplicateContainment). These define the
// metric, they are not tuned: half the content words shared is a repeat to
// a reader, and so is a short sentence that a longer one restates whole.
const (
	nearDuplicateJaccard     = 0.5
	nearDuplicateContainment = 0.8
	nearDuplicateMinTerms    = 4
)

// redundantPairs returns the index pairs of near-duplicate sentences.
func redundantPairs(sents []summarySentence) [][2]int {
	sets := make([]map[string]bool, len(sents))
	for i, s := range sents {
		sets[i] = map[string]bool{}
		for _, t := range text.Terms(s.text) {
			sets[i][t] = true
		}
	}
	var out [][2]int
	for i := range sets {
		for j := i + 1; j < len(sets); j++ {
			a, b := sets[i], sets[j]
			if len(a) > len(b) {
				a, b = b, a
			}
			inter := 0
			for t := range a {
				if b[t] {
					inter++
				}
			}
			union := len(a) + len(b) - inter
			if union == 0 {
				continue
			}
			jac := float64(inter) / float64(union)
			contained := len(a) >= nearDuplicateMinTerms && float64(inter) >= nearDuplicateContainment*float64(len(a))
			if jac >= nearDuplicateJaccard || contained {
				out = append(out, [2]int{i, j})
			}
		}
	}
	return out
}

// openerWords are words that, opening a sentence, refer back to something
// said before it: pronouns, demonstratives and connectives. The harness
// keeps its own lists and check rather than calling the summarizer's
// (rag/summarize_select.go): a metric that graded summaries by the rule
// that wrote them could not catch that rule's gaps.
var openerWords = map[string]bool{
	"it": true, "its": true, "this": true, "that": true, "these": true, "those": true, "they": true,
	"their": true, "them": true, "he": true, "his": true, "she": true, "her": true, "such": true,
	"however": true, "but": true, "and": true, "yet": true, "also": true, "still": true, "meanwhile": true,
	"moreover": true, "furthermore": true, "therefore": true, "thus": true, "hence": true, "instead": true,
	"nevertheless": true, "nonetheless": true, "similarly": true, "likewise": true, "additionally": true,
	"besides": true, "otherwise": true, "consequently": true, "so": true, "then": true, "first": true,
	"second": true, "secondly": true, "third": true, "thirdly": true, "lastly": true, "finally": true,
}

// openerPhrases are multi-word openers that refer back.
var openerPhrases = []string{"in addition", "as a result", "at the same time", "that said", "even so",
	"on the other hand", "by contrast", "in contrast", "for its part", "despite this", "despite its",
	"in this context", "in response", "for now"}

// opensOnReference reports whether a sentence opens on a word or phrase
// that needs an antecedent.
func opensOnReference(s string) bool {
	s = strings.TrimLeft(s, ` "'“‘(`)
	lower := strings.ToLower(s)
	for _, p := range openerPhrases {
		if strings.HasPrefix(lower, p) && (len(lower) == len(p) || !isWordByte(lower[len(p)])) {
			return true
		}
	}
	end := 0
	for end < len(lower) && isWordByte(lower[end]) {
		end++
	}
	return openerWords[lower[:end]]
}

func isWordByte(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

// danglingOpeners returns the indexes of sentences that open on a reference
// (opensOnReference) whose antecedent is not in the summary. A sentence
// quoted from a document has its antecedent when the summary's previous
// sentence is the one just before it in that document; a written
// (non-verbatim) sentence refers to the summary itself, so only an opening
// first sentence dangles.
func danglingOpeners(ctx context.Context, t Target, sents []summarySentence, cites []rag.Citation, docs map[string]rag.Document) []int {
	var out []int
	for i, s := range sents {
		if !opensOnReference(s.text) {
			continue
		}
		if i == 0 {
			out = append(out, i)
			continue
		}
		if !verbatim(s, cites) {
			continue
		}
		if !follows(ctx, t, sents[i-1], s, cites, docs) {
			out = append(out, i)
		}
	}
	return out
}

// citation returns citation n (1-based), if it exists.
func citation(cites []rag.Citation, n int) (rag.Citation, bool) {
	if n < 1 || n > len(cites) {
		return rag.Citation{}, false
	}
	return cites[n-1], true
}

// verbatim reports whether a sentence's text lies within one of its quotes.
func verbatim(s summarySentence, cites []rag.Citation) bool {
	for _, n := range s.markers {
		if c, ok := citation(cites, n); ok && strings.Contains(strings.Join(strings.Fields(c.Quote), " "), s.text) {
			return true
		}
	}
	return false
}

// follows reports whether a quote of prev ends just before (only spaces
// between) a quote of cur in the same document.
func follows(ctx context.Context, t Target, prev, cur summarySentence, cites []rag.Citation, docs map[string]rag.Document) bool {
	for _, pn := range prev.markers {
		p, ok := citation(cites, pn)
		if !ok {
			continue
		}
		for _, cn := range cur.markers {
			c, ok := citation(cites, cn)
			if !ok || c.DocID != p.DocID || p.End > c.Start {
				continue
			}
			d, ok := document(ctx, t, c.DocID, docs)
			if ok && c.Start <= len(d.Text) && strings.TrimSpace(d.Text[p.End:c.Start]) == "" {
				return true
			}
		}
	}
	return false
}

// listMarkup returns the indexes of sentences that keep list or Markdown
// markup: a leading bullet, number or heading mark, or image/link syntax.
func listMarkup(sents []summarySentence) []int {
	var out []int
	for i, s := range sents {
		if listMarkupRE.MatchString(s.text) {
			out = append(out, i)
		}
	}
	return out
}

var listMarkupRE = regexp.MustCompile(`^\s*([•‣◦▪▫●○■□·*+\-–—]|\d{1,3}[.)]\s|#{1,6}\s)|!\[|\]\(|\*\*|__`)

// firstWords returns the first n words of s, for messages.
func firstWords(s string, n int) string {
	f := strings.Fields(s)
	if len(f) > n {
		f = f[:n]
	}
	return strings.Join(f, " ")
}
