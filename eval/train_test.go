package eval

import (
	"context"
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
