package wordvec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// table is the parsed vectors.bin (its format is written by gen's encode).
type table struct {
	index  map[string]int32 // word -> its row
	ranks  []uint32         // row -> rank in GloVe's vocabulary
	scales []float32        // row -> scale of its int8 components
	vecs   string           // rows of Dim int8 components, back to back
}

// errFormat reports a vectors.bin that cannot be read.
var errFormat = errors.New("wordvec: malformed table")

// parse reads a table. The words and vectors it returns are substrings of
// data, not copies.
func parse(data string) (*table, error) {
	const header = 10
	if len(data) < header || data[:4] != "WVEC" || data[4] != 1 || data[5] != Dim {
		return nil, fmt.Errorf("%w: bad header", errFormat)
	}
	n := int(binary.LittleEndian.Uint32([]byte(data[6:header])))
	rest := data[header:]
	if n < 0 || n > len(rest)/(Dim+6) {
		return nil, fmt.Errorf("%w: %d words in %d bytes", errFormat, n, len(data))
	}
	t := &table{index: make(map[string]int32, n), ranks: make([]uint32, n), scales: make([]float32, n)}
	for i := range n {
		j := strings.IndexByte(rest, '\n')
		if j <= 0 {
			return nil, fmt.Errorf("%w: word %d", errFormat, i)
		}
		w := rest[:j]
		if _, dup := t.index[w]; dup {
			return nil, fmt.Errorf("%w: word %q twice", errFormat, w)
		}
		t.index[w] = int32(i)
		rest = rest[j+1:]
	}
	var rank uint64
	for i := range n {
		d, k := uvarint(rest)
		if k <= 0 || (i > 0 && d == 0) || rank+d > math.MaxUint32 {
			return nil, fmt.Errorf("%w: rank %d", errFormat, i)
		}
		rank += d
		t.ranks[i] = uint32(rank)
		rest = rest[k:]
	}
	if len(rest) != n*(4+Dim) {
		return nil, fmt.Errorf("%w: %d bytes of scales and vectors for %d words", errFormat, len(rest), n)
	}
	for i := range n {
		s := math.Float32frombits(binary.LittleEndian.Uint32([]byte(rest[4*i : 4*i+4])))
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return nil, fmt.Errorf("%w: scale %d is %v", errFormat, i, s)
		}
		t.scales[i] = s
	}
	t.vecs = rest[4*n:]
	return t, nil
}

// uvarint is binary.Uvarint of a string.
func uvarint(s string) (uint64, int) {
	var x uint64
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, -1
			}
			return x | uint64(b)<<(7*i), i + 1
		}
		x |= uint64(b&0x7f) << (7 * i)
	}
	return 0, 0
}

// row returns the vector of row i.
func (t *table) row(i int32) Vector {
	return Vector{q: t.vecs[int(i)*Dim : int(i+1)*Dim], scale: t.scales[i], rank: int32(t.ranks[i])}
}
