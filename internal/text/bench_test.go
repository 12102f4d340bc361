package text

import (
	"os"
	"path/filepath"
	"testing"
)

// sampleArticles returns the sample articles' texts.
func sampleArticles(b *testing.B) []string {
	files, _ := filepath.Glob("../../testdata/articles/*.txt")
	if len(files) == 0 {
		b.Fatal("no sample articles")
	}
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, string(data))
	}
	return out
}

// BenchmarkSplitSentences splits the sample articles, as an answer splits
// every retrieved passage.
func BenchmarkSplitSentences(b *testing.B) {
	docs := sampleArticles(b)
	for b.Loop() {
		for _, d := range docs {
			SplitSentences(d)
		}
	}
}

// BenchmarkTerms analyses the sample articles, sentence by sentence, as the
// ranker does with every retrieved passage.
func BenchmarkTerms(b *testing.B) {
	var sents []string
	for _, s := range sampleArticles(b) {
		for _, sp := range SplitSentences(s) {
			sents = append(sents, s[sp.Start:sp.End])
		}
	}
	b.Run("Terms", func(b *testing.B) {
		for b.Loop() {
			for _, s := range sents {
				Terms(s)
			}
		}
	})
	b.Run("EachTerm", func(b *testing.B) {
		n := 0
		for b.Loop() {
			for _, s := range sents {
				EachTerm(s, func(t []byte) { n += len(t) })
			}
		}
	})
}
