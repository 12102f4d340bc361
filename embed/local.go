package embed

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Local is the offline default embedder: hashed word and character n-grams.
type Local struct{ dim int }

// DefaultLocal returns the local embedder with 384 dimensions.
func DefaultLocal() *Local { return &Local{dim: 384} }

// Name implements Embedder.
func (l *Local) Name() string { return "local-v0-384" }

// Dim implements Embedder.
func (l *Local) Dim() int { return l.dim }

// Embed implements Embedder.
func (l *Local) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v := make([]float32, l.dim)
		for _, w := range strings.FieldsFunc(strings.ToLower(t), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%uint32(l.dim)] += 1
			p := "<" + w + ">"
			for j := 0; j+3 <= len(p); j++ {
				h := fnv.New32a()
				h.Write([]byte(p[j : j+3]))
				v[h.Sum32()%uint32(l.dim)] += 0.3
			}
		}
		var n float64
		for _, x := range v {
			n += float64(x * x)
		}
		if n == 0 {
			v[0], n = 1, 1
		}
		s := float32(1 / math.Sqrt(n))
		for j := range v {
			v[j] *= s
		}
		out[i] = v
	}
	return out, nil
}
