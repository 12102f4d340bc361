package rag

import (
	"regexp"
	"strconv"
	"strings"
)

// figureRE matches a figure with its currency and scale: "$10bn",
// "10 billion", "4.5%", "1,200", "€3 million".
var figureRE = regexp.MustCompile(`(?i)([$€£¥])?\s?(\d+(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s?(%|percent\b|per cent\b|k\b|thousand\b|m\b|mn\b|million\b|bn\b|b\b|billion\b|tn\b|trillion\b))?`)

// numberWords are spelled-out numbers a passage may use for a figure.
var numberWords = map[string]float64{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
	"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}

var scales = map[string]float64{
	"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6,
	"b": 1e9, "bn": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12,
}

// unitWords are the words figures carry; they are matched as part of the
// figure, not as content terms.
var unitWords = map[string]string{
	"percent": "percent", "pct": "percent", "dollar": "dollar", "usd": "dollar", "euro": "euro", "eur": "euro",
	"pound": "pound", "gbp": "pound", "yen": "yen", "thousand": "", "million": "", "billion": "", "trillion": "",
	"bn": "", "mn": "", "tn": "", "cent": "percent",
}

// figures returns the canonical values of the figures in text ("$10bn" and
// "10 billion dollars" both give "1e+10"). With loose, it also returns each
// figure's bare number and spelled-out numbers, for the passage side: a
// claim's "10" is found in "10 billion", but its "10 billion" is not found
// in "10 million".
func figures(text string, loose bool) map[string]bool {
	out := map[string]bool{}
	for _, m := range figureRE.FindAllStringSubmatch(text, -1) {
		v, err := strconv.ParseFloat(strings.ReplaceAll(m[2], ",", ""), 64)
		if err != nil {
			continue
		}
		if loose {
			out[canonNumber(v)] = true
		}
		if s, ok := scales[strings.ToLower(m[3])]; ok {
			v *= s
		}
		out[canonNumber(v)] = true
	}
	if loose {
		forEachLowerWord(text, func(w string) {
			if v, ok := numberWords[w]; ok {
				out[canonNumber(v)] = true
			}
		})
	}
	return out
}

func canonNumber(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// unitTerms returns the units named by symbols in text: "$" is "dollar",
// "%" is "percent".
func unitTerms(text string) []string {
	var out []string
	for sym, unit := range map[string]string{"$": "dollar", "%": "percent", "€": "euro", "£": "pound", "¥": "yen"} {
		if strings.Contains(text, sym) {
			out = append(out, unit)
		}
	}
	return out
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}]+`)

// forEachLowerWord calls fn with each lowercased run of letters and digits.
func forEachLowerWord(s string, fn func(string)) {
	for _, w := range wordRE.FindAllString(s, -1) {
		fn(strings.ToLower(w))
	}
}
