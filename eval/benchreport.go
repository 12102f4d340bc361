package eval

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
)

// BenchmarkReport is the outcome of a public benchmark run (WikiQA and the
// like): named scores over a data file. Every eval mode writes the same
// report formats as a suite run: JSON, JUnit XML, Markdown and HTML.
type BenchmarkReport struct {
	Benchmark string  `json:"benchmark"`
	Data      string  `json:"data"`
	Questions int     `json:"questions"`
	Scores    []Score `json:"scores"`
	// Result is the benchmark's own result object, in full.
	Result any `json:"result"`
}

// Score is one named figure of a benchmark. Ratio scores are in [0,1].
type Score struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// WikiQAReport wraps a WikiQA result as a benchmark report.
func WikiQAReport(res WikiQAResult, data string) *BenchmarkReport {
	return &BenchmarkReport{Benchmark: "WikiQA", Data: data, Questions: res.Questions, Result: res, Scores: []Score{
		{"MAP", res.MAP}, {"MRR", res.MRR}, {"answer triggering precision", res.Precision},
		{"answer triggering recall", res.Recall}, {"answer triggering F1", res.F1},
	}}
}

// WriteBenchmarkJSON writes the report as indented JSON.
func WriteBenchmarkJSON(w io.Writer, rep *BenchmarkReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// WriteBenchmarkJUnit writes one passing testcase per score, its value in
// the output: a benchmark measures, it has no gate of its own.
func WriteBenchmarkJUnit(w io.Writer, rep *BenchmarkReport) error {
	run := junitRun{Name: rep.Benchmark, Tests: len(rep.Scores), Time: "0"}
	for _, s := range rep.Scores {
		run.Cases = append(run.Cases, junitCase{Name: s.Name, Classname: rep.Benchmark, Time: "0",
			Output: fmt.Sprintf("%s: %.4f over %d questions of %s", s.Name, s.Value, rep.Questions, rep.Data)})
	}
	return encodeJUnit(w, run)
}

// WriteBenchmarkMarkdown writes a table of the scores.
func WriteBenchmarkMarkdown(w io.Writer, rep *BenchmarkReport) error {
	fmt.Fprintf(w, "## %s: %d questions (%s)\n\n| score | value |\n| --- | --- |\n", rep.Benchmark, rep.Questions, mdEscape(rep.Data))
	for _, s := range rep.Scores {
		if _, err := fmt.Fprintf(w, "| %s | %.4f |\n", s.Name, s.Value); err != nil {
			return err
		}
	}
	return nil
}

var benchmarkHTML = template.Must(template.New("bench").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ragcite {{.Benchmark}}</title>
<style>body{font:14px system-ui,sans-serif;margin:1em auto;max-width:50em;padding:0 1em}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}</style></head><body>
<h1>{{.Benchmark}}</h1>
<p>{{.Questions}} questions from <code>{{.Data}}</code>.</p>
<table><tr><th>score</th><th>value</th></tr>
{{range .Scores}}<tr><td>{{.Name}}</td><td class="n">{{printf "%.4f" .Value}}</td></tr>
{{end}}</table></body></html>
`))

// WriteBenchmarkHTML writes a self-contained page with the scores.
func WriteBenchmarkHTML(w io.Writer, rep *BenchmarkReport) error {
	return benchmarkHTML.Execute(w, rep)
}
