// Package synth generates seeded, English-like synthetic corpora for
// benchmarks and load tests: a Zipf-distributed vocabulary in sentences of
// varied length, so lexical and dense retrieval see realistic statistics.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var syllables = strings.Fields("ka lo mi ne ra tu sa vi po de ga ri mo li ta na be zu fa ko se du pi lu ma te ro ni ba ve")

// Generator produces words and sentences from a fixed seed.
type Generator struct {
	rng   *rand.Rand
	vocab []string
	zipf  *rand.Zipf
}

// New returns a generator with a vocabulary of size words.
func New(seed uint64, size int) *Generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Generator{rng: rng}
	seen := map[string]bool{}
	for len(g.vocab) < size {
		var b strings.Builder
		for n := 2 + rng.IntN(3); n > 0; n-- {
			b.WriteString(syllables[rng.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			g.vocab = append(g.vocab, w)
		}
	}
	g.zipf = rand.NewZipf(rng, 1.1, 2, uint64(size-1))
	return g
}

// Word returns one word, frequent words more often.
func (g *Generator) Word() string { return g.vocab[g.zipf.Uint64()] }

// Sentence returns a capitalised sentence of 8 to 24 words ending with a period.
func (g *Generator) Sentence() string {
	n := 8 + g.rng.IntN(17)
	words := make([]string, n)
	for i := range words {
		words[i] = g.Word()
	}
	words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
	if g.rng.IntN(4) == 0 {
		words[n/2] = fmt.Sprintf("%d", g.rng.IntN(1000))
	}
	return strings.Join(words, " ") + "."
}

// Passage returns sentences adding up to about words words.
func (g *Generator) Passage(words int) string {
	var b strings.Builder
	for n := 0; n < words; {
		s := g.Sentence()
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		n += strings.Count(s, " ") + 1
	}
	return b.String()
}

// Query returns a query of n words drawn from the mid-frequency vocabulary.
func (g *Generator) Query(n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = g.vocab[10+g.rng.IntN(len(g.vocab)/10)]
	}
	return strings.Join(words, " ")
}
