package wordvec

import (
	"math"
	"testing"
)

func mustLookup(t *testing.T, w string) Vector {
	t.Helper()
	v, ok := Lookup(w)
	if !ok {
		t.Fatalf("Lookup(%q): not found", w)
	}
	return v
}

func TestLookupAnalysis(t *testing.T) {
	tests := []struct {
		word, same string // same: a form that must give the identical vector
	}{
		{"King", "king"},
		{"KING", "king"},
		{"Amazon’s", "amazon"},
		{"Amazon's", "amazon"},
		{"ubiquitously", "ubiquitous"}, // stem fallback
		{"  reliance ", "reliance"},
	}
	for _, tc := range tests {
		got, want := mustLookup(t, tc.word), mustLookup(t, tc.same)
		if got != want {
			t.Errorf("Lookup(%q) = rank %d, want the vector of %q (rank %d)", tc.word, got.Rank(), tc.same, want.Rank())
		}
	}
}

func TestLookupMissing(t *testing.T) {
	for _, w := range []string{"", "openai", "OpenAI", "1990", "zzqxj", "---", "’s"} {
		if v, ok := Lookup(w); ok {
			t.Errorf("Lookup(%q) found rank %d, want not found", w, v.Rank())
		}
	}
}

func TestLookupCompound(t *testing.T) {
	v := mustLookup(t, "state-of-the-art")
	art := mustLookup(t, "art")
	if v.Rank() != art.Rank() {
		t.Errorf("rank %d, want that of its rarest part %q, %d", v.Rank(), "art", art.Rank())
	}
	if c := Cosine(v, v); math.Abs(float64(c)-1) > 1e-3 {
		t.Errorf("compound not unit length: cos(v, v) = %v", c)
	}
	if c := Cosine(v, art); c <= 0.3 || c >= 0.999 {
		t.Errorf("cos(state-of-the-art, art) = %v: want the mean of its parts, near but not equal to each", c)
	}
}

func TestRank(t *testing.T) {
	if r := mustLookup(t, "the").Rank(); r != 0 {
		t.Errorf("rank of the = %d, want 0", r)
	}
	if a, b := mustLookup(t, "king").Rank(), mustLookup(t, "carrot").Rank(); a >= b {
		t.Errorf("rank king %d >= carrot %d: want frequent words first", a, b)
	}
	if p0, p1 := Probability(0), Probability(1); p0 < 0.05 || p0 > 0.1 || math.Abs(p0/p1-2) > 1e-9 {
		t.Errorf("Probability(0) = %v, Probability(1) = %v: want Zipf, about 0.075 and half of it", p0, p1)
	}
	var sum float64
	for r := range VocabularySize {
		sum += Probability(r)
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("probabilities sum to %v, want 1", sum)
	}
}

// TestMeaning checks that the vectors carry meaning: related words are
// closer than unrelated ones, including the paraphrases word overlap
// misses.
func TestMeaning(t *testing.T) {
	tests := []struct{ word, near, far string }{
		{"king", "queen", "carrot"},
		{"depend", "rely", "cheese"},
		{"reduce", "lessen", "seattle"},
		{"ceo", "executive", "green"},
		{"invest", "investment", "purple"},
	}
	for _, tc := range tests {
		w := mustLookup(t, tc.word)
		near, far := Cosine(w, mustLookup(t, tc.near)), Cosine(w, mustLookup(t, tc.far))
		if near <= far+0.2 {
			t.Errorf("cos(%s, %s) = %.3f, cos(%s, %s) = %.3f: want the first clearly higher", tc.word, tc.near, near, tc.word, tc.far, far)
		}
	}
}

func TestVectorFloat32(t *testing.T) {
	a, b := mustLookup(t, "king"), mustLookup(t, "queen")
	fa, fb := a.Float32(), b.Float32()
	var dot, norm float64
	for i := range Dim {
		dot += float64(fa[i]) * float64(fb[i])
		norm += float64(fa[i]) * float64(fa[i])
	}
	if math.Abs(norm-1) > 1e-5 {
		t.Errorf("|king|² = %v, want 1", norm)
	}
	if c := float64(Cosine(a, b)); math.Abs(c-dot) > 1e-5 {
		t.Errorf("Cosine %v, float dot %v: want equal", c, dot)
	}
	if c := Cosine(Vector{}, a); c != 0 {
		t.Errorf("cosine with the zero Vector = %v, want 0", c)
	}
	dst := make([]float32, Dim)
	Vector{}.AddTo(dst, 1)
	for _, x := range dst {
		if x != 0 {
			t.Fatal("the zero Vector added something")
		}
	}
}

func TestEmbeddedTable(t *testing.T) {
	tb := load()
	if n := len(tb.ranks); n != 60000 {
		t.Errorf("%d words, want 60000 (the -words of go:generate)", n)
	}
	for i := 1; i < len(tb.ranks); i++ {
		if tb.ranks[i] <= tb.ranks[i-1] {
			t.Fatalf("row %d: rank %d after %d", i, tb.ranks[i], tb.ranks[i-1])
		}
	}
	if last := tb.ranks[len(tb.ranks)-1]; last >= VocabularySize {
		t.Errorf("last rank %d outside the vocabulary of %d", last, VocabularySize)
	}
}

func TestParseRejects(t *testing.T) {
	good := vectorsBin
	tests := []struct{ name, data string }{
		{"empty", ""},
		{"bad magic", "XVEC" + good[4:]},
		{"bad dim", good[:5] + "\x40" + good[6:]},
		{"truncated", good[:len(good)-1]},
		{"too long", good + "x"},
		{"header only", good[:10]},
	}
	for _, tc := range tests {
		if _, err := parse(tc.data); err == nil {
			t.Errorf("%s: parsed, want an error", tc.name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(vectorsBin[:2000])
	f.Add("WVEC\x01\x64\x01\x00\x00\x00a\n\x05" + string(make([]byte, 104)))
	f.Fuzz(func(t *testing.T, data string) {
		tb, err := parse(data)
		if err != nil {
			return
		}
		for w, i := range tb.index {
			v := tb.row(i)
			if c := Cosine(v, v); math.IsNaN(float64(c)) {
				t.Fatalf("word %q: cos(v, v) is NaN", w)
			}
		}
	})
}
