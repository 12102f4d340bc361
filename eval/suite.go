package eval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
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

// Case is one question and what its answer must do.
type Case struct {
	ID       string `yaml:"id"`
	Question string `yaml:"question"`
	TopK     int    `yaml:"top_k"`
	Mode     string `yaml:"mode"`
	Expect   Expect `yaml:"expect"`
}

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
	// Conflict: the answer must (true) or must not (false) flag conflicting sources.
	Conflict *bool `yaml:"conflict"`
}

// Gates turn a run into pass or fail. Zero values are not checked.
type Gates struct {
	MinPassRate         float64 `yaml:"min_pass_rate" json:"min_pass_rate,omitempty"`
	MinFactRecall       float64 `yaml:"min_fact_recall" json:"min_fact_recall,omitempty"`
	MinCitationValidity float64 `yaml:"min_citation_validity" json:"min_citation_validity,omitempty"`
	MinCitationSupport  float64 `yaml:"min_citation_support" json:"min_citation_support,omitempty"`
	MinHitAtK           float64 `yaml:"min_hit_at_k" json:"min_hit_at_k,omitempty"`
	MaxLatencyP95MS     float64 `yaml:"max_latency_p95_ms" json:"max_latency_p95_ms,omitempty"`
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
		if strings.TrimSpace(c.Question) == "" {
			errs = append(errs, fmt.Errorf("%s: question is empty", where))
		}
		for _, g := range c.Expect.Facts {
			if len(g) == 0 {
				errs = append(errs, fmt.Errorf("%s: an empty fact group", where))
			}
		}
		if c.Expect.Abstain != nil && *c.Expect.Abstain && (len(c.Expect.Facts) > 0 || len(c.Expect.Cite) > 0) {
			errs = append(errs, fmt.Errorf("%s: a case that must abstain cannot expect facts or citations", where))
		}
	}
	return errors.Join(errs...)
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
