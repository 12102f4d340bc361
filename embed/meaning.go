package embed

import (
	"math"

	"github.com/ragcite/ragcite/internal/wordvec"
)

// The meaning block of the Local embedder (LocalConfig.WordVectors): a
// smooth-inverse-frequency weighted sum of the GloVe vectors of a text's
// words (Arora, Liang and Ma 2017, "A simple but tough-to-beat baseline for
// sentence embeddings"), appended to the hashed features. Each occurrence
// of a word weighs a/(a+p(w)), p(w) its share of running text estimated
// from its frequency rank (wordvec.Probability), so "the" weighs about 0.01
// and a word of rank 1,000 about 0.9; words GloVe lacks (names, numbers)
// add nothing here and match through the hashed block as before.
//
// The two blocks are each of unit length and then weighted so that the
// cosine of two vectors is (1-m)·hashed cosine + m·meaning cosine, m =
// localParams.meaningWeight. A text with no word in the table has no
// meaning block and a unit hashed one.

// lookupMeaning notes on a text's new word entry the vector of its
// surface form, lowercased and not yet stemmed. Embed then adds it to the
// meaning sum once per distinct word, times its count: forms of one stem
// ("invest", "invested") share the first one's vector.
func (l *Local) lookupMeaning(e *entry, surface []byte) {
	e.vec, e.hasVec = wordvec.Lookup(string(surface))
}

// sifWeight is a/(a+p(w)) for a word of rank.
func sifWeight(a float64, rank int) float32 {
	return float32(a / (a + wordvec.Probability(rank)))
}

// finishMeaning writes the text's vector from its unit hashed block h and
// its meaning sum: the hashed block scaled by sqrt(1-m) in v[:len(h)], the
// unit meaning block scaled by sqrt(m) after it. It reports false, leaving
// v alone, when the meaning sum is zero.
func (l *Local) finishMeaning(s *scratch, v []float32, hashed int) bool {
	var sum float64
	for _, x := range s.meaning {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsInf(sum, 0) || math.IsNaN(sum) {
		return false
	}
	kh := l.hashedScale
	km := float32(l.meaningScale / math.Sqrt(sum))
	for i := range hashed {
		v[i] = float32(v[i] * kh)
	}
	for i, x := range s.meaning {
		v[hashed+i] = float32(x * km)
	}
	return true
}
