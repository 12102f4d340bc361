package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// dim is the length of every vector of the package.
const dim = 100

// table is what the generator keeps of the package: words by frequency,
// each with its rank in the whole vocabulary and its vector.
type table struct {
	Words   []string
	Ranks   []uint32
	Vectors [][]float64
}

// encode writes the table in the format package wordvec reads (see its
// table.go):
//
//	"WVEC" 1 dim(uint8) count(uint32)
//	count words, each followed by '\n'
//	count ranks, each a uvarint of its difference from the one before
//	count scales, float32
//	count vectors of dim int8
//
// all little-endian. A vector is stored as the unit vector of the word,
// its components rounded to int8 with the largest at ±127, and the scale
// that makes the int8 vector unit length again.
func encode(t *table) ([]byte, error) {
	n := len(t.Words)
	out := make([]byte, 0, 10+n*(dim+16))
	out = append(out, "WVEC"...)
	out = append(out, 1, dim)
	out = binary.LittleEndian.AppendUint32(out, uint32(n))
	for _, w := range t.Words {
		if strings.ContainsRune(w, '\n') {
			return nil, fmt.Errorf("word %q holds a newline", w)
		}
		out = append(append(out, w...), '\n')
	}
	prev := uint32(0)
	for i, r := range t.Ranks {
		if i > 0 && r <= prev {
			return nil, fmt.Errorf("word %q: rank %d after %d", t.Words[i], r, prev)
		}
		out = binary.AppendUvarint(out, uint64(r-prev))
		prev = r
	}
	qs := make([]byte, 0, n*dim)
	for i, v := range t.Vectors {
		q, scale, err := quantize(v)
		if err != nil {
			return nil, fmt.Errorf("word %q: %w", t.Words[i], err)
		}
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(scale))
		qs = append(qs, q...)
	}
	return append(out, qs...), nil
}

// quantize returns v as int8 components (stored as bytes) of its unit
// vector, the largest at ±127, and the scale that makes them unit length.
func quantize(v []float64) ([]byte, float32, error) {
	if len(v) != dim {
		return nil, 0, fmt.Errorf("%d dimensions, want %d", len(v), dim)
	}
	var m float64
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	if m == 0 || math.IsInf(m, 0) || math.IsNaN(m) {
		return nil, 0, fmt.Errorf("vector of largest component %v", m)
	}
	q := make([]byte, dim)
	var sum float64
	for i, x := range v {
		c := int8(math.Round(x / m * 127))
		q[i] = byte(c)
		sum += float64(c) * float64(c)
	}
	return q, float32(1 / math.Sqrt(sum)), nil
}
