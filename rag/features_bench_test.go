package rag

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
)

// BenchmarkSentenceFeatures is the ranker's share of an answer: features
// and scores of 120 candidate sentences (about what top_k 6 retrieves from
// 24 passages) for one question.
func BenchmarkSentenceFeatures(b *testing.B) {
	files, _ := filepath.Glob("../testdata/articles/*.txt")
	var cands []Candidate
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		s := string(data)
		for i, sp := range text.SplitSentences(s) {
			cands = append(cands, Candidate{Text: s[sp.Start:sp.End], Position: i, Group: len(cands) / 5})
		}
	}
	if len(cands) < 120 {
		b.Fatalf("%d sentences", len(cands))
	}
	cands = cands[:120]
	idf := func(string) float64 { return 2 }
	b.ResetTimer()
	for b.Loop() {
		rows := SentenceFeatures("How much is Amazon reportedly considering investing in OpenAI?", cands, idf)
		for _, r := range rows {
			defaultModel.Confidence(r)
		}
		defaultModel.scoreRows(rows)
	}
}
