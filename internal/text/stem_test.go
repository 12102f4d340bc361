package text

import (
	"strings"
	"testing"
)

func TestStemBytes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"invest", "invest"},
		{"invests", "invest"},
		{"invested", "invest"},
		{"investing", "invest"},
		{"studies", "studi"},
		{"studied", "studi"},
		{"study", "studi"},
		{"running", "run"},
		{"falling", "fall"},
		{"make", "mak"},
		{"making", "mak"},
		{"makes", "mak"},
		{"boxes", "box"},
		{"class", "class"},
		{"analysis", "analysis"},
		{"status", "status"},
		{"thing", "thing"},
		{"day", "day"},
		{"days", "day"},
		{"1990s", "1990"},
		{"gpu", "gpu"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := string(StemBytes([]byte(tc.in))); got != tc.want {
				t.Errorf("StemBytes(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStem(t *testing.T) {
	tests := []struct{ in, want string }{
		{"invest", "invest"},
		{"invests", "invest"},
		{"invested", "invest"},
		{"investing", "invest"},
		{"investors", "investor"},
		{"studies", "study"},
		{"studied", "study"},
		{"planning", "plan"},
		{"falling", "fall"},
		{"adding", "ad"},
		{"boxes", "box"},
		{"games", "game"},
		{"class", "class"},
		{"status", "status"},
		{"nations", "nation"},
		{"organisations", "organis"},
		{"quickly", "quick"},
		{"cat", "cat"},
		{"zürich", "zürich"},
	}
	for _, tc := range tests {
		if got := Stem(tc.in); got != tc.want {
			t.Errorf("Stem(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"The investors invested in investing.", "investor invest invest"},
		{"Amazon’s AWS and OpenAI's deal", "amazon aws openai deal"},
		{"Studies of the studied study", "study study study"},
		{"It can't be $10bn, it's 3.5%!", "10bn 3 5"},
		{"Zürich naïve CAFÉ", "zürich naïve café"},
		{"a s t", ""},
	}
	for _, tc := range tests {
		if got := strings.Join(Terms(tc.in), " "); got != tc.want {
			t.Errorf("Terms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestStemInPlace checks that a word stemmed in a byte buffer (EachTerm)
// becomes what Stem makes of it, and that EachTerm's bytes are what Terms
// keeps.
func TestStemInPlace(t *testing.T) {
	words := []string{"studies", "studied", "planning", "boxes", "games", "class", "status", "nations",
		"adding", "falling", "investors", "quickly", "edly", "ies", "zürich", "cafés", "x", ""}
	for _, w := range words {
		n, y := stemCut([]byte(w))
		got := w[:n]
		if y {
			got += "y"
		}
		if want := Stem(w); got != want {
			t.Errorf("stemCut(%q) gives %q, Stem %q", w, got, want)
		}
	}
	in := "The studies planned, Amazon’s boxes studied"
	var got []string
	EachTerm(in, func(t []byte) { got = append(got, string(t)) })
	if want := Terms(in); strings.Join(got, " ") != strings.Join(want, " ") || strings.Join(want, " ") != "study plan amazon box study" {
		t.Errorf("EachTerm(%q) = %q, Terms %q", in, got, want)
	}
}

func TestStopwords(t *testing.T) {
	for _, w := range []string{"the", "which", "s", "don"} {
		if !IsStopword(w) {
			t.Errorf("IsStopword(%q) = false", w)
		}
	}
	for _, w := range []string{"amazon", "billion", "invest", "can't"} {
		if IsStopword(w) {
			t.Errorf("IsStopword(%q) = true", w)
		}
	}
	list := EmbedderStopwords()
	list[0] = "changed"
	if EmbedderStopwords()[0] == "changed" {
		t.Error("EmbedderStopwords returns the package's own slice")
	}
}

// FuzzStem: Stem returns its input or a stem of at least two bytes that,
// but for a final "y" or "e", is a prefix of it; StemBytes never grows its
// input. Neither panics.
func FuzzStem(f *testing.F) {
	for _, s := range []string{"studies", "running", "boxes", "make", "ab", "naïve", "zzzzing"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		got := Stem(w)
		if got != w {
			base := strings.TrimRight(got, "ye")
			if len(got) < 2 || !strings.HasPrefix(w, base) {
				t.Fatalf("Stem(%q) = %q", w, got)
			}
		}
		b := []byte(strings.ToLower(w))
		if n := len(b); len(StemBytes(b)) > n {
			t.Fatalf("StemBytes(%q) grew", w)
		}
	})
}
