package lexicon

import (
	"slices"
	"testing"
)

func TestLemmasAndAntonyms(t *testing.T) {
	tests := []struct {
		word     string
		lemma    string
		antonym  string
		hasLemma bool
	}{
		{"large", "large", "small", true},
		{"largest", "large", "small", true},
		{"smaller", "small", "large", true},
		{"won", "win", "lose", true},
		{"increased", "increase", "decrease", true},
		{"north", "north", "south", true},
		{"rhine", "", "", false},
	}
	for _, tc := range tests {
		ls := Lemmas(tc.word)
		if !tc.hasLemma {
			if len(ls) != 0 {
				t.Errorf("%q: lemmas %v, want none", tc.word, ls)
			}
			continue
		}
		if !slices.Contains(ls, tc.lemma) {
			t.Errorf("%q: lemmas %v, want %q among them", tc.word, ls, tc.lemma)
			continue
		}
		if tc.word != tc.lemma && !slices.Contains(Forms(tc.lemma), tc.word) {
			t.Errorf("%q: forms %v, want %q among them", tc.lemma, Forms(tc.lemma), tc.word)
		}
		if !slices.Contains(Antonyms(tc.lemma), tc.antonym) {
			t.Errorf("%q: antonyms %v, want %q among them", tc.lemma, Antonyms(tc.lemma), tc.antonym)
		}
	}
}
