// Package lexicon holds English word knowledge the ranker cannot learn
// from its small training sets: antonym pairs and the inflected forms of
// their words, derived from WordNet 3.0 (antonyms.tsv, written by
// `go generate`; see gen).
package lexicon

import (
	_ "embed"
	"strings"
	"sync"
)

//go:generate go run ./gen -wordnet /usr/share/wordnet -out antonyms.tsv

//go:embed antonyms.tsv
var antonymsTSV string

// table is the parsed antonyms.tsv.
type table struct {
	antonyms map[string][]string // lemma -> its antonyms
	lemmas   map[string][]string // inflected form -> its lemmas
	forms    map[string][]string // lemma -> its inflected forms
}

var load = sync.OnceValue(func() *table {
	t := &table{antonyms: map[string][]string{}, lemmas: map[string][]string{}, forms: map[string][]string{}}
	for _, line := range strings.Split(antonymsTSV, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue // a comment or the last newline
		}
		switch f[0] {
		case "a":
			t.antonyms[f[1]] = append(t.antonyms[f[1]], f[2])
		case "f":
			t.lemmas[f[1]] = append(t.lemmas[f[1]], f[2])
			t.forms[f[2]] = append(t.forms[f[2]], f[1])
		}
	}
	return t
})

// Lemmas returns the lemmas with antonyms that the lowercase word w may be
// a form of: w itself when it is one, and the lemmas of an inflected form
// ("largest" -> "large", "won" -> "win").
func Lemmas(w string) []string {
	t := load()
	var out []string
	if _, ok := t.antonyms[w]; ok {
		out = append(out, w)
	}
	return append(out, t.lemmas[w]...)
}

// Antonyms returns the antonyms of a lemma ("large" -> "small"); nil when
// it has none. The slice must not be modified.
func Antonyms(lemma string) []string { return load().antonyms[lemma] }

// Forms returns the inflected forms of a lemma with antonyms, not the
// lemma itself ("large" -> "larger", "largest", ...). The slice must not
// be modified.
func Forms(lemma string) []string { return load().forms[lemma] }
