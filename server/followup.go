package server

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxHistoryTurns bounds how many earlier user turns a chat request's
// question is resolved against.
const maxHistoryTurns = 8

// Word lists of the follow-up rule (see standaloneQuestion). They are
// lower case; words are compared lower-cased.
var (
	// leadConnectives open a follow-up: "and how much did Microsoft invest?".
	// Longer ones come first so "and what about" wins over "and".
	leadConnectives = [][]string{
		{"and", "what", "about"}, {"and", "how", "about"}, {"what", "about"}, {"how", "about"},
		{"and", "also"}, {"and"}, {"but"}, {"also"}, {"so"}, {"then"}, {"or"}, {"plus"},
	}
	// questionWords open a full question rather than a fragment.
	questionWords = wordSet("how what who whom whose when where why which is are was were do does did " +
		"can could has have had will would should shall may might must")
	// backPronouns refer back to an earlier turn's subject.
	backPronouns = wordSet("it they them he him she")
	// backPossessives are the possessive forms, replaced by "Subject's".
	backPossessives = wordSet("its their his")
	// backDeterminers ("this deal", "these reports") also mark a follow-up.
	backDeterminers = wordSet("this these those")
	// entityPreps introduce an entity whose phrase is carried over whole
	// ("in OpenAI").
	entityPreps = wordSet("in of for to from with by on at about into between against over")
	// notEntities are capitalised words that open questions or sentences
	// and name nothing.
	notEntities = wordSet("how what who whom whose when where why which is are was were do does did can could " +
		"has have had will would should shall may might must and but also so then or plus the a an " +
		"i we you please tell give list show explain describe summarise summarize according in of for to " +
		"on at by from with about this that these those it its they their there here if")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// entity is a run of capitalised words ("Sam Altman", "OpenAI", "AWS") in a
// question, with the preposition right before it, if any ("in").
type entity struct {
	prep string
	text string
}

func (e entity) phrase() string {
	if e.prep == "" {
		return e.text
	}
	return e.prep + " " + e.text
}

// standaloneQuestion resolves the last of a conversation's user turns into
// a question that stands on its own, so retrieval needs no memory. It works
// offline with one documented rule, applied turn by turn (each turn is
// resolved against the resolution of the one before it):
//
//  1. A turn is a follow-up when it opens with a connective ("and", "but",
//     "also", "what about", "how about", ...), contains a pronoun or
//     determiner that points back ("it", "they", "its", "their", "this",
//     ...), or is a short fragment (at most four words, no question word).
//     Any other turn stands alone and is taken as it is.
//  2. The previous question's entities are its runs of capitalised words
//     (question words and sentence openers excluded), each with the
//     preposition before it ("in OpenAI"). The first one is its subject.
//  3. A fragment that names entities ("and Microsoft?", "what about of
//     Anthropic?") is the previous question with entities swapped: each new
//     entity replaces the previous entity with the same preposition, or else
//     the subject.
//  4. A full question keeps its words; each entity it names replaces a
//     previous one as in rule 3 ("and how much did Microsoft invest?"
//     replaces Amazon), and the previous entities neither replaced nor
//     mentioned are appended with their prepositions ("... invest in
//     OpenAI?").
//  5. Its first back-pointing pronoun ("how much did they invest?") is
//     replaced by the first previous entity not replaced by rule 4 (usually
//     the subject; "Subject's" for a possessive); the rest are appended.
//
// The connective that marked a follow-up is dropped from the result.
func standaloneQuestion(userTurns []string) string {
	if len(userTurns) > maxHistoryTurns {
		userTurns = userTurns[len(userTurns)-maxHistoryTurns:]
	}
	resolved := ""
	for _, t := range userTurns {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" {
			continue
		}
		if resolved == "" {
			resolved = t
			continue
		}
		resolved = resolveFollowUp(resolved, t)
	}
	return resolved
}

// resolveFollowUp applies the rule of standaloneQuestion to one turn q
// given the resolved previous question prev.
func resolveFollowUp(prev, q string) string {
	words := strings.Fields(q)
	rest, connective := dropConnective(words)
	if len(rest) == 0 {
		return prev // "and?" asks the same again
	}
	fragment := !questionWords[bare(rest[0])]
	back := false
	for _, w := range rest {
		b := bare(w)
		back = back || backPronouns[b] || backPossessives[b] || backDeterminers[b]
	}
	if !connective && !back && !(fragment && len(rest) <= 4) {
		return q
	}
	prevEnts := entities(strings.Fields(prev))
	ents := entities(rest)
	if len(prevEnts) == 0 {
		return joinQuestion(rest, nil)
	}
	if fragment && len(ents) > 0 {
		return swapEntities(prev, prevEnts, ents)
	}
	replaced := matchEntities(prevEnts, ents)
	for i, e := range prevEnts {
		if !replaced[i] && !mentions(rest, e.text) {
			replaced[i] = substituteBack(rest, e.text)
			break
		}
	}
	var carry []string
	for i, e := range prevEnts {
		if !replaced[i] && !mentions(rest, e.text) {
			carry = append(carry, e.phrase())
		}
	}
	return joinQuestion(rest, carry)
}

// dropConnective removes a leading connective, reporting whether there was one.
func dropConnective(words []string) ([]string, bool) {
	for _, c := range leadConnectives {
		if len(words) < len(c) {
			continue
		}
		ok := true
		for i, w := range c {
			if bare(words[i]) != w {
				ok = false
				break
			}
		}
		if ok {
			return words[len(c):], true
		}
	}
	return words, false
}

// entities finds the runs of capitalised words in words.
func entities(words []string) []entity {
	var out []entity
	var run []string
	prep := ""
	flush := func() {
		if len(run) > 0 {
			out = append(out, entity{prep: prep, text: strings.Join(run, " ")})
		}
		run = nil
	}
	for i, w := range words {
		b := strings.TrimRightFunc(strings.TrimLeftFunc(w, unicode.IsPunct), unicode.IsPunct)
		if capitalised(b) && !notEntities[strings.ToLower(b)] {
			if len(run) == 0 {
				prep = ""
				if i > 0 && entityPreps[bare(words[i-1])] {
					prep = bare(words[i-1])
				}
			}
			run = append(run, b)
			if b != w && strings.ContainsAny(w[len(w)-1:], ",.;:?!") {
				flush()
			}
			continue
		}
		flush()
	}
	flush()
	return out
}

// matchEntities marks which previous entities the new ones replace: the one
// with the same preposition, else the first (the subject) not yet replaced.
func matchEntities(prev, ents []entity) map[int]bool {
	replaced := map[int]bool{}
	for _, e := range ents {
		j := -1
		for i, p := range prev {
			if !replaced[i] && e.prep != "" && p.prep == e.prep {
				j = i
				break
			}
		}
		for i := range prev {
			if j < 0 && !replaced[i] && prev[i].prep == "" {
				j = i
			}
		}
		for i := range prev {
			if j < 0 && !replaced[i] {
				j = i
			}
		}
		if j >= 0 {
			replaced[j] = true
		}
	}
	return replaced
}

// swapEntities rewrites prev with each of ents in place of the previous
// entity it replaces (rule 3).
func swapEntities(prev string, prevEnts, ents []entity) string {
	out := prev
	used := map[int]bool{}
	for _, e := range ents {
		replaced := matchEntities(prevEnts, []entity{e})
		for i := range prevEnts {
			if replaced[i] && !used[i] {
				used[i] = true
				out = strings.Replace(out, prevEnts[i].text, e.text, 1)
			}
		}
	}
	return out
}

// substituteBack replaces the first back-pointing pronoun in words with
// subject (or "subject's" for a possessive), in place, and reports whether
// it did.
func substituteBack(words []string, subject string) bool {
	for i, w := range words {
		b := bare(w)
		suffix := w[len(strings.TrimRightFunc(w, unicode.IsPunct)):]
		switch {
		case backPronouns[b]:
			words[i] = subject + suffix
			return true
		case backPossessives[b]:
			words[i] = subject + "'s" + suffix
			return true
		}
	}
	return false
}

// mentions reports whether words contain name (case-insensitively).
func mentions(words []string, name string) bool {
	return strings.Contains(strings.ToLower(strings.Join(words, " ")), strings.ToLower(name))
}

// joinQuestion joins words and the carried phrases into one question,
// keeping the question's final punctuation at the end.
func joinQuestion(words, carry []string) string {
	s := strings.Join(words, " ")
	if len(carry) == 0 {
		return s
	}
	body := strings.TrimRightFunc(s, func(r rune) bool { return r == '?' || r == '.' || r == '!' || unicode.IsSpace(r) })
	return body + " " + strings.Join(carry, " ") + s[len(body):]
}

// bare lower-cases w and trims its surrounding punctuation.
func bare(w string) string {
	return strings.ToLower(strings.TrimFunc(w, unicode.IsPunct))
}

// capitalised reports whether w starts with an upper-case letter.
func capitalised(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}
