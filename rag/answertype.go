package rag

import (
	"regexp"
	"strings"
)

// answerType is the kind of thing a question asks for. The heuristics for
// English questions and sentences live in this file only.
type answerType int

const (
	typeNone answerType = iota
	typeDate
	typeQuantity
	typePerson // a person or an organisation ("who")
	typeOrg
	typePlace
)

func (t answerType) String() string {
	switch t {
	case typeDate:
		return "date"
	case typeQuantity:
		return "quantity"
	case typePerson:
		return "person"
	case typeOrg:
		return "organisation"
	case typePlace:
		return "place"
	}
	return "none"
}

var (
	askWhen  = regexp.MustCompile(`(?i)^\s*(when\b|(in |during |by |since )?(what|which) (year|date|decade|century|month|day|period|era)\b|how long ago\b)`)
	askCount = regexp.MustCompile(`(?i)\b(how (much|many|long|far|big|large|tall|high|old|fast|deep|wide|heavy|often)|what (is|was|were|are|'s) the (population|number|amount|size|price|cost|length|height|area|percentage|rate|value|valuation|figure|sum|depth|distance|speed|temperature)|what (amount|percentage|sum|proportion|fraction))\b`)
	askWho   = regexp.MustCompile(`(?i)^\s*(who|whom|whose)\b|^\s*(what|which) (person|people|man|woman|scientist|writer|author|king|queen|president|leader|founder|ceo|player|artist|composer|mathematician|physicist|philosopher|emperor)\b|\b(named|called) by whom\b`)
	askOrg   = regexp.MustCompile(`(?i)^\s*(what|which) (company|companies|firm|firms|organi[sz]ation|organi[sz]ations|team|teams|university|agency|group|band|party|startup|startups|cloud providers?|providers?|investors?|backers?|rivals?|competitors?|partners?)\b`)
	askPlace = regexp.MustCompile(`(?i)^\s*(where\b|(in |to |from )?(what|which) (county|city|cities|state|country|countries|province|region|continent|river|lake|town|village|place|area|island|mountain|canton|location|ocean|sea)\b)`)
)

// askedAnswerType returns the kind of answer q asks for, or typeNone.
func askedAnswerType(q string) answerType {
	switch {
	case askWhen.MatchString(q):
		return typeDate
	case askCount.MatchString(q):
		return typeQuantity
	case askPlace.MatchString(q):
		return typePlace
	case askOrg.MatchString(q):
		return typeOrg
	case askWho.MatchString(q):
		return typePerson
	}
	return typeNone
}

// What a sentence holding an answer of each type looks like.
var (
	months      = `January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec`
	datePattern = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(` + months + `)\.?\s+[0-9]{1,2}\b|\b[0-9]{1,2}\s+(` + months + `)\b|\b(` + months + `)\b|(?i)\b(century|centuries|decade|yesterday|today|tomorrow|(last|next|this) (week|month|year)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|BC|AD)\b`)
	// personName: two capitalised words in a row, or a title before a name.
	personName = regexp.MustCompile(`\b[A-Z][a-z]+\s+(?:[A-Z]\.\s+)?(?:de |van |von )?[A-Z][a-z]+\b|\b(Mr|Mrs|Ms|Dr|Sir|King|Queen|President|Prof|Professor|Saint|St|Lord|Pope|Emperor)\.?\s+[A-Z]|(?i)\b(he|she|his|her)\b`)
	orgName    = regexp.MustCompile(`[^\s]\s+(?:[A-Z][a-z]+|[A-Z]{2,})|\b(Inc|Corp|Corporation|Company|Co|Ltd|LLC|plc|GmbH|AG|University|Institute|Association|Agency|Group|Bank|Party|Council|Society|Foundation)\b`)
	placeName  = regexp.MustCompile(`\b(in|at|near|from|to|into|across|through|between|of|on)\s+(the\s+)?[A-Z][a-z]+|\b(north|south|east|west|northern|southern|eastern|western|central)\b|\b[A-Z][a-z]+ (River|Lake|Sea|Ocean|Mountains?|Valley|Island|City|County|Province|State)\b`)
)

// hasAnswerType reports whether sentence s holds a thing of type t.
func hasAnswerType(s string, t answerType) bool {
	switch t {
	case typeDate:
		return datePattern.MatchString(s)
	case typeQuantity:
		return hasQuantity(s)
	case typePerson:
		return personName.MatchString(s) || orgName.MatchString(s)
	case typeOrg:
		return orgName.MatchString(s)
	case typePlace:
		return placeName.MatchString(s)
	}
	return false
}

// quantityWords are the words of a quantity without digits.
var quantityWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`one two three four five six seven eight nine ten eleven twelve thirteen fourteen
	fifteen sixteen seventeen eighteen nineteen twenty
	thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions
	billion billions trillion trillions dozen dozens percent half quarter double triple several`) {
		m[w] = true
	}
	return m
}()

// hasQuantity reports whether s states a quantity: a digit or a number
// word ("seventeen", "a dozen", "half"). A word scan, not a regexp: it runs
// on every candidate sentence of a quantity question.
func hasQuantity(s string) bool {
	if hasDigit(s) {
		return true
	}
	ws := lowerWords{s: s}
	for w, ok := ws.next(); ok; w, ok = ws.next() {
		if quantityWords[string(w)] {
			return true
		}
	}
	return false
}

// maxLowerWord: no quantity or negation word is longer.
const maxLowerWord = 9

// lowerWords scans s for its runs of ASCII letters (any other byte ends
// one), lowercased, skipping runs longer than maxLowerWord. It allocates
// nothing: a word is copied to buf, valid until the next call.
type lowerWords struct {
	s   string
	i   int
	buf [maxLowerWord]byte
}

// next returns the next word, or false at the end of s.
func (ws *lowerWords) next() ([]byte, bool) {
	s := ws.s
	for ws.i < len(s) {
		for ws.i < len(s) && !isASCIILetter(s[ws.i]) {
			ws.i++
		}
		start := ws.i
		for ws.i < len(s) && isASCIILetter(s[ws.i]) {
			ws.i++
		}
		n := ws.i - start
		if n == 0 || n > maxLowerWord {
			continue
		}
		for k := range n {
			c := s[start+k]
			if c < 'a' {
				c += 'a' - 'A'
			}
			ws.buf[k] = c
		}
		return ws.buf[:n], true
	}
	return nil, false
}

// negationWords negate a question or a sentence: a question that asks
// about what did not happen and a sentence about what did assert different
// things.
var negationWords = newWordSet("not", "no", "never", "none", "neither", "nor", "without", "cannot", "nobody", "nothing", "nowhere")

// wordSet is a set of lowercase words that rejects most other words by
// their first letter, before a map lookup.
type wordSet struct {
	first [256]bool
	words map[string]bool
}

func newWordSet(words ...string) *wordSet {
	s := &wordSet{words: map[string]bool{}}
	for _, w := range words {
		s.first[w[0]] = true
		s.words[w] = true
	}
	return s
}

func (s *wordSet) has(w []byte) bool { return len(w) > 0 && s.first[w[0]] && s.words[string(w)] }

// negated reports whether s holds a negation word or an "n't"; a word scan
// (as the verifier's hasNegation, without its regexp) for every candidate.
func negated(s string) bool {
	if strings.Contains(s, "n't") || strings.Contains(s, "n’t") {
		return true
	}
	ws := lowerWords{s: s}
	for w, ok := ws.next(); ok; w, ok = ws.next() {
		if negationWords.has(w) {
			return true
		}
	}
	return false
}

// numberPattern matches digits in a text ("1871", "3.5", "10,000").
var numberPattern = regexp.MustCompile(`[0-9]+(?:[.,][0-9]+)*`)

// questionNumbers returns the numbers q states, commas removed.
func questionNumbers(q string) []string {
	var out []string
	for _, n := range numberPattern.FindAllString(q, -1) {
		out = append(out, strings.ReplaceAll(n, ",", ""))
	}
	return out
}

// corefOpeners start sentences whose subject is the previous sentence's.
var corefOpeners = regexp.MustCompile(`^\s*(It|Its|They|Their|He|His|She|Her|This|These|The (company|firm|deal|agreement|chip|chips|startup|group|city|river|country|team|investment|model|government|university))\b`)

// askDefinition: "what is X", "who is X", "what does X mean".
var askDefinition = regexp.MustCompile(`(?i)^\s*(what|who) (is|are|was|were) (an? |the )?\w+( \w+)?\??\s*$|^\s*what does .* mean|^\s*define\b`)
