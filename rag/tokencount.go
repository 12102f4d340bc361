package rag

import (
	"hash/maphash"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Counting tokens is the costliest step of chunking: tiktoken-go splits text
// with a backtracking regular expression before byte-pair encoding each
// piece. countTokens splits with a hand-written equivalent of cl100k_base's
// pattern and caches each piece's token count (English reuses few thousand
// words), asking tiktoken-go only for pieces it has not seen. The fuzz test
// FuzzCountTokens checks it against tiktoken-go's own count.
//
// cl100k_base: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+

const maxPieceCache = 1 << 18

// pieceCache maps a piece's 64-bit hash to its token count: a lookup
// compares two words, where a string key also compares the piece's bytes
// behind a pointer (a cache miss per lookup at this size). Two pieces
// sharing a hash, probability about n²/2⁶⁵ (under 10⁻⁸ at the cap), would
// give one of them the other's count: a chunk a few tokens off its budget.
var pieceCache = struct {
	sync.RWMutex
	m map[uint64]int32
}{m: map[uint64]int32{}}

var pieceSeed = maphash.MakeSeed()

// countTokens returns the cl100k_base token count of s.
func countTokens(s string) int {
	n := 0
	for i := 0; i < len(s); {
		j := nextPiece(s, i)
		n += pieceTokens(s[i:j])
		i = j
	}
	return n
}

func pieceTokens(p string) int {
	key := maphash.String(pieceSeed, p)
	pieceCache.RLock()
	n, ok := pieceCache.m[key]
	pieceCache.RUnlock()
	if ok {
		return int(n)
	}
	tk, _ := loadTokenizer() // loaded by NewChunker before any count
	n = int32(len(tk.EncodeOrdinary(p)))
	pieceCache.Lock()
	if len(pieceCache.m) < maxPieceCache {
		pieceCache.m[key] = n
	}
	pieceCache.Unlock()
	return int(n)
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }
func isNumber(r rune) bool { return unicode.IsNumber(r) }

// isSpace is the regular expression's \s.
func isSpace(r rune) bool { return unicode.IsSpace(r) }

func isNewline(r rune) bool { return r == '\r' || r == '\n' }

// nextPiece returns the end of the piece of s starting at i. It is long
// because it is one switch over the alternatives of tiktoken's pre-split
// regular expression, in the same order; split up, the correspondence with
// that expression (which the tests check byte for byte) would be lost.
func nextPiece(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	// 's 't 're 've 'm 'll 'd, any case
	if r == '\'' && i+1 < len(s) {
		rest := s[i+1:]
		for _, c := range []string{"s", "t", "re", "ve", "m", "ll", "d"} {
			if len(rest) >= len(c) && equalFoldASCII(rest[:len(c)], c) {
				return i + 1 + len(c)
			}
		}
	}
	// [^\r\n\p{L}\p{N}]?\p{L}+
	if isLetter(r) {
		return letterRun(s, i+size)
	}
	if !isNewline(r) && !isNumber(r) && i+size < len(s) {
		if r2, _ := utf8.DecodeRuneInString(s[i+size:]); isLetter(r2) {
			return letterRun(s, i+size)
		}
	}
	// \p{N}{1,3}
	if isNumber(r) {
		j := i + size
		for k := 1; k < 3 && j < len(s); k++ {
			r2, sz := utf8.DecodeRuneInString(s[j:])
			if !isNumber(r2) {
				break
			}
			j += sz
		}
		return j
	}
	// ?[^\s\p{L}\p{N}]+[\r\n]*
	j := i
	if r == ' ' {
		j += size
	}
	if j < len(s) {
		if r2, sz := utf8.DecodeRuneInString(s[j:]); !isSpace(r2) && !isLetter(r2) && !isNumber(r2) {
			j += sz
			for j < len(s) {
				r3, sz3 := utf8.DecodeRuneInString(s[j:])
				if isSpace(r3) || isLetter(r3) || isNumber(r3) {
					break
				}
				j += sz3
			}
			for j < len(s) && isNewline(rune(s[j])) {
				j++
			}
			return j
		}
	}
	// Whitespace: r is \s here.
	end, lastNL, runes := i, -1, 0
	for end < len(s) {
		r2, sz := utf8.DecodeRuneInString(s[end:])
		if !isSpace(r2) {
			break
		}
		if isNewline(r2) {
			lastNL = end
		}
		end += sz
		runes++
	}
	switch {
	case lastNL >= 0: // \s*[\r\n]+
		return lastNL + 1
	case end == len(s) || runes == 1: // \s+(?!\S) at the end, or \s+
		return end
	default: // \s+(?!\S): leave the last space to start the next piece
		_, sz := utf8.DecodeLastRuneInString(s[:end])
		return end - sz
	}
}

func letterRun(s string, j int) int {
	for j < len(s) {
		r, sz := utf8.DecodeRuneInString(s[j:])
		if !isLetter(r) {
			break
		}
		j += sz
	}
	return j
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		c := a[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			return false
		}
	}
	return true
}
