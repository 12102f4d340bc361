package embed

import "math"

// FNV-1a, 64-bit.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv[T []byte | string](h uint64, b T) uint64 {
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= fnvPrime
	}
	return h
}

// mix is the 64-bit finaliser of MurmurHash3: FNV-1a's low bits are weak on
// short inputs, and the bucket and the sign need independent bits.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// bucket maps the high 32 bits of h onto [0, dim) without a division.
func bucket(h uint64, dim int) int {
	return int(((h >> 32) * uint64(dim)) >> 32)
}

// sign takes the lowest bit of h, which bucket does not use.
func sign(h uint64) float32 {
	if h&1 == 0 {
		return 1
	}
	return -1
}

// logDet is the natural logarithm of x > 0, computed with basic arithmetic
// only so that it rounds identically on every platform (math.Log has
// assembly versions). x = m·2^e with m in [0.5, 1); ln m = 2·atanh(s) with
// s = (m-1)/(m+1) in [-1/3, 0), summed as a series to double precision.
func logDet(x float64) float64 {
	m, e := math.Frexp(x)
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	term, sum := s, 0.0
	for k := 1; k < 60; k += 2 {
		sum = float64(sum + float64(term/float64(k)))
		term = float64(term * s2)
	}
	return float64(2*sum) + float64(float64(e)*math.Ln2)
}
