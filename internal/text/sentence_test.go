package text

import (
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"simple", "One two. Three four! Five?", []string{"One two.", "Three four!", "Five?"}},
		{"abbreviation", "Mr. Smith met Dr. Jones. They talked.", []string{"Mr. Smith met Dr. Jones.", "They talked."}},
		{"decimal and domain", "It rose 3.5% at Amazon.com today. Then fell.", []string{"It rose 3.5% at Amazon.com today.", "Then fell."}},
		{"lowercase continuation", "It was approx. ten. Next one.", []string{"It was approx. ten.", "Next one."}},
		{"closing quote", "He said “stop.” She left.", []string{"He said “stop.”", "She left."}},
		{"newline ends", "Headline without stop\nBody text here.", []string{"Headline without stop", "Body text here."}},
		{"initials", "J. R. Smith wrote it. Done.", []string{"J. R. Smith wrote it.", "Done."}},
		{"empty", "  \n\n ", nil},
		{"inc", "Amazon.com Inc. (NASDAQ: AMZN) is big. Yes.", []string{"Amazon.com Inc. (NASDAQ: AMZN) is big.", "Yes."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, s := range SplitSentences(tc.text) {
				got = append(got, tc.text[s.Start:s.End])
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("sentence %d = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"A. B.", "Mr. X. Y!", "“a.” b", "\n\n", "3.5. x", "é. É."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		prev := 0
		covered := make([]bool, len(text))
		for _, s := range SplitSentences(text) {
			if s.Start < prev || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("bad span %v after %d in %q", s, prev, text)
			}
			if !utf8.ValidString(text[s.Start:s.End]) {
				t.Fatalf("span %v cuts a rune in %q", s, text)
			}
			for i := s.Start; i < s.End; i++ {
				covered[i] = true
			}
			prev = s.End
		}
		for i, r := range text {
			if !unicode.IsSpace(r) && !covered[i] {
				t.Fatalf("byte %d (%q) of %q is in no sentence", i, r, text)
			}
		}
	})
}
