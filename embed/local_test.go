package embed

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func embedOne(t testing.TB, l *Local, text string) []float32 {
	t.Helper()
	vs, err := l.Embed(context.Background(), []string{text})
	if err != nil {
		t.Fatalf("Embed(%q): %v", text, err)
	}
	if len(vs) != 1 {
		t.Fatalf("Embed(%q): got %d vectors, want 1", text, len(vs))
	}
	return vs[0]
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// checkUnit fails unless v has length dim, finite components and unit norm.
func checkUnit(t testing.TB, v []float32, dim int) {
	t.Helper()
	if len(v) != dim {
		t.Fatalf("len = %d, want %d", len(v), dim)
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			t.Fatalf("component %d is %v", i, x)
		}
	}
	if n := math.Sqrt(dot(v, v)); math.Abs(n-1) > 1e-5 {
		t.Fatalf("norm = %v, want 1", n)
	}
}

func TestNewLocal(t *testing.T) {
	tests := []struct {
		name     string
		cfg      LocalConfig
		wantDim  int
		wantName string
		wantErr  bool
	}{
		{"zero value is the default", LocalConfig{}, 384, "local-v1-384", false},
		{"explicit dim", LocalConfig{Dim: 768}, 768, "local-v1-768", false},
		{"smallest dim", LocalConfig{Dim: MinLocalDim}, MinLocalDim, "local-v1-32", false},
		{"largest dim", LocalConfig{Dim: MaxLocalDim}, MaxLocalDim, "local-v1-8192", false},
		{"negative dim", LocalConfig{Dim: -1}, 0, "", true},
		{"too small", LocalConfig{Dim: MinLocalDim - 1}, 0, "", true},
		{"too large", LocalConfig{Dim: MaxLocalDim + 1}, 0, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := NewLocal(tc.cfg)
			if tc.wantErr {
				if !errors.Is(err, ErrInvalidConfig) {
					t.Fatalf("err = %v, want ErrInvalidConfig", err)
				}
				if !strings.Contains(err.Error(), "dim") {
					t.Errorf("err = %q does not name the field", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewLocal: %v", err)
			}
			if l.Dim() != tc.wantDim || l.Name() != tc.wantName {
				t.Errorf("got %s/%d, want %s/%d", l.Name(), l.Dim(), tc.wantName, tc.wantDim)
			}
			checkUnit(t, embedOne(t, l, "a short test sentence"), tc.wantDim)
		})
	}
}

func TestDefaultLocal(t *testing.T) {
	l := DefaultLocal()
	if l.Name() != "local-v1-384" || l.Dim() != DefaultLocalDim {
		t.Errorf("DefaultLocal() = %s/%d, want local-v1-384/384", l.Name(), l.Dim())
	}
}

func TestLocalEmbedUnitVectors(t *testing.T) {
	l := DefaultLocal()
	tests := []struct {
		name string
		text string
	}{
		{"prose", "Amazon is in talks to invest at least $10 billion in OpenAI."},
		{"empty", ""},
		{"whitespace", " \t\n "},
		{"punctuation only", "?!... -- ;;"},
		{"emoji only", "🚀🔥"},
		{"stopwords only", "the of and to a in"},
		{"chinese", "亚马逊正在洽谈向OpenAI投资至少100亿美元"},
		{"mixed scripts", "Café naïve Ελληνικά русский 日本語 😀 text"},
		{"single letter", "x"},
		{"digits", "2024 10 3.14"},
		{"long word", strings.Repeat("supercalifragilistic", 500)},
		{"long text", strings.Repeat("The quick brown fox jumps over the lazy dog. ", 2000)},
		{"invalid utf-8", "abc\xff\xfe def"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkUnit(t, embedOne(t, l, tc.text), l.Dim())
		})
	}
}

func TestLocalEmbedDeterministic(t *testing.T) {
	texts := []string{
		"How much will Amazon invest in OpenAI?",
		"亚马逊 invests 🚀 in Ελληνικά",
		"",
	}
	a, err := DefaultLocal().Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	// A separate instance, a different batch and a reused scratch buffer
	// must give the same bits.
	l := DefaultLocal()
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

// TestLocalEmbedGolden pins a few components so that an unintended change of
// the algorithm, which would need a new localVersion, fails here.
func TestLocalEmbedGolden(t *testing.T) {
	v := embedOne(t, DefaultLocal(), "Amazon is in talks to invest at least $10 billion in OpenAI")
	var h uint64 = fnvOffset
	for _, x := range v {
		bits := math.Float32bits(x)
		for range 4 {
			h ^= uint64(bits & 0xff)
			h *= fnvPrime
			bits >>= 8
		}
	}
	const want = 0xd4b2641744b4d0c9
	if h != want {
		t.Errorf("vector hash = %#x, want %#x: vectors changed; bump localVersion if intended", h, uint64(want))
	}
}

func TestLocalEmbedSimilarity(t *testing.T) {
	l := DefaultLocal()
	tests := []struct {
		name, query, near, far string
	}{
		{
			"paraphrase",
			"How much will Amazon invest in OpenAI?",
			"Amazon is in talks to invest at least $10 billion in OpenAI",
			"The recipe calls for two cups of flour and a pinch of salt.",
		},
		{
			"inflection",
			"investing in renewable energy",
			"The fund invested heavily in renewables and energies.",
			"The cat sat quietly on the warm windowsill.",
		},
		{
			"case and punctuation",
			"GRAPHICS PROCESSING UNITS",
			"graphics-processing units, i.e. GPUs",
			"a history of medieval castles",
		},
		{
			"chinese",
			"亚马逊投资",
			"亚马逊正在洽谈投资OpenAI",
			"今天天气很好",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, near, far := embedOne(t, l, tc.query), embedOne(t, l, tc.near), embedOne(t, l, tc.far)
			if dn, df := dot(q, near), dot(q, far); dn <= df {
				t.Errorf("cos(query, near) = %.3f, not above cos(query, far) = %.3f", dn, df)
			}
		})
	}
}

func TestLogDet(t *testing.T) {
	for _, x := range []float64{1, 2, 3, 10, 64, 65, 1000, 1e9} {
		if got, want := logDet(x), math.Log(x); math.Abs(got-want) > 1e-12*math.Max(1, want) {
			t.Errorf("logDet(%v) = %v, want %v", x, got, want)
		}
	}
}

func TestLocalEmbedBatchMatchesSingle(t *testing.T) {
	l := DefaultLocal()
	texts := []string{"first text about cloud computing", "", "second text, about 🚀 rockets"}
	vs, err := l.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != len(texts) {
		t.Fatalf("got %d vectors, want %d", len(vs), len(texts))
	}
	for i, text := range texts {
		if !slices.Equal(vs[i], embedOne(t, l, text)) {
			t.Errorf("text %d: batch and single vectors differ", i)
		}
	}
	// Vectors of one batch must not share capacity: appending to one must
	// not overwrite the next.
	_ = append(vs[0], 42)
	if !slices.Equal(vs[1], embedOne(t, l, texts[1])) {
		t.Error("appending to one vector changed the next")
	}
}

func TestLocalEmbedCancel(t *testing.T) {
	l := DefaultLocal()
	t.Run("before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		vs, err := l.Embed(ctx, []string{"text"})
		if !errors.Is(err, context.Canceled) || vs != nil {
			t.Fatalf("Embed = %d vectors, %v; want nil, context.Canceled", len(vs), err)
		}
	})
	t.Run("during a large batch", func(t *testing.T) {
		ctx, cancel := context.WithCancelCause(context.Background())
		texts := make([]string, 20000)
		for i := range texts {
			texts[i] = strings.Repeat("a long batch of words to embed ", 40)
		}
		stop := errors.New("stop")
		done := make(chan struct{})
		var (
			vs  [][]float32
			err error
		)
		go func() {
			defer close(done)
			vs, err = l.Embed(ctx, texts)
		}()
		cancel(stop)
		<-done
		if !errors.Is(err, context.Canceled) || vs != nil {
			t.Fatalf("Embed = %d vectors, %v; want nil, context.Canceled", len(vs), err)
		}
	})
}

func TestLocalEmbedConcurrent(t *testing.T) {
	l := DefaultLocal()
	texts := []string{"alpha beta gamma", "亚马逊 investing", "", "delta epsilon zeta eta theta"}
	want, err := l.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := l.Embed(context.Background(), texts)
				if err != nil {
					t.Error(err)
					return
				}
				for i := range got {
					if !slices.Equal(got[i], want[i]) {
						t.Errorf("text %d differs under concurrency", i)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func FuzzLocalEmbed(f *testing.F) {
	for _, s := range []string{
		"", " ", "a", "Amazon invests $10 billion", "亚马逊", "🚀", "naïve café",
		"ies", "sses", "running", "x\u0301y", strings.Repeat("ab ", 100),
	} {
		f.Add(s)
	}
	l, err := NewLocal(LocalConfig{Dim: 64})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip()
		}
		checkUnit(t, embedOne(t, l, text), 64)
	})
}
