package text

import "strings"

// Stem is the lexical stemmer behind Terms: it strips common English
// inflections so "investing", "invests" and "invested" meet at "invest". It
// is deliberately light: a suffix is stripped only when three letters remain,
// though undoubling may then leave two ("adding" -> "ad").
func Stem(w string) string {
	n, y := stemCut(w)
	if y {
		return w[:n] + "y"
	}
	return w[:n]
}

// stemSuffixes are the suffixes Stem strips, the first that fits winning.
var stemSuffixes = []string{"ations", "ation", "ings", "ing", "edly", "ies", "ied", "ers", "ed", "es", "er", "ly", "s"}

// stemLast holds the last letters of stemSuffixes: a word ending in
// another has none of them.
var stemLast = func() (last [256]bool) {
	for _, suf := range stemSuffixes {
		last[suf[len(suf)-1]] = true
	}
	return last
}()

// stemCut returns Stem(w) as the length of the prefix of w it keeps and
// whether a "y" follows it ("studies" -> 4, true: "study"), so a word in a
// byte buffer is stemmed in place (EachTerm).
func stemCut[T string | []byte](w T) (n int, y bool) {
	if len(w) <= 3 || !stemLast[w[len(w)-1]] {
		return len(w), false
	}
	for _, suf := range stemSuffixes {
		if !hasSuffix(w, suf) || len(w)-len(suf) < 3 {
			continue
		}
		stem := w[:len(w)-len(suf)]
		switch suf {
		case "ies", "ied":
			return len(stem), true
		case "es":
			// "boxes" -> "box", but "games" -> "game"
			if hasSuffix(stem, "s") || hasSuffix(stem, "x") || hasSuffix(stem, "ch") || hasSuffix(stem, "sh") {
				return len(stem), false
			}
			return len(w) - 1, false
		case "s":
			if hasSuffix(stem, "s") || hasSuffix(stem, "u") || hasSuffix(stem, "i") {
				return len(w), false
			}
		case "ing", "ed", "ings", "edly":
			if n := len(stem); n >= 2 && stem[n-1] == stem[n-2] && !strings.ContainsRune("lsz", rune(stem[n-1])) {
				return n - 1, false // "planning" -> "plan"
			}
		}
		return len(stem), false
	}
	return len(w), false
}

// StemBytes strips common English inflectional suffixes from a lowercase ASCII
// word, in place: plural -s and -es, -ed, -ing, -ies/-ied/-y to -i, and a
// final -e, so that invest, invests, invested and investing, or study,
// studies and studied, share a stem. It is deliberately lighter than Porter:
// derivational suffixes are left to the character n-grams. It is the local
// embedder's stemmer; it differs from Stem (study -> studi, make -> mak),
// and the two stay apart until answer and summary selection are refitted on
// a shared analysis (see the README's architecture section).
func StemBytes(b []byte) []byte {
	n := len(b)
	if n < 4 || !isAlpha(b[n-1]) {
		return b
	}
	switch {
	case hasSuffix(b, "ies") && n > 4, hasSuffix(b, "ied") && n > 4:
		b = b[:n-2] // studies -> studi
		return b
	case hasSuffix(b, "sses"):
		b = b[:n-2]
	case hasSuffix(b, "ss"), hasSuffix(b, "us"), hasSuffix(b, "is"):
	case b[n-1] == 's':
		b = b[:n-1]
	case hasSuffix(b, "ing") && n >= 6:
		b = undouble(b[:n-3])
	case hasSuffix(b, "ed") && n >= 5:
		b = undouble(b[:n-2])
	}
	n = len(b)
	switch {
	case n >= 4 && b[n-1] == 'e':
		b = b[:n-1] // make -> mak, like making -> mak
	case n >= 4 && b[n-1] == 'y' && !isVowel(b[n-2]):
		b[n-1] = 'i' // study -> studi, like studies -> studi
	}
	return b
}

// undouble turns a stem that ends in a doubled consonant, as in "running",
// into its single form, except for l, s and z (falling, passing, buzzing).
func undouble(b []byte) []byte {
	n := len(b)
	if n >= 3 && b[n-1] == b[n-2] && isAlpha(b[n-1]) && !isVowel(b[n-1]) {
		switch b[n-1] {
		case 'l', 's', 'z':
		default:
			return b[:n-1]
		}
	}
	return b
}

func hasSuffix[T string | []byte](b T, suf string) bool {
	return len(b) >= len(suf) && string(b[len(b)-len(suf):]) == suf
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' }

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
