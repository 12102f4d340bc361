package eval

import (
	"os"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

const tinyWikiQA = "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n" +
	"Q1\twhen was the zebra bridge built\tD1\tZebra bridge\tD1-0\tThe zebra bridge crosses the river.\t0\n" +
	"Q1\twhen was the zebra bridge built\tD1\tZebra bridge\tD1-1\tThe bridge was built in 1901 by engineers.\t1\n" +
	"Q2\twho painted the blue door\tD2\tBlue door\tD2-0\tThe blue door is a painting.\t1\n" +
	"Q2\twho painted the blue door\tD2\tBlue door\tD2-1\tIt hangs in a museum.\t0\n" +
	"Q3\twhat is quux\tD3\tQuux\tD3-0\tNothing relevant here at all.\t0\n"

func TestRunWikiQAHandComputed(t *testing.T) {
	qs, err := LoadWikiQA(strings.NewReader(tinyWikiQA))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 || len(qs[0].Sentences) != 2 {
		t.Fatalf("loaded %+v", qs)
	}
	m := *rag.DefaultRankModel()
	m.AbstainBelow = 0
	res := RunWikiQA(qs, &m)
	// Q1: the 1901 sentence ranks first (AP 1, RR 1). Q2: the lead sentence
	// shares "blue door painted/painting" and ranks first (AP 1). Q3 has no
	// correct sentence and does not count for MAP/MRR.
	if res.Answerable != 2 || res.MAP != 1 || res.MRR != 1 {
		t.Errorf("MAP %v MRR %v over %d answerable, want 1, 1 over 2", res.MAP, res.MRR, res.Answerable)
	}
	// Threshold 0 answers all three: 2 correct of 3 answered, 2 of 2 answerable.
	if res.Precision != 0.6667 || res.Recall != 1 || res.F1 != 0.8 {
		t.Errorf("P %v R %v F1 %v, want 0.6667 1 0.8", res.Precision, res.Recall, res.F1)
	}
	// A threshold over every score abstains everywhere.
	m.AbstainBelow = 1.01 // over every confidence
	if r := RunWikiQA(qs, &m); r.Precision != 0 || r.Recall != 0 || r.F1 != 0 {
		t.Errorf("threshold 2: %+v", r)
	}
}

func TestLoadWikiQAErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"columns", "Q1\tq\tD\tT\tS\n", "line 1: 5 columns"},
		{"label", "Q1\tq\tD\tT\tS\ts\t2\n", "label \"2\""},
		{"empty", "QuestionID\tQuestion\tDocumentID\tDocumentTitle\tSentenceID\tSentence\tLabel\n", "no questions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadWikiQA(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestWikiQA measures the ranker on the WikiQA half test set when present.
func TestWikiQA(t *testing.T) {
	path := os.Getenv("RAGCITE_WIKIQA")
	if path == "" {
		path = "../../shared/bench/wikiqa/WikiQA-test-even.tsv"
	}
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("WikiQA data not found (%v); set RAGCITE_WIKIQA to the TSV to run this", err)
	}
	defer f.Close()
	qs, err := LoadWikiQA(f)
	if err != nil {
		t.Fatal(err)
	}
	// The built-in ranker was fitted on this file (among others): this is a
	// regression check of the embedded weights, not a held-out figure (the
	// cross-validated MAP, 0.653, comes from ragcite train). The floor sits
	// just under the committed weights' in-sample MAP 0.668 and MRR 0.670.
	r := RunWikiQA(qs, nil)
	t.Logf("WikiQA (fitted on): %d questions (%d answerable): MAP %.4f MRR %.4f; triggering at %.2f: P %.4f R %.4f F1 %.4f",
		r.Questions, r.Answerable, r.MAP, r.MRR, r.Threshold, r.Precision, r.Recall, r.F1)
	if r.MAP < 0.66 || r.MRR < 0.66 {
		t.Errorf("MAP %.4f MRR %.4f, want MAP >= 0.66 and MRR >= 0.66", r.MAP, r.MRR)
	}
}
