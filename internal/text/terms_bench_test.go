package text

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTerms analyses the sample articles, sentence by sentence, as the
// ranker does with every retrieved passage.
func BenchmarkTerms(b *testing.B) {
	files, _ := filepath.Glob("../../testdata/articles/*.txt")
	var sents []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		s := string(data)
		for _, sp := range SplitSentences(s) {
			sents = append(sents, s[sp.Start:sp.End])
		}
	}
	if len(sents) == 0 {
		b.Fatal("no sample articles")
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
