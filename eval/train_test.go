package eval

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchDir finds ../shared/bench from the repository, or RAGCITE_BENCH.
func benchDir(t *testing.T) string {
	if d := os.Getenv("RAGCITE_BENCH"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", "shared", "bench")
	if _, err := os.Stat(filepath.Join(d, "squad2")); err != nil {
		t.Skipf("public benchmarks not found at %s (set RAGCITE_BENCH): %v", d, err)
	}
	return d
}

// TestTrainCrossValidated refits the ranker on the shared benchmarks and
// checks the cross-validated figures stay near the ones reported.
func TestTrainCrossValidated(t *testing.T) {
	if testing.Short() {
		t.Skip("fits the ranker: skipped with -short")
	}
	arts, wiki := loadBench(t)
	rep, err := Train(context.Background(), arts, wiki, DefaultTrainOptions)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteTrainReport(&b, rep)
	t.Log(b.String())
	if rep.Squad2.Containment < 0.70 || rep.Squad2.FalseAbstainRate > 0.12 {
		t.Errorf("squad2 containment %.4f false abstentions %.4f, want >= 0.70 and <= 0.12", rep.Squad2.Containment, rep.Squad2.FalseAbstainRate)
	}
	if rep.WikiQA.MAP < 0.62 {
		t.Errorf("wikiqa MAP %.4f, want >= 0.62", rep.WikiQA.MAP)
	}
}

func TestLoadSquad2Errors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"json", "{", "squad2"},
		{"empty", `{"data":[]}`, "no articles"},
		{"answers", `{"data":[{"title":"T","paragraphs":[{"context":"c","qas":[{"id":"1","question":"q","is_impossible":false,"answers":[]}]}]}]}`, "answerable without answers"},
	}
	for _, tc := range tests {
		if _, err := LoadSquad2(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSumSquad2(t *testing.T) {
	r := SumSquad2([]Squad2Outcome{
		{Answerable: true, Contains: true},
		{Answerable: true, Abstained: true},
		{Answerable: false, Abstained: true},
		{Answerable: false},
	})
	if r.Containment != 0.5 || r.FalseAbstentions != 1 || r.FalseAbstainRate != 0.5 || r.AbstainRecall != 0.5 {
		t.Errorf("%+v", r)
	}
}

func FuzzLoadSquad2(f *testing.F) {
	f.Add(`{"data":[{"title":"T","paragraphs":[{"context":"c","qas":[{"id":"1","question":"q","is_impossible":true,"answers":[]}]}]}]}`)
	f.Add(`{"data":[]}`)
	f.Fuzz(func(t *testing.T, in string) {
		arts, err := LoadSquad2(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, a := range arts {
			for _, q := range a.Questions {
				if q.Paragraph < 0 || q.Paragraph >= len(a.Paragraphs) {
					t.Fatalf("question %s points at paragraph %d of %d", q.ID, q.Paragraph, len(a.Paragraphs))
				}
			}
		}
	})
}

// TestFitRowsRanksWithinQuestions: on questions where a question-level
// feature (the same for all of a question's sentences) tells easy questions
// (two right sentences) from hard ones (one) and a sentence-level feature
// tells the right sentences, the
// pairwise fit gives the question-level feature no weight, ranks the right
// sentence first in every question, and its calibrated probabilities grow
// with the score and stay in (0,1).
func TestFitRowsRanksWithinQuestions(t *testing.T) {
	var qs []trainQuestion
	for i := range 60 {
		easy := float64(i % 2)
		q := trainQuestion{id: fmt.Sprint(i), answered: true}
		for j := range 5 {
			right := j == i%5 || easy == 1 && j == (i+1)%5 // easy questions have two right sentences
			signal := 0.1 * float64((i+j)%3)               // noise
			if right {
				signal += 0.5
			}
			q.rows = append(q.rows, []float64{easy, signal})
			q.labels = append(q.labels, right)
		}
		qs = append(qs, q)
	}
	m, err := fitRows(qs, DefaultTrainOptions.L2)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Weights[0]; w != 0 {
		t.Errorf("question-level feature weight %v, want 0 (it cannot rank a question's sentences)", w)
	}
	if m.Weights[1] <= 0 {
		t.Errorf("sentence-level feature weight %v, want > 0", m.Weights[1])
	}
	for _, q := range qs {
		z := logitsOf(m, q.rows)
		if !q.labels[argmax(z)] {
			t.Fatalf("question %s: the right sentence is not ranked first: %v", q.id, z)
		}
	}
	lo, hi := m.Prob([]float64{0, 0}), m.Prob([]float64{0, 0.7})
	if !(0 < lo && lo < hi && hi < 1) {
		t.Errorf("calibrated probabilities %v (wrong-like) and %v (right-like), want 0 < first < second < 1", lo, hi)
	}
}

func TestFitRowsNeedsPairs(t *testing.T) {
	qs := []trainQuestion{{id: "q", rows: [][]float64{{1}}, labels: []bool{true}}}
	if _, err := fitRows(qs, DefaultTrainOptions.L2); err == nil {
		t.Error("a question with no wrong sentence: want an error, got a model")
	}
}
