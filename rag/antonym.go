package rag

import (
	"slices"
	"strings"

	"github.com/ragcite/ragcite/internal/lexicon"
	"github.com/ragcite/ragcite/internal/text"
)

// antonymCheck finds a sentence that states the opposite of a word of the
// question instead of the word itself: "What is the last major bend ...?"
// against "the first major bend", "What decreased the rate ...?" against
// "increased". SQuAD 2.0 makes a fifth of its unanswerable questions this
// way. The antonyms and inflected forms come from WordNet (package
// lexicon); a candidate's words are looked up in the one scan that finds
// the question's terms (termLookup.scanTerms).
type antonymCheck struct {
	// roles maps a lowercase word form to the question words it is a form
	// of (antonym false) or an antonym of (antonym true).
	roles map[string][]antonymRole
	n     int // question words with antonyms
	// lens, firsts and lasts have the length, first and last letter of
	// every form in roles: most words are rejected by them without a map
	// lookup.
	lens          uint64
	firsts, lasts [256]bool
}

type antonymRole struct {
	word    int
	antonym bool
}

// newAntonymCheck returns the check for question q; its n is 0 when no
// word of q has an antonym.
func newAntonymCheck(q string) antonymCheck {
	ac := antonymCheck{roles: map[string][]antonymRole{}}
	add := func(form string, r antonymRole) {
		ac.roles[form] = append(ac.roles[form], r)
		ac.lens |= lenBit(len(form))
		ac.firsts[form[0]], ac.lasts[form[len(form)-1]] = true, true
	}
	addLemma := func(l string, r antonymRole) {
		add(l, r)
		for _, f := range lexicon.Forms(l) {
			add(f, r)
		}
	}
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return r < 'a' || r > 'z' })
	for i, w := range words {
		// "How long ...?" asks a length: "long" is not asserted, and a
		// sentence saying "short" answers it.
		if text.IsStopword(w) || i > 0 && words[i-1] == "how" {
			continue
		}
		lemmas := lexicon.Lemmas(w)
		if len(lemmas) == 0 {
			continue
		}
		word := ac.n
		ac.n++
		add(w, antonymRole{word: word})
		for _, l := range lemmas {
			addLemma(l, antonymRole{word: word})
			for _, a := range lexicon.Antonyms(l) {
				addLemma(a, antonymRole{word: word, antonym: true})
			}
		}
	}
	// A question that names both sides ("abstract or concrete?") is not
	// contradicted by a sentence stating one of them.
	for form, rs := range ac.roles {
		if slices.ContainsFunc(rs, func(r antonymRole) bool { return !r.antonym }) {
			ac.roles[form] = slices.DeleteFunc(rs, func(r antonymRole) bool { return r.antonym })
		}
	}
	return ac
}

// see notes in ct what the lowercase word w of a candidate is to the
// question's words.
func (ac *antonymCheck) see(w []byte, ct *candTerms) {
	if len(w) == 0 || ac.lens&lenBit(len(w)) == 0 || !ac.firsts[w[0]] || !ac.lasts[w[len(w)-1]] {
		return
	}
	for _, r := range ac.roles[string(w)] {
		if r.antonym {
			ct.opposite |= 1 << (r.word % 64)
		} else {
			ct.holds |= 1 << (r.word % 64)
		}
	}
}

// contradicts reports whether the candidate holds an antonym of a word of
// the question and no form of that word.
func (ct *candTerms) contradicts() bool { return ct.opposite&^ct.holds != 0 }
