package eval

import (
	"encoding/json"
	"fmt"
	"os"
)

// GateResult is one gate's verdict.
type GateResult struct {
	Name   string  `json:"name"`
	Want   string  `json:"want"`
	Got    float64 `json:"got"`
	Pass   bool    `json:"pass"`
	Detail string  `json:"detail,omitempty"`
}

// metricsByName lists the metrics a baseline comparison checks, all higher
// is better (latency is gated by max_latency_p95_ms instead: it varies by machine).
func metricsByName(m Metrics) []struct {
	name  string
	value float64
} {
	return []struct {
		name  string
		value float64
	}{
		{"pass_rate", m.PassRate}, {"fact_recall", m.FactRecall}, {"citation_validity", m.CitationValidity},
		{"citation_support", m.CitationSupport}, {"abstention_precision", m.AbstentionPrecision},
		{"abstention_recall", m.AbstentionRecall}, {"conflict_precision", m.ConflictPrecision},
		{"conflict_recall", m.ConflictRecall}, {"hit_at_k", m.HitAtK}, {"mrr", m.MRR},
		{"summary_fact_coverage", m.SummaryFactCoverage}, {"disagreement_stated", m.DisagreementStated},
	}
}

// IsZero reports whether no gate is set.
func (g Gates) IsZero() bool { return g == Gates{} }

// defectsByName lists the summary defect counts, all lower is better; a
// baseline comparison allows none more than the baseline had.
func defectsByName(m Metrics) []struct {
	name  string
	value int
} {
	return []struct {
		name  string
		value int
	}{{"redundant_pairs", m.RedundantPairs}, {"dangling_openers", m.DanglingOpeners}, {"list_markup", m.ListMarkup}}
}

// ApplyGates checks the suite's gates and, when baseline is not nil, that no
// metric fell more than maxRegression below it. It sets rep.Gates and rep.Pass.
// A suite that sets no gates passes only when every case passes, as a test
// runner fails a run with any failing test; min_pass_rate and the metric
// gates relax that explicitly. A baseline does not relax it.
func ApplyGates(rep *Report, g Gates, baseline *Metrics, maxRegression float64) {
	min := func(name string, want, got float64) {
		if want > 0 {
			rep.Gates = append(rep.Gates, GateResult{Name: name, Want: fmt.Sprintf(">= %.4g", want), Got: got, Pass: got >= want})
		}
	}
	m := rep.Metrics
	if g.IsZero() {
		rep.Gates = append(rep.Gates, GateResult{Name: "min_pass_rate", Want: ">= 1", Got: m.PassRate,
			Pass: m.Passed == m.Cases, Detail: "the suite sets no gates: every case must pass"})
	}
	min("min_pass_rate", g.MinPassRate, m.PassRate)
	min("min_fact_recall", g.MinFactRecall, m.FactRecall)
	min("min_citation_validity", g.MinCitationValidity, m.CitationValidity)
	min("min_citation_support", g.MinCitationSupport, m.CitationSupport)
	min("min_hit_at_k", g.MinHitAtK, m.HitAtK)
	min("min_summary_fact_coverage", g.MinSummaryFactCoverage, m.SummaryFactCoverage)
	min("min_disagreement_stated", g.MinDisagreementStated, m.DisagreementStated)
	maxCount := func(name string, want *int, got int) {
		if want != nil {
			rep.Gates = append(rep.Gates, GateResult{Name: name, Want: fmt.Sprintf("<= %d", *want), Got: float64(got), Pass: got <= *want})
		}
	}
	maxCount("max_redundant_pairs", g.MaxRedundantPairs, m.RedundantPairs)
	maxCount("max_dangling_openers", g.MaxDanglingOpeners, m.DanglingOpeners)
	maxCount("max_list_markup", g.MaxListMarkup, m.ListMarkup)
	if g.MaxLatencyP95MS > 0 {
		rep.Gates = append(rep.Gates, GateResult{Name: "max_latency_p95_ms", Want: fmt.Sprintf("<= %.4g", g.MaxLatencyP95MS),
			Got: m.LatencyP95MS, Pass: m.LatencyP95MS <= g.MaxLatencyP95MS})
	}
	if baseline != nil {
		base := metricsByName(*baseline)
		for i, cur := range metricsByName(m) {
			floor := base[i].value - maxRegression
			rep.Gates = append(rep.Gates, GateResult{Name: "regression:" + cur.name, Want: fmt.Sprintf(">= %.4g", floor),
				Got: cur.value, Pass: cur.value >= floor-1e-9, Detail: fmt.Sprintf("baseline %.4g", base[i].value)})
		}
		baseDefects := defectsByName(*baseline)
		for i, cur := range defectsByName(m) {
			ceil := baseDefects[i].value
			rep.Gates = append(rep.Gates, GateResult{Name: "regression:" + cur.name, Want: fmt.Sprintf("<= %d", ceil),
				Got: float64(cur.value), Pass: cur.value <= ceil, Detail: fmt.Sprintf("baseline %d", ceil)})
		}
	}
	rep.Pass = true
	for _, gr := range rep.Gates {
		rep.Pass = rep.Pass && gr.Pass
	}
}

// LoadBaseline reads the metrics of a JSON report written earlier.
func LoadBaseline(path string) (*Metrics, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load baseline: %w", err)
	}
	var r struct {
		Metrics *Metrics `json:"metrics"`
	}
	if err := json.Unmarshal(data, &r); err != nil || r.Metrics == nil {
		return nil, fmt.Errorf("load baseline %s: not a JSON report with metrics: %v", path, err)
	}
	return r.Metrics, nil
}
