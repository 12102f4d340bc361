package eval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ragcite/ragcite/rag"
)

// Suite is a set of cases over some documents, with gates.
type Suite struct {
	Name      string   `yaml:"name"`
	Documents []string `yaml:"documents"` // files or directories, relative to the suite file
	Defaults  Defaults `yaml:"defaults"`
	Cases     []Case   `yaml:"cases"`
	Gates     Gates    `yaml:"gates"`

	// Dir is the suite file's directory; Documents resolve against it.
	Dir string `yaml:"-"`
	// caseLines holds each case's line in the file, for messages.
	caseLines []int
}

// Defaults apply to every case that does not set its own.
type Defaults struct {
	TopK int    `yaml:"top_k"`
	Mode string `yaml:"mode"`
}

// Case is one question and what its answer must do, or one summary (of
// DocIDs, or of the passages for Query) and what it must do.
type Case struct {
	ID       string `yaml:"id"`
	Question string `yaml:"question"`
	// DocIDs or Query (not both) make the case a summary case.
	DocIDs       []string `yaml:"doc_ids"`
	Query        string   `yaml:"query"`
	MaxSentences int      `yaml:"max_sentences"`
	TopK         int      `yaml:"top_k"`
	Mode         string   `yaml:"mode"`
	Expect       Expect   `yaml:"expect"`
}

// IsSummary reports whether the case asks for a summary rather than an answer.
func (c Case) IsSummary() bool { return len(c.DocIDs) > 0 || c.Query != "" }

// Expect lists a case's requirements. Unset fields are not checked.
type Expect struct {
	// Facts: every group must be stated, in any of its variants.
	Facts [][]string `yaml:"facts"`
	// Cite: at least one citation from these documents.
	Cite []string `yaml:"cite"`
	// Not: none of these may be stated.
	Not []string `yaml:"not"`
	// Abstain: the answer must (true) or must not (false) abstain.
	Abstain *bool `yaml:"abstain"`
	// Conflict: the answer must (true) or must not (false) flag conflicting
	// sources; a summary that must also state the disagreement in one
	// sentence citing both sides.
	Conflict *bool `yaml:"conflict"`
	// MinCoverage (summaries only): the share of Facts groups the summary
	// must state; 0 means all of them.
	MinCoverage float64 `yaml:"min_coverage"`
}

// Gates turn a run into pass or fail. Zero values are not checked.
type Gates struct {
	MinPassRate         float64 `yaml:"min_pass_rate" json:"min_pass_rate,omitempty"`
	MinFactRecall       float64 `yaml:"min_fact_recall" json:"min_fact_recall,omitempty"`
	MinCitationValidity float64 `yaml:"min_citation_validity" json:"min_citation_validity,omitempty"`
	MinCitationSupport  float64 `yaml:"min_citation_support" json:"min_citation_support,omitempty"`
	MinHitAtK           float64 `yaml:"min_hit_at_k" json:"min_hit_at_k,omitempty"`
	MaxLatencyP95MS     float64 `yaml:"max_latency_p95_ms" json:"max_latency_p95_ms,omitempty"`
	// Summary gates. The max_ counts are checked when set, including 0.
	MinSummaryFactCoverage float64 `yaml:"min_summary_fact_coverage" json:"min_summary_fact_coverage,omitempty"`
	MinDisagreementStated  float64 `yaml:"min_disagreement_stated" json:"min_disagreement_stated,omitempty"`
	MaxRedundantPairs      *int    `yaml:"max_redundant_pairs" json:"max_redundant_pairs,omitempty"`
	MaxDanglingOpeners     *int    `yaml:"max_dangling_openers" json:"max_dangling_openers,omitempty"`
	MaxListMarkup          *int    `yaml:"max_list_markup" json:"max_list_markup,omitempty"`
}

// LoadSuite reads and validates a suite file. Unknown fields are errors.
func LoadSuite(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load suite: %w", err)
	}
	s, err := ParseSuite(data)
	if err != nil {
		return nil, fmt.Errorf("load suite %s: %w", path, err)
	}
	s.Dir = filepath.Dir(path)
	return s, nil
}

// ParseSuite decodes and validates suite YAML. Errors name the line and
// the field in words; the fields are those of eval/suite.schema.json.
func ParseSuite(data []byte) (*Suite, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var s Suite
	if doc.Kind == 0 { // an empty file
		return &s, s.validate()
	}
	if err := checkSuiteNode(&doc); err != nil {
		return nil, err
	}
	if err := doc.Decode(&s); err != nil {
		return nil, fmt.Errorf("decode suite: %w", err)
	}
	s.caseLines = caseLines(&doc)
	return &s, s.validate()
}

// caseLines returns the line of each item of the top-level cases list.
func caseLines(doc *yaml.Node) []int {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "cases" {
			var lines []int
			for _, c := range root.Content[i+1].Content {
				lines = append(lines, c.Line)
			}
			return lines
		}
	}
	return nil
}

func (s *Suite) validate() error {
	var errs []error
	if len(s.Cases) == 0 {
		errs = append(errs, errors.New("the suite has no cases"))
	}
	if s.Gates.MinPassRate < 0 || s.Gates.MinPassRate > 1 {
		errs = append(errs, fmt.Errorf("gates.min_pass_rate %v: must be between 0 and 1", s.Gates.MinPassRate))
	}
	seen := map[string]bool{}
	for i, c := range s.Cases {
		where := fmt.Sprintf("case %d (%s)", i+1, c.ID)
		if strings.TrimSpace(c.ID) == "" {
			where = fmt.Sprintf("case %d", i+1)
		}
		if i < len(s.caseLines) {
			where = fmt.Sprintf("line %d: %s", s.caseLines[i], where)
		}
		switch {
		case strings.TrimSpace(c.ID) == "":
			errs = append(errs, fmt.Errorf("%s: id is empty", where))
		case seen[c.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		}
		seen[c.ID] = true
		errs = append(errs, c.validateKind(where)...)
		for _, g := range c.Expect.Facts {
			if len(g) == 0 {
				errs = append(errs, fmt.Errorf("%s: an empty fact group", where))
			}
		}
		if c.Expect.Abstain != nil && *c.Expect.Abstain && (len(c.Expect.Facts) > 0 || len(c.Expect.Cite) > 0) {
			errs = append(errs, fmt.Errorf("%s: a case that must abstain cannot expect facts or citations", where))
		}
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"min_summary_fact_coverage", s.Gates.MinSummaryFactCoverage}, {"min_disagreement_stated", s.Gates.MinDisagreementStated}} {
		if r.v < 0 || r.v > 1 {
			errs = append(errs, fmt.Errorf("gates.%s %v: must be between 0 and 1", r.name, r.v))
		}
	}
	for _, r := range []struct {
		name string
		v    *int
	}{{"max_redundant_pairs", s.Gates.MaxRedundantPairs}, {"max_dangling_openers", s.Gates.MaxDanglingOpeners}, {"max_list_markup", s.Gates.MaxListMarkup}} {
		if r.v != nil && *r.v < 0 {
			errs = append(errs, fmt.Errorf("gates.%s %d: must not be negative", r.name, *r.v))
		}
	}
	return errors.Join(errs...)
}

// validateKind checks that a case is either a question or a summary, with
// the fields that kind takes.
func (c Case) validateKind(where string) []error {
	var errs []error
	hasQuestion := strings.TrimSpace(c.Question) != ""
	switch {
	case hasQuestion && c.IsSummary():
		errs = append(errs, fmt.Errorf("%s: give a question, or doc_ids or query for a summary, not both", where))
	case !hasQuestion && !c.IsSummary():
		errs = append(errs, fmt.Errorf("%s: question is empty (or give doc_ids or query for a summary)", where))
	case len(c.DocIDs) > 0 && c.Query != "":
		errs = append(errs, fmt.Errorf("%s: give doc_ids or query, not both", where))
	}
	if c.IsSummary() {
		if c.MaxSentences < 0 || c.MaxSentences > rag.MaxSummarySentences {
			errs = append(errs, fmt.Errorf("%s: max_sentences %d: must be between 1 and %d", where, c.MaxSentences, rag.MaxSummarySentences))
		}
		if c.Expect.Abstain != nil {
			errs = append(errs, fmt.Errorf("%s: a summary case cannot expect abstain", where))
		}
		if c.Expect.MinCoverage < 0 || c.Expect.MinCoverage > 1 {
			errs = append(errs, fmt.Errorf("%s: min_coverage %v: must be between 0 and 1", where, c.Expect.MinCoverage))
		}
		return errs
	}
	if c.MaxSentences != 0 || c.Expect.MinCoverage != 0 {
		errs = append(errs, fmt.Errorf("%s: max_sentences and min_coverage are for summary cases (doc_ids or query)", where))
	}
	return errs
}

// topK and mode of a case after defaults.
func (s *Suite) topK(c Case) int {
	if c.TopK > 0 {
		return c.TopK
	}
	return s.Defaults.TopK
}

func (s *Suite) mode(c Case) string {
	if c.Mode != "" {
		return c.Mode
	}
	return s.Defaults.Mode
}

// DocumentPaths returns the suite's documents resolved against its directory.
func (s *Suite) DocumentPaths() []string {
	out := make([]string, len(s.Documents))
	for i, d := range s.Documents {
		if filepath.IsAbs(d) {
			out[i] = d
		} else {
			out[i] = filepath.Join(s.Dir, d)
		}
	}
	return out
}
