package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ragcite/ragcite/rag"
)

// AttributionClaim is one claim with the evidence it cites and an expert's
// judgement, in the format of ExpertQA's attribution-dev.jsonl.
type AttributionClaim struct {
	ID         string   `json:"id"`
	Question   string   `json:"question"`
	System     string   `json:"system"`
	Claim      string   `json:"claim"`
	Evidence   []string `json:"evidence"`
	Label      string   `json:"label"`       // "supported" or "unsupported"
	HumanLabel string   `json:"human_label"` // e.g. Complete, Partial, Incomplete
}

// Gold labels of an attribution claim.
const (
	labelSupported   = "supported"
	labelUnsupported = "unsupported"
)

// LoadAttribution reads claims, one JSON object a line; blank lines are
// skipped. A claim without text or with a label other than supported or
// unsupported is an error naming its line.
func LoadAttribution(r io.Reader) ([]AttributionClaim, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	var out []AttributionClaim
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var c AttributionClaim
		if err := json.Unmarshal([]byte(text), &c); err != nil {
			return nil, fmt.Errorf("attribution line %d: %w", line, err)
		}
		switch {
		case strings.TrimSpace(c.Claim) == "":
			return nil, fmt.Errorf("attribution line %d: claim is empty", line)
		case c.Label != labelSupported && c.Label != labelUnsupported:
			return nil, fmt.Errorf("attribution line %d: label %q: want supported or unsupported", line, c.Label)
		}
		if c.ID == "" {
			c.ID = fmt.Sprintf("line-%d", line)
		}
		if c.HumanLabel == "" {
			c.HumanLabel = c.Label
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	if len(out) == 0 {
		return nil, errors.New("attribution: no claims")
	}
	return out, nil
}

// LoadAttributionFile reads claims from a file.
func LoadAttributionFile(path string) ([]AttributionClaim, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("attribution: %w", err)
	}
	defer f.Close()
	return LoadAttribution(f)
}

// AttributionMetrics score a verifier on claims with gold labels. Kept is
// what the drop policy keeps (verdict not unsupported); balanced accuracy
// is of the verdict supported against the rest.
type AttributionMetrics struct {
	Claims      int `json:"claims"`
	Supported   int `json:"supported"`
	Unsupported int `json:"unsupported"`
	// KeptRecall: share of supported claims not judged unsupported.
	KeptRecall float64 `json:"kept_recall"`
	// SupportedRecall: share of supported claims judged supported.
	SupportedRecall float64 `json:"supported_recall"`
	// Caught: share of unsupported claims not judged supported.
	Caught float64 `json:"caught"`
	// Dropped: share of unsupported claims judged unsupported.
	Dropped float64 `json:"dropped"`
	// BalancedAccuracy is the mean of SupportedRecall and Caught.
	BalancedAccuracy float64 `json:"balanced_accuracy"`
	// Confusion counts verdicts per expert label: Confusion["Partial"]["supported"].
	Confusion map[string]map[rag.Support]int `json:"confusion"`
}

// AttributionVerdict is one claim's verdict.
type AttributionVerdict struct {
	Claim   AttributionClaim
	Verdict rag.Verdict
}

// attributionBatch is how many claims go to the verifier at once.
const attributionBatch = 64

// RunAttribution judges every claim against its evidence with v.
func RunAttribution(ctx context.Context, claims []AttributionClaim, v rag.Verifier) ([]AttributionVerdict, error) {
	out := make([]AttributionVerdict, 0, len(claims))
	for start := 0; start < len(claims); start += attributionBatch {
		batch := claims[start:min(start+attributionBatch, len(claims))]
		checks := make([]rag.Check, len(batch))
		for i, c := range batch {
			checks[i] = rag.Check{Claim: c.Claim, Passages: c.Evidence}
		}
		vs, err := v.Verify(ctx, checks)
		if err != nil {
			return nil, fmt.Errorf("verify claims %d-%d: %w", start+1, start+len(batch), err)
		}
		for i, c := range batch {
			out = append(out, AttributionVerdict{Claim: c, Verdict: vs[i]})
		}
	}
	return out, nil
}

// ScoreAttribution computes the metrics of verdicts.
func ScoreAttribution(vs []AttributionVerdict) AttributionMetrics {
	m := AttributionMetrics{Claims: len(vs), Confusion: map[string]map[rag.Support]int{}}
	var kept, supp, caught, dropped int
	for _, v := range vs {
		s := v.Verdict.Support
		if m.Confusion[v.Claim.HumanLabel] == nil {
			m.Confusion[v.Claim.HumanLabel] = map[rag.Support]int{}
		}
		m.Confusion[v.Claim.HumanLabel][s]++
		if v.Claim.Label == labelSupported {
			m.Supported++
			kept += b2i(s != rag.Unsupported)
			supp += b2i(s == rag.Supported)
			continue
		}
		m.Unsupported++
		caught += b2i(s != rag.Supported)
		dropped += b2i(s == rag.Unsupported)
	}
	ratio := func(n, d int) float64 {
		if d == 0 {
			return 1
		}
		return float64(n) / float64(d)
	}
	m.KeptRecall, m.SupportedRecall = ratio(kept, m.Supported), ratio(supp, m.Supported)
	m.Caught, m.Dropped = ratio(caught, m.Unsupported), ratio(dropped, m.Unsupported)
	m.BalancedAccuracy = (m.SupportedRecall + m.Caught) / 2
	return m
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AttributionReport turns verdicts into a report: one case per claim,
// passing when the verdict agrees with the gold label (supported claims
// judged supported, the rest judged otherwise).
func AttributionReport(name string, vs []AttributionVerdict, elapsed time.Duration) *Report {
	m := ScoreAttribution(vs)
	rep := &Report{Suite: name, Attribution: &m, Cases: make([]CaseResult, len(vs))}
	per := 0.0
	if len(vs) > 0 {
		per = float64(elapsed.Microseconds()) / 1000 / float64(len(vs))
	}
	passed := 0
	for i, v := range vs {
		gotSupported := v.Verdict.Support == rag.Supported
		pass := gotSupported == (v.Claim.Label == labelSupported)
		c := CaseResult{ID: v.Claim.ID, Question: v.Claim.Question, Answer: v.Claim.Claim, Pass: pass, LatencyMS: per}
		if !pass {
			c.Reasons = []string{fmt.Sprintf("verdict %s (score %.2f), expert %s", v.Verdict.Support, v.Verdict.Score, v.Claim.HumanLabel)}
		} else {
			passed++
		}
		rep.Cases[i] = c
	}
	rep.Metrics = Metrics{Cases: len(vs), Passed: passed}
	if len(vs) > 0 {
		rep.Metrics.PassRate = float64(passed) / float64(len(vs))
	}
	return rep
}

// AttributionGates are minimum scores for an attribution run; zero values
// are not checked.
type AttributionGates struct {
	MinKeptRecall       float64
	MinCaught           float64
	MinBalancedAccuracy float64
}

func attributionByName(m AttributionMetrics) []struct {
	name  string
	value float64
} {
	return []struct {
		name  string
		value float64
	}{{"kept_recall", m.KeptRecall}, {"caught", m.Caught}, {"balanced_accuracy", m.BalancedAccuracy}}
}

// ApplyAttributionGates checks the gates and, when baseline is not nil,
// that no attribution metric fell more than maxRegression below it. It sets
// rep.Gates and rep.Pass.
func ApplyAttributionGates(rep *Report, g AttributionGates, baseline *AttributionMetrics, maxRegression float64) {
	m := *rep.Attribution
	for _, x := range []struct {
		name      string
		want, got float64
	}{{"min_kept_recall", g.MinKeptRecall, m.KeptRecall}, {"min_caught", g.MinCaught, m.Caught},
		{"min_balanced_accuracy", g.MinBalancedAccuracy, m.BalancedAccuracy}} {
		if x.want > 0 {
			rep.Gates = append(rep.Gates, GateResult{Name: x.name, Want: fmt.Sprintf(">= %.4g", x.want), Got: x.got, Pass: x.got >= x.want})
		}
	}
	if baseline != nil {
		base := attributionByName(*baseline)
		for i, cur := range attributionByName(m) {
			floor := base[i].value - maxRegression
			rep.Gates = append(rep.Gates, GateResult{Name: "regression:" + cur.name, Want: fmt.Sprintf(">= %.4g", floor),
				Got: cur.value, Pass: cur.value >= floor-1e-9, Detail: fmt.Sprintf("baseline %.4g", base[i].value)})
		}
	}
	rep.Pass = true
	for _, gr := range rep.Gates {
		rep.Pass = rep.Pass && gr.Pass
	}
}

// LoadAttributionBaseline reads the attribution metrics of a JSON report
// written earlier by an attribution run.
func LoadAttributionBaseline(path string) (*AttributionMetrics, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load baseline: %w", err)
	}
	var r struct {
		Attribution *AttributionMetrics `json:"attribution"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Attribution == nil {
		return nil, fmt.Errorf("load baseline %s: not a JSON report of an attribution run: %v", path, err)
	}
	return r.Attribution, nil
}

// attributionRows are the metric rows of an attribution report.
func attributionRows(m AttributionMetrics) [][2]string {
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
	return [][2]string{
		{"claims", fmt.Sprintf("%d (%d supported, %d not)", m.Claims, m.Supported, m.Unsupported)},
		{"kept recall", pct(m.KeptRecall)},
		{"supported recall", pct(m.SupportedRecall)},
		{"caught", pct(m.Caught)},
		{"dropped", pct(m.Dropped)},
		{"balanced accuracy", fmt.Sprintf("%.4f", m.BalancedAccuracy)},
	}
}

// confusionRows is the confusion table: one row per expert label, in
// name order, with its counts of supported, partial and unsupported verdicts.
func confusionRows(m AttributionMetrics) [][4]string {
	labels := make([]string, 0, len(m.Confusion))
	for l := range m.Confusion {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var out [][4]string
	for _, l := range labels {
		c := m.Confusion[l]
		out = append(out, [4]string{l, fmt.Sprint(c[rag.Supported]), fmt.Sprint(c[rag.Partial]), fmt.Sprint(c[rag.Unsupported])})
	}
	return out
}

// writeAttributionConsole writes the metrics, the confusion table and the
// gates; the claims are too many to list (see the JSON or JUnit report).
func writeAttributionConsole(w io.Writer, rep *Report) error {
	m := *rep.Attribution
	fmt.Fprintf(w, "%s\n", rep.Suite)
	for _, kv := range attributionRows(m) {
		fmt.Fprintf(w, "  %-20s %s\n", kv[0], kv[1])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nEXPERT\tSUPPORTED\tPARTIAL\tUNSUPPORTED\n")
	for _, r := range confusionRows(m) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r[0], r[1], r[2], r[3])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, g := range rep.Gates {
		verdict := "ok"
		if !g.Pass {
			verdict = "FAILED"
		}
		fmt.Fprintf(w, "gate %s: got %.4g, want %s: %s\n", g.Name, g.Got, g.Want, verdict)
	}
	return nil
}

// writeAttributionMarkdown writes the metrics, confusion table and gates.
func writeAttributionMarkdown(w io.Writer, rep *Report) error {
	verdict := "passed"
	if !rep.Pass {
		verdict = "**failed**"
	}
	m := *rep.Attribution
	fmt.Fprintf(w, "## Attribution: %s %s\n\n| metric | value |\n| --- | --- |\n", mdEscape(rep.Suite), verdict)
	for _, kv := range attributionRows(m) {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	fmt.Fprintf(w, "\n| expert label | supported | partial | unsupported |\n| --- | --- | --- | --- |\n")
	for _, r := range confusionRows(m) {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdEscape(r[0]), r[1], r[2], r[3])
	}
	writeGatesMarkdown(w, rep.Gates)
	return nil
}

var attributionHTML = htmltemplate.Must(htmltemplate.New("attribution").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ragcite attribution: {{.Suite}}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.fail{background:#fde2e2}.pass{background:#e6f4ea}</style></head><body>
<h1>Attribution: {{.Suite}} {{if .Pass}}passed{{else}}failed{{end}}</h1>
<table>{{range .Rows}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<h2>Verdicts per expert label</h2>
<table><tr><th>expert label</th><th>supported</th><th>partial</th><th>unsupported</th></tr>
{{range .Confusion}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td><td>{{index . 2}}</td><td>{{index . 3}}</td></tr>{{end}}</table>
{{if .Gates}}<h2>Gates</h2><table><tr><th>gate</th><th>want</th><th>got</th><th></th></tr>
{{range .Gates}}<tr class="{{if .Pass}}pass{{else}}fail{{end}}"><td>{{.Name}}</td><td>{{.Want}}</td><td>{{printf "%.4g" .Got}}</td><td>{{if .Pass}}ok{{else}}failed{{end}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`))

// writeAttributionHTML writes a self-contained page of the metrics, the
// confusion table and the gates.
func writeAttributionHTML(w io.Writer, rep *Report) error {
	return attributionHTML.Execute(w, struct {
		*Report
		Rows      [][2]string
		Confusion [][4]string
	}{rep, attributionRows(*rep.Attribution), confusionRows(*rep.Attribution)})
}
