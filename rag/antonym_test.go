package rag

import (
	"strings"
	"testing"
)

func TestAntonymCheck(t *testing.T) {
	tests := []struct {
		q, s string
		want bool
	}{
		{"What is the last major bend in the Rhine called?", "The first major bend is the Rhine knee.", true},
		{"What is the last major bend in the Rhine called?", "The last major bend is the Rhine knee.", false},
		{"What decreased the rate of flow?", "Canalisation increased the rate of flow.", true},
		{"What is the largest city on the Rhine?", "The smallest city on the Rhine is Kaub.", true},
		{"Where does the Rhine turn to the SOUTH?", "At Basel it turns to the north.", true},
		{"Where does the Rhine turn to the south?", "It turns from the north to the south.", false},
		{"Is a problem instance abstract or concrete?", "A problem instance is concrete.", false},
		{"Who won the election?", "The governor lost the election.", true},
		{"How long is the Rhine?", "The Rhine is short of nothing.", false},
		{"", "The first bend.", false},
	}
	for _, tc := range tests {
		if got := contradicts(tc.q, tc.s); got != tc.want {
			t.Errorf("%q against %q: %v, want %v", tc.q, tc.s, got, tc.want)
		}
	}
}

// TestAntonymFeature checks the antonym column of the feature rows.
func TestAntonymFeature(t *testing.T) {
	col := columnsOf([]string{"antonym"})[0]
	rows := SentenceFeatures("What is the last major bend called?", []Candidate{
		{Text: "The first major bend is the Rhine knee."},
		{Text: "The last major bend is the Rhine knee.", Position: 1},
	}, func(string) float64 { return 1 })
	if rows[0][col] != 1 || rows[1][col] != 0 {
		t.Errorf("antonym column %v and %v, want 1 and 0", rows[0][col], rows[1][col])
	}
}

// contradicts runs the antonym check of question q on sentence s.
func contradicts(q, s string) bool {
	qi := analyseQuestion(q)
	ct := candTerms{has: make([]bool, qi.lookup.n), prefix: make([]bool, len(qi.terms))}
	qi.lookup.scanTerms(s, &ct)
	return ct.contradicts()
}

func FuzzAntonymCheck(f *testing.F) {
	f.Add("What is the last bend?", "The first bend.")
	f.Add("Is it abstract or concrete?", "It is CONCRETE; not abstract.")
	f.Fuzz(func(t *testing.T, q, s string) {
		got := contradicts(q, s)
		if got && analyseQuestion(q).lookup.antonyms == nil {
			t.Fatalf("%q has no word with antonyms, yet contradicts %q", q, s)
		}
		if got != contradicts(q, strings.ToUpper(s)) {
			t.Fatalf("%q against %q: case changes the answer", q, s)
		}
	})
}
