package eval

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// docTarget serves documents only; the summary checks need nothing else.
type docTarget struct {
	Target
	docs map[string]rag.Document
}

func (t docTarget) Document(_ context.Context, id string) (rag.Document, error) {
	d, ok := t.docs[id]
	if !ok {
		return d, fmt.Errorf("document %s: %w", id, rag.ErrNotFound)
	}
	return d, nil
}

func TestSplitSummary(t *testing.T) {
	tests := []struct {
		name, text string
		want       []summarySentence
	}{
		{"extractive", "One thing. [1] Two things. [2][3]",
			[]summarySentence{{"One thing.", []int{1}}, {"Two things.", []int{2, 3}}}},
		{"conflict sentence is one", "Sources disagree on the amount: $10 billion [1][2]; $50 billion [3].",
			[]summarySentence{{"Sources disagree on the amount: $10 billion ; $50 billion .", []int{1, 2, 3}}}},
		{"marker before the period", "It rose [1]. It fell [2].",
			[]summarySentence{{"It rose .", []int{1}}, {"It fell .", []int{2}}}},
		{"trailing text without markers", "Cited. [1] Not cited.",
			[]summarySentence{{"Cited.", []int{1}}, {"Not cited.", nil}}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := splitSummary(tc.text); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestRedundantPairs(t *testing.T) {
	sents := func(ss ...string) []summarySentence {
		out := make([]summarySentence, len(ss))
		for i, s := range ss {
			out[i] = summarySentence{text: s}
		}
		return out
	}
	tests := []struct {
		name string
		in   []summarySentence
		want int
	}{
		{"distinct", sents("Amazon may invest $10 billion in OpenAI.", "Regulators in Europe could scrutinise the deal.", "OpenAI would use Trainium chips."), 0},
		{"same claim reworded", sents("Amazon is in talks to invest $10 billion in OpenAI.", "Amazon is reportedly in talks to invest $10 billion in OpenAI, sources say."), 1},
		{"short one restated in a long one", sents("OpenAI would use Amazon Trainium chips.", "Under the deal OpenAI would use Amazon Trainium chips and AWS capacity for training runs."), 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := len(redundantPairs(tc.in)); got != tc.want {
				t.Errorf("%d pairs, want %d", got, tc.want)
			}
		})
	}
}

func TestOpensOnReference(t *testing.T) {
	for s, want := range map[string]bool{
		"It’s about infrastructure.":           true,
		"This tension reflects a realignment.": true,
		"However, the deal is unconfirmed.":    true,
		"“They said so,” he wrote.":            true,
		"At the same time, Amazon builds.":     true,
		"Amazon is in talks with OpenAI.":      false,
		"Italy is not involved.":               false,
		"Thistles grow.":                       false,
		"Atlas is a name.":                     false,
	} {
		if got := opensOnReference(s); got != want {
			t.Errorf("opensOnReference(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDanglingOpeners(t *testing.T) {
	text := "Amazon may invest in OpenAI. It would be a large deal. Regulators are watching."
	doc := rag.Document{ID: "d", Text: text}
	at := func(n int, sub string) rag.Citation {
		i := strings.Index(text, sub)
		return rag.Citation{N: n, DocID: "d", Quote: sub, Start: i, End: i + len(sub)}
	}
	lead, it, reg := "Amazon may invest in OpenAI.", "It would be a large deal.", "Regulators are watching."
	tests := []struct {
		name  string
		sents []summarySentence
		cites []rag.Citation
		want  []int
	}{
		{"with its antecedent", []summarySentence{{lead, []int{1}}, {it, []int{2}}}, []rag.Citation{at(1, lead), at(2, it)}, nil},
		{"without it", []summarySentence{{reg, []int{1}}, {it, []int{2}}}, []rag.Citation{at(1, reg), at(2, it)}, []int{1}},
		{"first sentence", []summarySentence{{it, []int{1}}}, []rag.Citation{at(1, it)}, []int{0}},
		{"written sentence refers to the summary", []summarySentence{{"Amazon may put money into OpenAI.", []int{1}}, {"It would be large.", []int{2}}},
			[]rag.Citation{at(1, lead), at(2, it)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := docTarget{docs: map[string]rag.Document{"d": doc}}
			got := danglingOpeners(context.Background(), tg, tc.sents, tc.cites, map[string]rag.Document{})
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestListMarkup(t *testing.T) {
	for s, want := range map[string]bool{
		"• OpenAI is in discussions.":      true,
		"- Nvidia":                         true,
		"1. First point here.":             true,
		"## Heading":                       true,
		"![logo](https://x/y.png)":         true,
		"See the **bold** claim.":          true,
		"OpenAI is in discussions.":        false,
		"2019 was the year it began.":      false,
		"Amazon-OpenAI talks continue.":    false,
		"The deal — if it happens — ends.": false,
	} {
		if got := len(listMarkup([]summarySentence{{text: s}})) == 1; got != want {
			t.Errorf("listMarkup(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestDisagreementStated(t *testing.T) {
	cf := []rag.Conflict{{About: "the amount", Claims: []rag.Claim{{Value: "$10 billion", Citations: []int{1, 2}}, {Value: "$50 billion", Citations: []int{3}}}}}
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"both sides cited in one sentence", "Sources disagree on the amount: $10 billion [1][2]; $50 billion [3].", true},
		{"one side uncited", "Sources disagree on the amount: $10 billion [1][2]; $50 billion.", false},
		{"sides in separate sentences", "It is $10 billion. [1] It is $50 billion. [3]", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := disagreementStated(splitSummary(tc.text), cf); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if disagreementStated(splitSummary("Sources disagree: $10 billion [1]; $50 billion [3]."), nil) {
		t.Error("stated without a conflict in the reply")
	}
}

func TestRequiredFacts(t *testing.T) {
	for _, tc := range []struct {
		cov         float64
		total, want int
	}{{0, 5, 5}, {0.8, 5, 4}, {0.8, 6, 5}, {0.75, 4, 3}, {0.66, 3, 2}, {1, 3, 3}} {
		if got := requiredFacts(tc.cov, tc.total); got != tc.want {
			t.Errorf("requiredFacts(%v, %d) = %d, want %d", tc.cov, tc.total, got, tc.want)
		}
	}
}
