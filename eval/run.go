package eval

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// CaseResult is the outcome of one case. A summary case has Query or
// DocIDs instead of Question, and its text in Answer.
type CaseResult struct {
	ID        string   `json:"id"`
	Question  string   `json:"question,omitempty"`
	Query     string   `json:"query,omitempty"`
	DocIDs    []string `json:"doc_ids,omitempty"`
	Pass      bool     `json:"pass"`
	Reasons   []string `json:"reasons,omitempty"`
	Answer    string   `json:"answer"`
	Abstained bool     `json:"abstained"`
	Conflict  bool     `json:"conflict"`
	CitedDocs []string `json:"cited_docs,omitempty"`
	// FactsFound of FactsTotal fact groups were stated.
	FactsFound int `json:"facts_found"`
	FactsTotal int `json:"facts_total"`
	// Citations, of which ValidCitations have verbatim quotes at their offsets.
	Citations      int  `json:"citations"`
	ValidCitations int  `json:"valid_citations"`
	MarkersResolve bool `json:"markers_resolve"`
	// CitedSentences, of which Supported are supported by their quotes.
	CitedSentences int `json:"cited_sentences"`
	Supported      int `json:"supported_sentences"`
	// HitRank is the rank (1-based) of the first retrieved passage from an
	// expected document; 0 when none was retrieved or none was expected.
	HitRank   int     `json:"hit_rank"`
	LatencyMS float64 `json:"latency_ms"`
	// Summary cases: sentences, whether one states the disagreement, and
	// the defects found (see summary.go).
	Sentences          int  `json:"sentences,omitempty"`
	DisagreementStated bool `json:"disagreement_stated,omitempty"`
	RedundantPairs     int  `json:"redundant_pairs,omitempty"`
	DanglingOpeners    int  `json:"dangling_openers,omitempty"`
	ListMarkup         int  `json:"list_markup,omitempty"`

	summary        bool
	expectAbstain  *bool
	expectConflict *bool
	expectCite     bool
}

// Metrics summarise a run. Ratios are in [0,1]; a metric with nothing to
// measure is 1 (nothing failed).
type Metrics struct {
	Cases               int     `json:"cases"`
	Passed              int     `json:"passed"`
	PassRate            float64 `json:"pass_rate"`
	FactRecall          float64 `json:"fact_recall"`
	CitationValidity    float64 `json:"citation_validity"`
	CitationSupport     float64 `json:"citation_support"`
	AbstentionPrecision float64 `json:"abstention_precision"`
	AbstentionRecall    float64 `json:"abstention_recall"`
	ConflictPrecision   float64 `json:"conflict_precision"`
	ConflictRecall      float64 `json:"conflict_recall"`
	HitAtK              float64 `json:"hit_at_k"`
	MRR                 float64 `json:"mrr"`
	LatencyP50MS        float64 `json:"latency_p50_ms"`
	LatencyP95MS        float64 `json:"latency_p95_ms"`
	// Summary cases: the share of key facts stated, the share of cases
	// expecting a disagreement whose summary states it in one sentence
	// citing each side, and defect counts over all summaries.
	SummaryCases        int     `json:"summary_cases"`
	SummaryFactCoverage float64 `json:"summary_fact_coverage"`
	DisagreementStated  float64 `json:"disagreement_stated"`
	RedundantPairs      int     `json:"redundant_pairs"`
	DanglingOpeners     int     `json:"dangling_openers"`
	ListMarkup          int     `json:"list_markup"`
}

// Report is a whole run.
type Report struct {
	Suite   string       `json:"suite"`
	Target  string       `json:"target"`
	Pass    bool         `json:"pass"`
	Metrics Metrics      `json:"metrics"`
	Gates   []GateResult `json:"gates"`
	Cases   []CaseResult `json:"cases"`
	// Attribution holds the metrics of a claim attribution run (eval
	// --attribution), whose cases are claims.
	Attribution *AttributionMetrics `json:"attribution,omitempty"`
}

// Run asks every case of s against t (documents already ingested) and scores it.
func Run(ctx context.Context, s *Suite, t Target) (*Report, error) {
	rep := &Report{Suite: s.Name}
	docs := map[string]rag.Document{}
	for _, c := range s.Cases {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if c.IsSummary() {
			rep.Cases = append(rep.Cases, runSummaryCase(ctx, s, t, c, docs))
			continue
		}
		rep.Cases = append(rep.Cases, runCase(ctx, s, t, c, docs))
	}
	rep.Metrics = ComputeMetrics(rep.Cases)
	return rep, nil
}

func runCase(ctx context.Context, s *Suite, t Target, c Case, docs map[string]rag.Document) CaseResult {
	r := CaseResult{ID: c.ID, Question: c.Question, FactsTotal: len(c.Expect.Facts),
		expectAbstain: c.Expect.Abstain, expectConflict: c.Expect.Conflict, expectCite: len(c.Expect.Cite) > 0}
	fail := func(format string, args ...any) { r.Reasons = append(r.Reasons, fmt.Sprintf(format, args...)) }
	start := time.Now()
	ans, err := t.Ask(ctx, rag.AskRequest{Question: c.Question, TopK: s.topK(c), Mode: rag.Mode(s.mode(c))})
	r.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		fail("ask failed: %v", err)
		return r
	}
	r.Answer, r.Abstained, r.Conflict, r.Citations = ans.Answer, ans.Abstained, len(ans.Conflicts) > 0, len(ans.Citations)

	for _, group := range c.Expect.Facts {
		if anyFact(ans.Answer, group) {
			r.FactsFound++
		} else {
			fail("missing fact: %s", strings.Join(group, " | "))
		}
	}
	for _, bad := range c.Expect.Not {
		if ContainsFact(ans.Answer, bad) {
			fail("states %q, which it must not", bad)
		}
	}
	if e := c.Expect.Abstain; e != nil && *e != ans.Abstained {
		fail("abstained = %v, want %v", ans.Abstained, *e)
	}
	if e := c.Expect.Conflict; e != nil && *e != r.Conflict {
		fail("conflict flagged = %v, want %v", r.Conflict, *e)
	}
	for _, cit := range ans.Citations {
		r.CitedDocs = appendUnique(r.CitedDocs, cit.DocID)
	}
	if len(c.Expect.Cite) > 0 && !intersects(r.CitedDocs, c.Expect.Cite) {
		fail("cites %v, want one of %v", r.CitedDocs, c.Expect.Cite)
	}
	r.ValidCitations = validCitations(ctx, t, ans.Citations, docs)
	if r.ValidCitations < r.Citations {
		fail("%d of %d citations are not verbatim at their offsets", r.Citations-r.ValidCitations, r.Citations)
	}
	r.MarkersResolve = markersResolve(ans.Answer, len(ans.Citations))
	if !r.MarkersResolve {
		fail("citation markers do not match the citations one to one")
	}
	r.CitedSentences, r.Supported = citationSupport(ans.Answer, ans.Citations)
	if len(c.Expect.Cite) > 0 {
		r.HitRank = hitRank(ctx, t, c, s.topK(c))
	}
	r.Pass = len(r.Reasons) == 0
	return r
}

func anyFact(text string, variants []string) bool {
	for _, v := range variants {
		if ContainsFact(text, v) {
			return true
		}
	}
	return false
}

// validCitations counts citations whose quote is the document text at [start,end).
func validCitations(ctx context.Context, t Target, cites []rag.Citation, docs map[string]rag.Document) int {
	n := 0
	for _, c := range cites {
		d, ok := document(ctx, t, c.DocID, docs)
		if !ok {
			continue
		}
		if c.Start >= 0 && c.Start <= c.End && c.End <= len(d.Text) && d.Text[c.Start:c.End] == c.Quote {
			n++
		}
	}
	return n
}

// document returns a document from the cache docs, fetching it from t once.
func document(ctx context.Context, t Target, id string, docs map[string]rag.Document) (rag.Document, bool) {
	if d, ok := docs[id]; ok {
		return d, true
	}
	d, err := t.Document(ctx, id)
	if err != nil {
		return rag.Document{}, false
	}
	docs[id] = d
	return d, true
}

var markerRE = regexp.MustCompile(`\[(\d+)\]`)

// markersResolve: every [n] names a citation, and every citation is named.
func markersResolve(text string, citations int) bool {
	used := map[int]bool{}
	for _, m := range markerRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > citations {
			return false
		}
		used[n] = true
	}
	return len(used) == citations
}

// sentenceRE splits an answer into cited sentences: text up to and including
// its marker group.
var sentenceRE = regexp.MustCompile(`[^\[\]]+?((?:\[\d+\])+)\.?`)

// citationSupport counts cited sentences and those their quotes support:
// every number the sentence states, and at least half its content terms,
// appear in its cited quotes. A "Sources disagree" sentence states only
// figures, so only its numbers are checked.
func citationSupport(text string, cites []rag.Citation) (cited, supported int) {
	for _, m := range sentenceRE.FindAllStringSubmatch(text, -1) {
		sentence := strings.TrimSpace(strings.TrimSuffix(m[0], m[1]))
		sentence = strings.TrimSpace(markerRE.ReplaceAllString(sentence, ""))
		var quotes strings.Builder
		for _, n := range markerRE.FindAllStringSubmatch(m[1], -1) {
			i, _ := strconv.Atoi(n[1])
			if i >= 1 && i <= len(cites) {
				quotes.WriteString(cites[i-1].Quote)
				quotes.WriteString(" ")
			}
		}
		cited++
		if supportedBy(sentence, quotes.String()) {
			supported++
		}
	}
	return cited, supported
}

var numberRE = regexp.MustCompile(`\d+(?:\.\d+)?`)

func supportedBy(sentence, quotes string) bool {
	nq := Normalize(quotes)
	for _, n := range numberRE.FindAllString(Normalize(sentence), -1) {
		if !strings.Contains(" "+nq+" ", " "+n+" ") {
			return false
		}
	}
	if strings.HasPrefix(sentence, "Sources disagree") {
		return true
	}
	have := map[string]bool{}
	for _, t := range text.Terms(quotes) {
		have[t] = true
	}
	terms := text.Terms(sentence)
	if len(terms) == 0 {
		return true
	}
	found := 0
	for _, t := range terms {
		if have[t] {
			found++
		}
	}
	return found*2 >= len(terms)
}

// hitRank searches for the question and returns the rank of the first
// passage from an expected document.
func hitRank(ctx context.Context, t Target, c Case, k int) int {
	res, err := t.Search(ctx, rag.SearchRequest{Query: c.Question, TopK: k})
	if err != nil {
		return 0
	}
	for i, r := range res {
		for _, id := range c.Expect.Cite {
			if r.DocID == id {
				return i + 1
			}
		}
	}
	return 0
}

// ComputeMetrics summarises case results. It is one pass that accumulates
// every metric's numerator and denominator side by side, so each case is
// counted in exactly the metrics its kind and expectations call for.
func ComputeMetrics(cases []CaseResult) Metrics {
	m := Metrics{Cases: len(cases)}
	var factsFound, factsTotal, cites, valid, cited, supported int
	var absTP, absPred, absPos, cfTP, cfPred, cfPos, hitCases, hits int
	var sumFound, sumTotal, disPos, disStated int
	var rr float64
	var lat []float64
	for _, c := range cases {
		if c.Pass {
			m.Passed++
		}
		if c.summary {
			m.SummaryCases++
			sumFound += c.FactsFound
			sumTotal += c.FactsTotal
			if c.expectConflict != nil && *c.expectConflict {
				disPos++
				if c.DisagreementStated {
					disStated++
				}
			}
			m.RedundantPairs += c.RedundantPairs
			m.DanglingOpeners += c.DanglingOpeners
			m.ListMarkup += c.ListMarkup
		} else {
			factsFound += c.FactsFound
			factsTotal += c.FactsTotal
		}
		cites += c.Citations
		valid += c.ValidCitations
		cited += c.CitedSentences
		supported += c.Supported
		if c.expectAbstain != nil {
			if *c.expectAbstain {
				absPos++
			}
			if c.Abstained {
				absPred++
				if *c.expectAbstain {
					absTP++
				}
			}
		}
		if c.expectConflict != nil {
			if *c.expectConflict {
				cfPos++
			}
			if c.Conflict {
				cfPred++
				if *c.expectConflict {
					cfTP++
				}
			}
		}
		if c.expectCite {
			hitCases++
			if c.HitRank > 0 {
				hits++
				rr += 1 / float64(c.HitRank)
			}
		}
		lat = append(lat, c.LatencyMS)
	}
	m.PassRate = ratio(m.Passed, m.Cases)
	m.FactRecall = ratio(factsFound, factsTotal)
	m.SummaryFactCoverage = ratio(sumFound, sumTotal)
	m.DisagreementStated = ratio(disStated, disPos)
	m.CitationValidity = ratio(valid, cites)
	m.CitationSupport = ratio(supported, cited)
	m.AbstentionPrecision = ratio(absTP, absPred)
	m.AbstentionRecall = ratio(absTP, absPos)
	m.ConflictPrecision = ratio(cfTP, cfPred)
	m.ConflictRecall = ratio(cfTP, cfPos)
	m.HitAtK = ratio(hits, hitCases)
	if hitCases > 0 {
		m.MRR = round4(rr / float64(hitCases))
	} else {
		m.MRR = 1
	}
	m.LatencyP50MS, m.LatencyP95MS = percentile(lat, 0.5), percentile(lat, 0.95)
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return round4(float64(a) / float64(b))
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

// percentile is the nearest-rank percentile of xs.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return round4(s[max(i, 0)])
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
