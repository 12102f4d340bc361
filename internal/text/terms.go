package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Terms returns the lexical terms of text: lowercased letter/digit runs,
// stop words removed, stemmed (Stem). Apostrophes inside words are dropped
// ("Amazon’s" -> "amazon").
func Terms(text string) []string {
	out := make([]string, 0, len(text)/6)
	forEachWord(text, func(w string) {
		if stopwords[w] {
			return
		}
		out = append(out, Stem(w))
	})
	return out
}

// forEachWord calls fn with each lowercased word of text. A word is a run of
// letters and digits; a possessive "'s" is dropped.
func forEachWord(text string, fn func(string)) {
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			fn(b.String())
			b.Reset()
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case c == '\'' && b.Len() > 0:
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
		case r == '’' && b.Len() > 0:
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
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
		i += size
	}
	flush()
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
