package eval

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// Normalize puts text in the form facts are matched in: lowercase, curly
// quotes straightened, punctuation dropped (but decimal points kept), spaces
// collapsed, currency symbols and words dropped, and numbers written as
// plain integers or decimals with their scale applied, so "$10bn",
// "$10 billion", "10 billion dollars", "ten billion" and "10,000,000,000"
// all read "10000000000".
func Normalize(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "—", " ", "–", " ").Replace(s)
	s = numberWords.ReplaceAllStringFunc(s, func(m string) string {
		word, scale, _ := strings.Cut(m, " ")
		return strconv.Itoa(wordValues[word]) + " " + strings.TrimSpace(scale)
	})
	s = scaled.ReplaceAllStringFunc(s, expandScaled)
	var b strings.Builder
	prevSpace := true
	for i, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			prevSpace = false
		case r == '.' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]):
			b.WriteRune(r)
		case r == '%':
			b.WriteString(" percent")
			prevSpace = false
		default:
			if !prevSpace {
				b.WriteByte(' ')
				prevSpace = true
			}
		}
	}
	words := strings.Fields(b.String())
	out := words[:0]
	for _, w := range words {
		if !currencyWords[w] {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

var currencyWords = map[string]bool{"dollars": true, "dollar": true, "usd": true, "euros": true, "eur": true, "pounds": true, "gbp": true}

var wordValues = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"eleven": 11, "twelve": 12, "thirteen": 13, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}

// numberWords matches a number word followed by a scale, so "ten billion"
// becomes "10 billion" but "one of the" stays.
var numberWords = regexp.MustCompile(`\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fifteen|twenty|thirty|forty|fifty|hundred)\b(?:\s+(?:trillion|billion|million|thousand)\b)`)

// scaled matches a number with thousands separators or decimals and an
// optional scale: "10 billion", "$10bn", "1.4 trillion", "10,000,000,000".
var scaled = regexp.MustCompile(`\$?\d+(?:,\d{3})*(?:\.\d+)?(?:\s*(?:trillion|billion|million|thousand|tn|bn|b|mn|m|k))?\b`)

var scaleOf = map[string]float64{
	"trillion": 1e12, "tn": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9,
	"million": 1e6, "mn": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3,
}

func expandScaled(m string) string {
	m = strings.TrimPrefix(m, "$")
	i := 0
	for i < len(m) && (isDigit(m[i]) || m[i] == ',' || m[i] == '.') {
		i++
	}
	num := strings.ReplaceAll(m[:i], ",", "")
	scale := strings.TrimSpace(m[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return m
	}
	if mult, ok := scaleOf[scale]; ok {
		f *= mult
	} else if scale != "" {
		return m
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ContainsFact reports whether text states fact, after normalising both:
// the fact's words appear in order, on word boundaries.
func ContainsFact(text, fact string) bool {
	t, f := " "+Normalize(text)+" ", " "+Normalize(fact)+" "
	if strings.TrimSpace(f) == "" {
		return false
	}
	return strings.Contains(t, f)
}
