package text

import (
	"unicode"
	"unicode/utf8"
)

// Terms returns the lexical terms of text: lowercased letter/digit runs,
// stop words removed, stemmed (Stem). Apostrophes inside words are dropped
// ("Amazon’s" -> "amazon").
func Terms(text string) []string {
	out := make([]string, 0, len(text)/6)
	EachTerm(text, func(t []byte) { out = append(out, string(t)) })
	return out
}

// EachTerm calls fn with each term of text, in the order Terms returns
// them. The bytes are valid only during the call: fn copies what it keeps.
// It allocates once per call, not per word, for loops that only look terms
// up (a map index of string(term) does not allocate).
func EachTerm(text string, fn func(term []byte)) { EachTermWord(text, nil, fn) }

// EachTermWord is EachTerm that also calls word, when not nil, with each
// lowercased word before it is stemmed, stop words included: one scan for
// callers that look up both.
func EachTermWord(text string, word, fn func([]byte)) {
	forEachWord(text, make([]byte, 0, 32), func(w []byte) {
		if word != nil {
			word(w)
		}
		if stopwords[string(w)] {
			return
		}
		n, y := stemCut(w)
		w = w[:n]
		if y {
			w = append(w, 'y') // within the word's bytes: the suffix was 3 long
		}
		fn(w)
	})
}

// forEachWord calls fn with each lowercased word of text, built in buf. A
// word is a run of letters and digits; a possessive "'s" is dropped.
func forEachWord(text string, buf []byte, fn func([]byte)) {
	b := buf[:0]
	flush := func() {
		if len(b) > 0 {
			fn(b)
			b = b[:0]
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b = append(b, c)
			case 'A' <= c && c <= 'Z':
				b = append(b, c+'a'-'A')
			case c == '\'' && len(b) > 0:
				// possessive or contraction: skip "'s", "'t" ...
				j := i + 1
				for j < len(text) && isASCIILetter(text[j]) {
					j++
				}
				if j-i-1 <= 2 {
					flush()
					i = j
					continue
				}
				flush()
			default:
				flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '’' && len(b) > 0:
			j := i + size
			for j < len(text) && isASCIILetter(text[j]) {
				j++
			}
			flush()
			if j-i-size <= 2 {
				i = j
				continue
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b = utf8.AppendRune(b, unicode.ToLower(r))
		default:
			flush()
		}
		i += size
	}
	flush()
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
