package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopwords are dropped from lexical terms.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be been being but by can could did do does doing
	for from had has have having he her here hers him his how i if in into is it its itself just me
	more most my no nor not of off on once only or other our ours out over own same she should so
	some such than that the their theirs them then there these they this those through to too under
	until up very was we were what when where which while who whom why will with would you your
	yours also about against between during before after above below again further any both each
	few all s t don now am`) {
		m[w] = true
	}
	return m
}()

// IsStopword reports whether the lowercased word w carries no meaning for matching.
func IsStopword(w string) bool { return stopwords[w] }

// Terms returns the lexical terms of text: lowercased letter/digit runs,
// stopwords removed, lightly stemmed. Apostrophes inside words are dropped
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

// Stem strips common English inflections so "investing", "invests" and
// "invested" meet at "invest". It is deliberately light: it never produces
// a stem shorter than three letters.
func Stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	for _, suf := range []string{"ations", "ation", "ings", "ing", "edly", "ies", "ied", "ers", "ed", "es", "er", "ly", "s"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			stem := w[:len(w)-len(suf)]
			switch suf {
			case "ies", "ied":
				return stem + "y"
			case "es":
				// "boxes" -> "box", but "games" -> "game"
				if strings.HasSuffix(stem, "s") || strings.HasSuffix(stem, "x") || strings.HasSuffix(stem, "ch") || strings.HasSuffix(stem, "sh") {
					return stem
				}
				return w[:len(w)-1]
			case "s":
				if strings.HasSuffix(stem, "s") || strings.HasSuffix(stem, "u") || strings.HasSuffix(stem, "i") {
					return w
				}
			case "ing", "ed", "ings", "edly":
				if n := len(stem); n >= 2 && stem[n-1] == stem[n-2] && !strings.ContainsRune("lsz", rune(stem[n-1])) {
					stem = stem[:n-1] // "planning" -> "plan"
				}
			}
			return stem
		}
	}
	return w
}
