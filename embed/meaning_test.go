package embed

import (
	"context"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/wordvec"
)

func meaningLocal(t testing.TB) *Local {
	t.Helper()
	l, err := NewLocal(LocalConfig{WordVectors: true})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestMeaningConfig(t *testing.T) {
	tests := []struct {
		cfg      LocalConfig
		wantName string
		wantDim  int
	}{
		{LocalConfig{WordVectors: true}, "local-v2-484", DefaultLocalDim + wordvec.Dim},
		{LocalConfig{Dim: 256, WordVectors: true}, "local-v2-356", 256 + wordvec.Dim},
		{LocalConfig{}, "local-v1-384", DefaultLocalDim},
	}
	for _, tc := range tests {
		l, err := NewLocal(tc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if l.Name() != tc.wantName || l.Dim() != tc.wantDim {
			t.Errorf("%+v: %s/%d, want %s/%d", tc.cfg, l.Name(), l.Dim(), tc.wantName, tc.wantDim)
		}
		checkUnit(t, embedOne(t, l, "a short test sentence"), tc.wantDim)
	}
}

// TestMeaningBlock checks the layout: the hashed block of a text with
// known words is local-v1's scaled by sqrt(1-m), the meaning block holds
// the rest of the unit length, and a text without one keeps local-v1's
// vector and zeros.
func TestMeaningBlock(t *testing.T) {
	v1, v2 := DefaultLocal(), meaningLocal(t)
	tests := []struct {
		text        string
		wantMeaning bool
	}{
		{"Amazon is in talks to invest at least $10 billion in OpenAI", true},
		{"OpenAI 2024 xqzt", false}, // no word in the table
		{"", false},
		{"🚀🔥", false},
	}
	for _, tc := range tests {
		a, b := embedOne(t, v1, tc.text), embedOne(t, v2, tc.text)
		var hashedDot, meaningSq float64
		for i := range a {
			hashedDot += float64(a[i]) * float64(b[i])
		}
		for _, x := range b[len(a):] {
			meaningSq += float64(x) * float64(x)
		}
		wantHashed, wantMeaning := 1.0, 0.0
		if tc.wantMeaning {
			wantHashed, wantMeaning = math.Sqrt(1-defaultMeaningWeight), defaultMeaningWeight
		}
		if math.Abs(hashedDot-wantHashed) > 1e-5 || math.Abs(meaningSq-wantMeaning) > 1e-5 {
			t.Errorf("%q: hashed block · local-v1 = %.5f, |meaning|² = %.5f; want %.5f, %.5f",
				tc.text, hashedDot, meaningSq, wantHashed, wantMeaning)
		}
	}
}

// TestMeaningParaphrase checks what the block is for: paraphrases that
// share no content word come clearly closer than under local-v1, and
// closer than a text on another subject. A text that shares a content word
// still beats a paraphrase (the hashed block weighs 1-m): see
// defaultMeaningWeight.
func TestMeaningParaphrase(t *testing.T) {
	v1, v2 := DefaultLocal(), meaningLocal(t)
	tests := []struct{ a, paraphrase, other string }{
		{"The company wants to depend less on its supplier.", "The firm aims to reduce reliance on its vendor.", "Green cheese was sold in Seattle."},
		{"Profits rose sharply last year.", "Earnings increased steeply in the previous twelve months.", "A poem about the moon and the sea."},
		{"The physician examined the child.", "A doctor checked the young patient.", "Shares of the bank fell on Monday."},
	}
	for _, tc := range tests {
		old := dot(embedOne(t, v1, tc.a), embedOne(t, v1, tc.paraphrase))
		a := embedOne(t, v2, tc.a)
		near, far := dot(a, embedOne(t, v2, tc.paraphrase)), dot(a, embedOne(t, v2, tc.other))
		if near <= old+0.1 || near <= far {
			t.Errorf("%q: cos(paraphrase) %.3f (local-v1 %.3f), cos(other) %.3f: want the paraphrase clearly closer than under local-v1 and than the other", tc.a, near, old, far)
		}
	}
}

// TestMeaningGolden pins a vector of local-v2, like TestLocalEmbedGolden.
func TestMeaningGolden(t *testing.T) {
	v := embedOne(t, meaningLocal(t), "Amazon is in talks to invest at least $10 billion in OpenAI")
	var h uint64 = fnvOffset
	for _, x := range v {
		bits := math.Float32bits(x)
		for range 4 {
			h ^= uint64(bits & 0xff)
			h *= fnvPrime
			bits >>= 8
		}
	}
	const want = 0x1f90e0b780bf4d3e
	if h != want {
		t.Errorf("vector hash = %#x, want %#x: vectors changed; bump localMeaningVersion if intended", h, uint64(want))
	}
}

func TestMeaningDeterministic(t *testing.T) {
	l := meaningLocal(t)
	texts := []string{"How much will Amazon invest in OpenAI?", "investing invested invests", ""}
	a, err := l.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	embedOne(t, l, strings.Repeat("warm the pool with other words ", 100))
	for i, text := range texts {
		b := embedOne(t, l, text)
		for k := range b {
			if math.Float32bits(a[i][k]) != math.Float32bits(b[k]) {
				t.Fatalf("text %d component %d: %v then %v", i, k, a[i][k], b[k])
			}
		}
	}
}

func FuzzMeaningEmbed(f *testing.F) {
	for _, s := range []string{"", "a", "Amazon invests $10 billion", "亚马逊", "naïve café", "state-of-the-art", strings.Repeat("the ", 300)} {
		f.Add(s)
	}
	l := meaningLocal(f)
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip()
		}
		checkUnit(t, embedOne(t, l, text), l.Dim())
	})
}

func TestLocalByName(t *testing.T) {
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"local-v1-384", true},
		{"local-v1-32", true},
		{"local-v2-484", true},
		{"local-v2-356", true},
		{"local-v2-100", false}, // no hashed block
		{"local-v1-31", false},
		{"local-v1-0384", false},
		{"local-v3-384", false},
		{"openai:text-embedding-3-small", false},
		{"local-v1-", false},
		{"", false},
	}
	for _, tc := range tests {
		l, ok := LocalByName(tc.name)
		if ok != tc.wantOK {
			t.Errorf("LocalByName(%q) ok = %v, want %v", tc.name, ok, tc.wantOK)
			continue
		}
		if ok && l.Name() != tc.name {
			t.Errorf("LocalByName(%q).Name() = %q", tc.name, l.Name())
		}
	}
	if l, _ := LocalByName(DefaultLocal().Name()); l == nil || l.Dim() != DefaultLocal().Dim() {
		t.Error("the default embedder's name does not give it back")
	}
}
