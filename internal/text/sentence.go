package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a half-open byte range [Start,End) of a text.
type Span struct {
	Start, End int
}

// abbreviations never end a sentence when followed by a period.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true,
	"st": true, "inc": true, "ltd": true, "co": true, "corp": true, "vs": true, "etc": true,
	"e.g": true, "i.e": true, "u.s": true, "u.k": true, "no": true, "fig": true, "approx": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "gen": true, "gov": true,
	"sen": true, "rep": true, "mt": true, "ft": true, "est": true,
}

// SplitSentences splits text into sentence spans. Spans are trimmed of
// surrounding whitespace, never empty, in order and non-overlapping. Line
// breaks always end a sentence (headlines and list items stand alone).
func SplitSentences(text string) []Span {
	var spans []Span
	start := -1
	emit := func(end int) {
		if start < 0 {
			return
		}
		for end > start {
			r, size := utf8.DecodeLastRuneInString(text[start:end])
			if !unicode.IsSpace(r) {
				break
			}
			end -= size
		}
		if end > start {
			spans = append(spans, Span{start, end})
		}
		start = -1
	}
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		switch {
		case r == '\n':
			emit(i)
		case isSpace(r):
		default:
			if start < 0 {
				start = i
			}
			if (r == '.' || r == '!' || r == '?') && sentenceEndsAt(text, start, i) {
				end := i + size
				// Keep closing quotes and brackets with the sentence.
				for end < len(text) {
					c, sz := utf8.DecodeRuneInString(text[end:])
					if !strings.ContainsRune(`"')]”’»`, c) && c != '.' && c != '!' && c != '?' {
						break
					}
					end += sz
				}
				i = end
				emit(end)
				continue
			}
		}
		i += size
	}
	emit(len(text))
	return spans
}

// isSpace is unicode.IsSpace with the ASCII case first.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || '\t' <= r && r <= '\r'
	}
	return unicode.IsSpace(r)
}

// sentenceEndsAt reports whether the terminator at i (within the sentence
// starting at start) ends the sentence.
func sentenceEndsAt(text string, start, i int) bool {
	// Look past closing quotes/brackets to the next non-space rune.
	j := i + 1
	for j < len(text) && strings.ContainsRune(`"')]”’».!?`, rune(text[j])) {
		j++
	}
	for j < len(text) {
		c, sz := utf8.DecodeRuneInString(text[j:])
		if c >= 0x80 && strings.ContainsRune(`”’»`, c) {
			j += sz
			continue
		}
		break
	}
	if j >= len(text) {
		return true
	}
	next, _ := utf8.DecodeRuneInString(text[j:])
	if !unicode.IsSpace(next) {
		return false // "3.5", "e.g.x", "OpenAI.com"
	}
	if text[i] != '.' {
		return true
	}
	// The word before the period.
	w := i
	for w > start {
		r, sz := utf8.DecodeLastRuneInString(text[start:w])
		if unicode.IsSpace(r) {
			break
		}
		w -= sz
	}
	word := strings.ToLower(strings.TrimLeft(text[w:i], `"'(“‘`))
	if abbreviations[word] {
		return false
	}
	if utf8.RuneCountInString(word) == 1 && unicode.IsUpper([]rune(text[w:i])[0]) {
		return false // an initial: "J. Smith"
	}
	// The next word must look like a sentence start.
	k := j
	for k < len(text) {
		c, sz := utf8.DecodeRuneInString(text[k:])
		if !unicode.IsSpace(c) {
			if unicode.IsLower(c) {
				return false
			}
			break
		}
		if c == '\n' {
			return true
		}
		k += sz
	}
	return true
}
