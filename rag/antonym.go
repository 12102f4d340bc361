package rag

import (
	"slices"

	"github.com/ragcite/ragcite/internal/lexicon"
	"github.com/ragcite/ragcite/internal/text"
)

// antonymCheck finds a sentence that states the opposite of a word of the
// question instead of the word itself: "What is the last major bend ...?"
// against "the first major bend", "What decreased the rate ...?" against
// "increased". SQuAD 2.0 makes a fifth of its unanswerable questions this
// way. The antonyms and inflected forms come from WordNet (package
// lexicon).
type antonymCheck struct {
	// roles maps a lowercase word form to the question words it is a form
	// of (antonym false) or an antonym of (antonym true).
	roles map[string][]antonymRole
	n     int // question words with antonyms
	lens  uint64
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
	}
	afterHow := false
	eachLowerWord(q, func(w []byte) {
		word := string(w)
		// "How long ...?" asks a length: "long" is not asserted, and a
		// sentence saying "short" answers it.
		skip := afterHow || text.IsStopword(word)
		afterHow = word == "how"
		if skip {
			return
		}
		lemmas := lexicon.Lemmas(nil, word)
		if len(lemmas) == 0 {
			return
		}
		i := ac.n
		ac.n++
		add(word, antonymRole{word: i})
		for _, l := range lemmas {
			add(l, antonymRole{word: i})
			for _, f := range lexicon.Forms(l) {
				add(f, antonymRole{word: i})
			}
			for _, a := range lexicon.Antonyms(l) {
				add(a, antonymRole{word: i, antonym: true})
				for _, f := range lexicon.Forms(a) {
					add(f, antonymRole{word: i, antonym: true})
				}
			}
		}
	})
	// A question that names both sides ("abstract or concrete?") is not
	// contradicted by a sentence stating one of them.
	for form, rs := range ac.roles {
		own := false
		for _, r := range rs {
			own = own || !r.antonym
		}
		if own {
			ac.roles[form] = slices.DeleteFunc(rs, func(r antonymRole) bool { return r.antonym })
		}
	}
	return ac
}

// contradicts reports whether sentence s holds an antonym of a word of
// the question and no form of that word.
func (ac *antonymCheck) contradicts(s string) bool {
	if ac.n == 0 {
		return false
	}
	var has, opposite uint64 // bit per question word (the first 64)
	eachLowerWord(s, func(w []byte) {
		if ac.lens&lenBit(len(w)) == 0 {
			return
		}
		for _, r := range ac.roles[string(w)] {
			if r.antonym {
				opposite |= 1 << (r.word % 64)
			} else {
				has |= 1 << (r.word % 64)
			}
		}
	})
	return opposite&^has != 0
}

// eachLowerWord calls fn with each run of ASCII letters of s, lowercased
// (lowerWords). The slice is reused between calls.
func eachLowerWord(s string, fn func(w []byte)) {
	ws := lowerWords{s: s}
	for w, ok := ws.next(); ok; w, ok = ws.next() {
		fn(w)
	}
}
