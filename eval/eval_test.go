package eval

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	goldenfile "github.com/ragcite/ragcite/internal/golden"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/load"
)

func boolp(b bool) *bool { return &b }

func TestComputeMetricsHandComputed(t *testing.T) {
	cases := []CaseResult{
		// Passes; 2 of 2 facts; 2 valid citations of 2; both sentences supported; hit at rank 1.
		{Pass: true, FactsFound: 2, FactsTotal: 2, Citations: 2, ValidCitations: 2, CitedSentences: 2, Supported: 2,
			HitRank: 1, LatencyMS: 10, expectCite: true, expectConflict: boolp(true), Conflict: true},
		// Fails: 0 of 1 facts; 1 citation, invalid; sentence unsupported; hit at rank 2.
		{FactsTotal: 1, Citations: 1, CitedSentences: 1, HitRank: 2, LatencyMS: 20, expectCite: true,
			expectConflict: boolp(false), Conflict: true},
		// Must abstain and does.
		{Pass: true, Abstained: true, LatencyMS: 30, expectAbstain: boolp(true)},
		// Must abstain and does not; no citation expected.
		{Abstained: false, LatencyMS: 40, expectAbstain: boolp(true)},
		// Answerable, abstains wrongly; expected a citation, none retrieved.
		{Abstained: true, LatencyMS: 50, expectAbstain: boolp(false), expectCite: true},
		// Summaries: their facts count apart from answers' facts.
		{summary: true, FactsFound: 3, FactsTotal: 4, Citations: 3, ValidCitations: 3, LatencyMS: 60,
			expectConflict: boolp(true), Conflict: true, DisagreementStated: true, RedundantPairs: 1},
		{summary: true, Pass: true, FactsFound: 1, FactsTotal: 2, LatencyMS: 70,
			expectConflict: boolp(true), Conflict: true, DanglingOpeners: 2, ListMarkup: 1},
		{summary: true, Pass: true, FactsFound: 2, FactsTotal: 2, LatencyMS: 80, expectConflict: boolp(false)},
	}
	m := ComputeMetrics(cases)
	want := Metrics{
		Cases: 8, Passed: 4, PassRate: 0.5,
		FactRecall:          0.6667, // 2 of 3 groups
		CitationValidity:    0.8333, // 5 of 6
		CitationSupport:     0.6667, // 2 of 3
		AbstentionPrecision: 0.5,    // 1 right of 2 abstentions
		AbstentionRecall:    0.5,    // 1 of 2 that should
		ConflictPrecision:   0.75,   // 3 right of 4 flagged
		ConflictRecall:      1,      // 3 of 3
		HitAtK:              0.6667, // 2 of 3 cases expecting citations
		MRR:                 0.5,    // (1 + 1/2 + 0) / 3
		LatencyP50MS:        40,
		LatencyP95MS:        80,
		SummaryCases:        3,
		SummaryFactCoverage: 0.75, // 6 of 8 groups
		DisagreementStated:  0.5,  // 1 of the 2 that must state one
		RedundantPairs:      1,
		DanglingOpeners:     2,
		ListMarkup:          1,
	}
	if m != want {
		t.Errorf("metrics\n got %+v\nwant %+v", m, want)
	}
}

func TestApplyGates(t *testing.T) {
	rep := &Report{Metrics: Metrics{PassRate: 0.8, FactRecall: 0.9, HitAtK: 1, MRR: 0.7, CitationValidity: 1, CitationSupport: 1,
		AbstentionPrecision: 1, AbstentionRecall: 1, ConflictPrecision: 1, ConflictRecall: 1, LatencyP95MS: 12}}
	ApplyGates(rep, Gates{MinPassRate: 0.9, MaxLatencyP95MS: 100}, nil, 0)
	if rep.Pass || len(rep.Gates) != 2 || rep.Gates[0].Pass || !rep.Gates[1].Pass {
		t.Errorf("gates %+v pass %v", rep.Gates, rep.Pass)
	}
	base := rep.Metrics
	base.MRR = 0.75
	rep.Gates = nil
	ApplyGates(rep, Gates{}, &base, 0.02)
	for _, g := range rep.Gates {
		if (g.Name == "regression:mrr") == g.Pass {
			t.Errorf("gate %+v", g)
		}
	}
	rep.Gates = nil
	ApplyGates(rep, Gates{MinPassRate: 0.8}, &base, 0.06)
	if !rep.Pass {
		t.Errorf("a drop within the allowed regression failed: %+v", rep.Gates)
	}
}

// A suite without gates fails when any case fails; min_pass_rate or a
// metric gate relaxes that.
func TestApplyGatesDefaultEveryCasePasses(t *testing.T) {
	tests := []struct {
		name     string
		gates    Gates
		passed   int
		wantPass bool
	}{
		{"no gates, all pass", Gates{}, 5, true},
		{"no gates, one fails", Gates{}, 4, false},
		{"min_pass_rate relaxes", Gates{MinPassRate: 0.8}, 4, true},
		{"metric gate relaxes", Gates{MinFactRecall: 0.5}, 4, true},
		{"metric gate still checked", Gates{MinFactRecall: 0.95}, 4, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := &Report{Metrics: Metrics{Cases: 5, Passed: tc.passed, PassRate: float64(tc.passed) / 5, FactRecall: 0.9}}
			ApplyGates(rep, tc.gates, nil, 0)
			if rep.Pass != tc.wantPass {
				t.Errorf("pass %v, want %v; gates %+v", rep.Pass, tc.wantPass, rep.Gates)
			}
		})
	}
}

func TestSummaryGates(t *testing.T) {
	zero, one := 0, 1
	m := Metrics{PassRate: 1, SummaryCases: 2, SummaryFactCoverage: 0.75, DisagreementStated: 1, RedundantPairs: 1, DanglingOpeners: 0, ListMarkup: 2}
	rep := &Report{Metrics: m}
	ApplyGates(rep, Gates{MinSummaryFactCoverage: 0.8, MinDisagreementStated: 1, MaxRedundantPairs: &one, MaxDanglingOpeners: &zero, MaxListMarkup: &one}, nil, 0)
	got := map[string]bool{}
	for _, g := range rep.Gates {
		got[g.Name] = g.Pass
	}
	want := map[string]bool{"min_summary_fact_coverage": false, "min_disagreement_stated": true,
		"max_redundant_pairs": true, "max_dangling_openers": true, "max_list_markup": false}
	if fmt.Sprint(got) != fmt.Sprint(want) || rep.Pass {
		t.Errorf("gates %v pass %v, want %v and a failure", got, rep.Pass, want)
	}
	// Against a baseline, a defect count may not rise.
	base := m
	base.ListMarkup = 1
	rep.Gates = nil
	ApplyGates(rep, Gates{}, &base, 0.02)
	for _, g := range rep.Gates {
		if (g.Name == "regression:list_markup") == g.Pass {
			t.Errorf("gate %+v", g)
		}
	}
}

func TestParseSuiteErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "name: x\ncases:\n  - id: a\n    question: q\n    expect: {facts: [[a]], cites: [b]}\n", `unknown field "cites"`},
		{"no cases", "name: x\n", "no cases"},
		{"duplicate", "cases:\n  - {id: a, question: q}\n  - {id: a, question: r}\n", "duplicate id"},
		{"empty question", "cases:\n  - {id: a, question: ' '}\n", "question is empty"},
		{"abstain and facts", "cases:\n  - {id: a, question: q, expect: {abstain: true, facts: [[x]]}}\n", "cannot expect facts"},
		{"gate range", "cases:\n  - {id: a, question: q}\ngates: {min_pass_rate: 2}\n", "min_pass_rate"},
		{"question and summary", "cases:\n  - {id: a, question: q, doc_ids: [d]}\n", "not both"},
		{"doc_ids and query", "cases:\n  - {id: a, doc_ids: [d], query: q}\n", "doc_ids or query, not both"},
		{"summary sentences", "cases:\n  - {id: a, query: q, max_sentences: 99}\n", "max_sentences 99"},
		{"summary abstain", "cases:\n  - {id: a, query: q, expect: {abstain: true}}\n", "cannot expect abstain"},
		{"coverage range", "cases:\n  - {id: a, query: q, expect: {min_coverage: 1.5}}\n", "min_coverage 1.5"},
		{"coverage on a question", "cases:\n  - {id: a, question: q, expect: {min_coverage: 0.5}}\n", "for summary cases"},
		{"unknown summary field", "cases:\n  - {id: a, query: q, max_sentence: 3}\n", `unknown field "max_sentence" in cases[1]`},
		{"negative max gate", "cases:\n  - {id: a, query: q}\ngates: {max_list_markup: -1}\n", "max_list_markup -1"},
		{"summary gate range", "cases:\n  - {id: a, query: q}\ngates: {min_summary_fact_coverage: 2}\n", "min_summary_fact_coverage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSuite([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// miniSuite runs a small suite over the sample articles in-process.
func miniSuite(t *testing.T) *Report {
	t.Helper()
	s, err := ParseSuite([]byte(`
name: mini
documents: [../testdata/articles]
defaults: {top_k: 6}
cases:
  - id: investment-size
    question: How much is Amazon reportedly considering investing in OpenAI?
    expect: {facts: [["$10bn"]], not: ["$100 billion"], conflict: true, cite: [001_8052e21e807529c1, 003_17dd2cfb5a48fc5b]}
  - id: impossible-fact
    question: Who is the CEO of OpenAI?
    expect: {facts: [["Satya Nadella"]]}
  - id: not-covered
    question: What is the boiling point of liquid nitrogen?
    expect: {abstain: true}
  - id: summary-all
    doc_ids: [000_bc28017ad2dcc5a8, 001_8052e21e807529c1, 002_6bb1d7f6ca996efa, 003_17dd2cfb5a48fc5b, 004_8f144d5e482b9c40]
    max_sentences: 4
    expect: {facts: [["$10 billion", "$10bn"], ["$50 billion"], ["Nadella"]], min_coverage: 0.6, conflict: true}
gates: {min_pass_rate: 0.9, max_dangling_openers: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	s.Dir = "."
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	docs, _, err := load.Paths(s.DocumentPaths())
	if err != nil {
		t.Fatal(err)
	}
	target := EngineTarget{Engine: eng}
	if err := target.Ingest(ctx, docs); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, s, target)
	if err != nil {
		t.Fatal(err)
	}
	ApplyGates(rep, s.Gates, nil, 0)
	return rep
}

func TestRunSuite(t *testing.T) {
	rep := miniSuite(t)
	got := map[string]CaseResult{}
	for _, c := range rep.Cases {
		got[c.ID] = c
	}
	if c := got["summary-all"]; !c.Pass || !c.DisagreementStated || c.Sentences > 4 || c.FactsFound != 2 {
		t.Errorf("summary case: %+v", c)
	}
	if !got["investment-size"].Pass || !got["not-covered"].Pass {
		t.Errorf("cases: %+v", rep.Cases)
	}
	if c := got["impossible-fact"]; c.Pass || !strings.Contains(strings.Join(c.Reasons, ";"), "missing fact: Satya Nadella") {
		t.Errorf("impossible fact: %+v", c)
	}
	if rep.Pass || rep.Metrics.Passed != 3 || rep.Metrics.CitationValidity != 1 || rep.Metrics.SummaryCases != 1 {
		t.Errorf("report pass %v metrics %+v", rep.Pass, rep.Metrics)
	}
}

// stableReport blanks what varies from run to run.
func stableReport(rep *Report) *Report {
	out := *rep
	out.Cases = append([]CaseResult(nil), rep.Cases...)
	for i := range out.Cases {
		out.Cases[i].LatencyMS = 1
	}
	out.Metrics.LatencyP50MS, out.Metrics.LatencyP95MS = 1, 1
	return &out
}

func TestReportGoldens(t *testing.T) {
	rep := stableReport(miniSuite(t))
	for _, g := range []struct {
		name  string
		write func(io.Writer, *Report) error
	}{{"report.json", WriteJSON}, {"report.xml", WriteJUnit}, {"report.md", WriteMarkdown}, {"report.html", WriteHTML}, {"report.txt", WriteConsole}} {
		t.Run(g.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := g.write(&buf, rep); err != nil {
				t.Fatal(err)
			}
			golden(t, g.name, buf.String())
		})
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

func TestReplayRoundTrip(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"echo\":%q,\"n\":%d}\n\ndata: [DONE]\n\n", body, calls)
	}))
	dir := t.TempDir()
	rec := &http.Client{Transport: &Replay{Dir: dir}}
	post := func(c *http.Client, body string) (string, error) {
		resp, err := c.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.Header.Get("Content-Type") + "|" + string(b), err
	}
	first, err := post(rec, `{"model":"m","messages":[{"role":"user","content":"hi"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close() // replay must not need the server
	replay := &http.Client{Transport: &Replay{Dir: dir, ReplayOnly: true}}
	// Same request with its keys in another order replays the same bytes.
	again, err := post(replay, `{"messages":[{"content":"hi","role":"user"}],"model":"m"}`)
	if err != nil {
		t.Fatal(err)
	}
	if again != first || calls != 1 {
		t.Errorf("replayed %q, recorded %q, server calls %d", again, first, calls)
	}
	if _, err := post(replay, `{"model":"m","messages":[{"role":"user","content":"other"}]}`); err == nil || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("missing entry: err = %v, want a not-recorded error", err)
	}
}

func TestHTTPTargetMatchesEngine(t *testing.T) {
	ctx := context.Background()
	st, _ := chromemstore.Open(ctx, "")
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	srv := httptest.NewServer(fakeAPI(t, eng))
	defer srv.Close()
	target := &HTTPTarget{BaseURL: srv.URL, APIKey: "k"}
	docs, _, _ := load.Paths([]string{"../testdata/articles"})
	if err := target.Ingest(ctx, docs); err != nil {
		t.Fatal(err)
	}
	ans, err := target.Ask(ctx, rag.AskRequest{Question: "Who is the CEO of OpenAI?"})
	if err != nil || !strings.Contains(ans.Answer, "Sam Altman") {
		t.Fatalf("ask over HTTP: %+v %v", ans, err)
	}
	d, err := target.Document(ctx, ans.Citations[0].DocID)
	if err != nil || d.Text[ans.Citations[0].Start:ans.Citations[0].End] != ans.Citations[0].Quote {
		t.Fatalf("document over HTTP: %v", err)
	}
	sum, err := target.Summarize(ctx, rag.SummarizeRequest{DocIDs: []string{"003_17dd2cfb5a48fc5b"}, MaxSentences: 2})
	if err != nil || len(sum.Citations) == 0 || sum.Conflicts == nil || !strings.Contains(sum.Summary, "[1]") {
		t.Fatalf("summarize over HTTP: %+v %v", sum, err)
	}
	if _, err := target.Document(ctx, "nope"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown document: %v", err)
	}
}
