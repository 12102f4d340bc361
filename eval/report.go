package eval

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// WriteConsole writes a table of cases, the metrics and the gates.
func WriteConsole(w io.Writer, rep *Report) error {
	if rep.Attribution != nil {
		return writeAttributionConsole(w, rep)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CASE\tRESULT\tLATENCY\tREASON\n")
	for _, c := range rep.Cases {
		res := "pass"
		if !c.Pass {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1fms\t%s\n", c.ID, res, c.LatencyMS, strings.Join(c.Reasons, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	m := rep.Metrics
	fmt.Fprintf(w, "\n%s: %d/%d passed (%.1f%%)\n", rep.Suite, m.Passed, m.Cases, 100*m.PassRate)
	for _, kv := range metricRows(m) {
		fmt.Fprintf(w, "  %-22s %s\n", kv[0], kv[1])
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

func metricRows(m Metrics) [][2]string {
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
	rows := [][2]string{
		{"fact recall", pct(m.FactRecall)},
		{"citation validity", pct(m.CitationValidity)},
		{"citation support", pct(m.CitationSupport)},
		{"abstention precision", pct(m.AbstentionPrecision)},
		{"abstention recall", pct(m.AbstentionRecall)},
		{"conflict precision", pct(m.ConflictPrecision)},
		{"conflict recall", pct(m.ConflictRecall)},
		{"retrieval hit@k", pct(m.HitAtK)},
		{"retrieval MRR", fmt.Sprintf("%.3f", m.MRR)},
		{"latency p50", fmt.Sprintf("%.1f ms", m.LatencyP50MS)},
		{"latency p95", fmt.Sprintf("%.1f ms", m.LatencyP95MS)},
	}
	if m.SummaryCases == 0 {
		return rows
	}
	return append(rows,
		[2]string{"summary cases", fmt.Sprint(m.SummaryCases)},
		[2]string{"summary fact coverage", pct(m.SummaryFactCoverage)},
		[2]string{"disagreement stated", pct(m.DisagreementStated)},
		[2]string{"redundant pairs", fmt.Sprint(m.RedundantPairs)},
		[2]string{"dangling openers", fmt.Sprint(m.DanglingOpeners)},
		[2]string{"list markup", fmt.Sprint(m.ListMarkup)},
	)
}

// caseInput describes what a case asked: its question, or the summary's
// query or documents.
func caseInput(c CaseResult) string {
	switch {
	case c.Question != "":
		return c.Question
	case c.Query != "":
		return "summarize: " + c.Query
	}
	return "summarize: " + strings.Join(c.DocIDs, ", ")
}

// WriteJSON writes the report as {"suite",...,"metrics":{...},"cases":[...]}.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName xml.Name   `xml:"testsuites"`
	Suites  []junitRun `xml:"testsuite"`
}

type junitRun struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Output    string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one testcase per case; a failure carries its reasons.
func WriteJUnit(w io.Writer, rep *Report) error {
	run := junitRun{Name: rep.Suite, Tests: len(rep.Cases), Failures: rep.Metrics.Cases - rep.Metrics.Passed}
	var total float64
	for _, c := range rep.Cases {
		total += c.LatencyMS
		jc := junitCase{Name: c.ID, Classname: rep.Suite, Time: fmt.Sprintf("%.3f", c.LatencyMS/1000),
			Output: "Q: " + caseInput(c) + "\nA: " + c.Answer}
		if !c.Pass {
			msg := strings.Join(c.Reasons, "; ")
			jc.Failure = &junitFailure{Message: msg, Text: c.ID + ": " + msg}
		}
		run.Cases = append(run.Cases, jc)
	}
	run.Time = fmt.Sprintf("%.3f", total/1000)
	return encodeJUnit(w, run)
}

// WriteMarkdown writes a summary for a CI step summary.
func WriteMarkdown(w io.Writer, rep *Report) error {
	if rep.Attribution != nil {
		return writeAttributionMarkdown(w, rep)
	}
	verdict := "passed"
	if !rep.Pass {
		verdict = "**failed**"
	}
	m := rep.Metrics
	fmt.Fprintf(w, "## Eval: %s %s\n\n%d of %d cases passed (%.1f%%).\n\n", rep.Suite, verdict, m.Passed, m.Cases, 100*m.PassRate)
	fmt.Fprintf(w, "| metric | value |\n| --- | --- |\n")
	for _, kv := range metricRows(m) {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	writeGatesMarkdown(w, rep.Gates)
	var failed []CaseResult
	for _, c := range rep.Cases {
		if !c.Pass {
			failed = append(failed, c)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(w, "\n### Failed cases\n\n| case | reason |\n| --- | --- |\n")
		for _, c := range failed {
			fmt.Fprintf(w, "| %s | %s |\n", c.ID, mdEscape(strings.Join(c.Reasons, "; ")))
		}
	}
	return nil
}

func mdEscape(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }

// The HTML report's chart: bars on a 0 to 1 axis with ticks, each gate
// drawn as a line at its threshold; values on the right, MRR as a decimal.
const (
	chartLeft  = 190 // x where the axis starts; names to its left
	chartWidth = 340 // pixels for the range 0..1
	chartRow   = 26
	chartTop   = 10
)

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct":   func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) },
	"x":     func(f float64) string { return fmt.Sprintf("%.1f", chartLeft+chartWidth*math.Max(0, math.Min(1, f))) },
	"w":     func(f float64) string { return fmt.Sprintf("%.1f", chartWidth*math.Max(0, math.Min(1, f))) },
	"join":  strings.Join,
	"input": caseInput,
	"y":     func(i int) int { return chartTop + chartRow*i },
	"ticks": func() []float64 { return []float64{0, 0.25, 0.5, 0.75, 1} },
	"add":   func(a, b int) int { return a + b },
	"left":  func() int { return chartLeft },
	"right": func() int { return chartLeft + chartWidth },
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ragcite eval: {{.Suite}}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:1em auto;max-width:70em;padding:0 1em;overflow-wrap:break-word}
.scroll{overflow-x:auto;max-width:100%}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.fail{background:#fde2e2}.pass{background:#e6f4ea}
svg.chart{width:100%;max-width:640px;height:auto;display:block}svg text{font:12px system-ui,sans-serif;fill:#1d1f21}
svg .axis{stroke:#5f6368}svg .grid{stroke:#e0e3e7}svg .gate{stroke:#b3261e;stroke-width:2;stroke-dasharray:4 2}svg .bar{fill:#4a7bd0}
svg .bar.below{fill:#d0704a}.legend{color:#5f6368;font-size:12px}</style></head><body>
<h1>Eval: {{.Suite}} {{if .Pass}}passed{{else}}failed{{end}}</h1>
<p>{{.Metrics.Passed}} of {{.Metrics.Cases}} cases passed ({{pct .Metrics.PassRate}}); latency p50 {{printf "%.1f" .Metrics.LatencyP50MS}} ms, p95 {{printf "%.1f" .Metrics.LatencyP95MS}} ms.</p>
{{if .Metrics.SummaryCases}}<p>Summaries: {{.Metrics.SummaryCases}} cases; {{.Metrics.RedundantPairs}} near-duplicate sentence pairs, {{.Metrics.DanglingOpeners}} dangling openers, {{.Metrics.ListMarkup}} sentences with list markup.</p>{{end}}
{{$n := len .Chart}}{{$axisY := y $n}}<svg class="chart" viewBox="0 0 640 {{add $axisY 40}}" role="img" aria-label="metrics on a 0 to 1 scale, with gate thresholds">
{{range ticks}}<line class="grid" x1="{{x .}}" x2="{{x .}}" y1="{{y 0}}" y2="{{$axisY}}"></line>
<line class="axis" x1="{{x .}}" x2="{{x .}}" y1="{{$axisY}}" y2="{{add $axisY 5}}"></line><text x="{{x .}}" y="{{add $axisY 18}}" text-anchor="middle">{{.}}</text>
{{end}}<line class="axis" x1="{{left}}" x2="{{right}}" y1="{{$axisY}}" y2="{{$axisY}}"></line>
<line class="axis" x1="{{left}}" x2="{{left}}" y1="{{y 0}}" y2="{{$axisY}}"></line>
<text x="{{x 0.5}}" y="{{add $axisY 34}}" text-anchor="middle">score (0 to 1)</text>
{{range $i, $m := .Chart}}<text x="{{add left -8}}" y="{{y $i}}" dy="14" text-anchor="end">{{$m.Name}}</text>
<rect class="bar{{if $m.Below}} below{{end}}" x="{{left}}" y="{{add (y $i) 2}}" width="{{w $m.Value}}" height="16"><title>{{$m.Name}}: {{$m.Label}}</title></rect>
<text x="{{add right 8}}" y="{{y $i}}" dy="14" class="value">{{$m.Label}}</text>
{{if $m.HasGate}}<line class="gate" x1="{{x $m.Gate}}" x2="{{x $m.Gate}}" y1="{{y $i}}" y2="{{add (y $i) 20}}"><title>gate: at least {{$m.Gate}}</title></line>{{end}}
{{end}}</svg>
<p class="legend">Bars are scores from 0 to 1 (rates as percentages, MRR as a decimal); a dashed red line marks a gate's minimum, and a bar below its gate is orange.</p>
{{if .Gates}}<h2>Gates</h2><div class="scroll"><table><tr><th>gate</th><th>want</th><th>got</th><th></th></tr>
{{range .Gates}}<tr class="{{if .Pass}}pass{{else}}fail{{end}}"><td>{{.Name}}</td><td>{{.Want}}</td><td>{{printf "%.4g" .Got}}</td><td>{{if .Pass}}ok{{else}}failed{{end}}</td></tr>
{{end}}</table></div>{{end}}
<h2>Cases</h2><div class="scroll"><table><tr><th>case</th><th>question or summary</th><th>answer</th><th>result</th></tr>
{{range .Cases}}<tr class="{{if .Pass}}pass{{else}}fail{{end}}"><td>{{.ID}}</td><td>{{input .}}</td><td>{{.Answer}}</td><td>{{if .Pass}}pass{{else}}{{join .Reasons "; "}}{{end}}</td></tr>
{{end}}</table></div></body></html>
`))

// chartBar is one metric in the HTML chart, with its gate if one is set.
type chartBar struct {
	Name    string
	Value   float64
	Label   string
	Gate    float64
	HasGate bool
	Below   bool
}

// gateNames maps a chart metric to the suite gate that sets its minimum.
var gateNames = map[string]string{
	"pass rate": "min_pass_rate", "fact recall": "min_fact_recall", "citation validity": "min_citation_validity",
	"citation support": "min_citation_support", "hit@k": "min_hit_at_k",
	"summary fact coverage": "min_summary_fact_coverage", "disagreement stated": "min_disagreement_stated",
}

// WriteHTML writes a self-contained page: per-case results and a chart of the metrics.
func WriteHTML(w io.Writer, rep *Report) error {
	if rep.Attribution != nil {
		return writeAttributionHTML(w, rep)
	}
	m := rep.Metrics
	chart := []chartBar{{Name: "pass rate", Value: m.PassRate}, {Name: "fact recall", Value: m.FactRecall},
		{Name: "citation validity", Value: m.CitationValidity}, {Name: "citation support", Value: m.CitationSupport},
		{Name: "abstention precision", Value: m.AbstentionPrecision}, {Name: "abstention recall", Value: m.AbstentionRecall},
		{Name: "conflict precision", Value: m.ConflictPrecision}, {Name: "conflict recall", Value: m.ConflictRecall},
		{Name: "hit@k", Value: m.HitAtK}, {Name: "MRR", Value: m.MRR}}
	if m.SummaryCases > 0 {
		chart = append(chart, chartBar{Name: "summary fact coverage", Value: m.SummaryFactCoverage},
			chartBar{Name: "disagreement stated", Value: m.DisagreementStated})
	}
	gates := map[string]float64{}
	for _, g := range rep.Gates {
		var want float64
		if _, err := fmt.Sscanf(g.Want, ">= %g", &want); err == nil && !strings.Contains(g.Name, ":") {
			gates[g.Name] = want
		}
	}
	for i := range chart {
		b := &chart[i]
		b.Label = fmt.Sprintf("%.1f%%", 100*b.Value)
		if b.Name == "MRR" {
			b.Label = fmt.Sprintf("%.3f", b.Value)
		}
		if want, ok := gates[gateNames[b.Name]]; ok {
			b.Gate, b.HasGate, b.Below = want, true, b.Value < want
		}
	}
	return htmlReport.Execute(w, struct {
		*Report
		Chart []chartBar
	}{rep, chart})
}

// encodeJUnit writes run as a JUnit XML document.
func encodeJUnit(w io.Writer, run junitRun) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(junitSuites{Suites: []junitRun{run}}); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// writeGatesMarkdown writes the gates as a Markdown table, if there are any.
func writeGatesMarkdown(w io.Writer, gates []GateResult) {
	if len(gates) == 0 {
		return
	}
	fmt.Fprintf(w, "\n| gate | want | got | |\n| --- | --- | --- | --- |\n")
	for _, g := range gates {
		mark := "ok"
		if !g.Pass {
			mark = "**failed**"
		}
		fmt.Fprintf(w, "| %s | %s | %.4g | %s |\n", g.Name, g.Want, g.Got, mark)
	}
}
