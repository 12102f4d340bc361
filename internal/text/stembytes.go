package text

// StemBytes strips common English inflectional suffixes from a lowercase ASCII
// word, in place: plural -s and -es, -ed, -ing, -ies/-ied/-y to -i, and a
// final -e, so that invest, invests, invested and investing, or study,
// studies and studied, share a stem. It is deliberately lighter than Porter:
// derivational suffixes are left to the character n-grams.
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

func hasSuffix(b []byte, suf string) bool {
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
