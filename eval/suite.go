package eval

import (
	"bytes"
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

// ParseSuite decodes and validates suite YAML.
func ParseSuite(data []byte) (*Suite, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Suite
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	return &s, s.validate()
}

func (s *Suite) validate() error {
	var errs []error
	if len(s.Cases) == 0 {
		errs = append(errs, errors.New("no cases"))
	}
	if s.Gates.MinPassRate < 0 || s.Gates.MinPassRate > 1 {
		errs = append(errs, fmt.Errorf("gates.min_pass_rate %v: must be between 0 and 1", s.Gates.MinPassRate))
	}
	seen := map[string]bool{}
	for i, c := range s.Cases {
		where := fmt.Sprintf("case %d (%s)", i+1, c.ID)
		switch {
		case strings.TrimSpace(c.ID) == "":
			errs = append(errs, fmt.Errorf("case %d: id is empty", i+1))
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
