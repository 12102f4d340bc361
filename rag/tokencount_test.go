package rag

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/synth"
)

func tiktokenCount(t testing.TB, s string) int {
	tk, err := loadTokenizer()
	if err != nil {
		t.Fatal(err)
	}
	return len(tk.EncodeOrdinary(s))
}

func TestCountTokensMatchesTiktoken(t *testing.T) {
	cases := []string{
		"", "Hello world", "Amazon’s $10bn deal — it's 3.5% of 12345 dollars!\n\n  Next line\r\n\tTabbed  ",
		"I'LL BE THERE, they'D said; we've 'm", "   leading and trailing   ", "a\n \n b", "x  \n", "😀 emoji ok",
		"中文文本和English混合", "end with space ", "multiple   spaces between", "!!!\n\n", " ?!x", "'s", "' s",
	}
	entries, _ := os.ReadDir("../testdata/articles")
	for _, e := range entries {
		b, _ := os.ReadFile("../testdata/articles/" + e.Name())
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := countTokens(s), tiktokenCount(t, s); got != want {
			t.Errorf("countTokens(%.40q) = %d, tiktoken says %d", s, got, want)
		}
	}
}

func FuzzCountTokens(f *testing.F) {
	for _, s := range []string{"Hello world", "it's 12345 $10bn\n\n x", "  \t\r\n", "中文 😀", "'LL'd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		if got, want := countTokens(s), tiktokenCount(t, s); got != want {
			t.Fatalf("countTokens(%q) = %d, tiktoken says %d", s, got, want)
		}
	})
}

// BenchmarkCountTokens counts the tokens of 1 MB of synthetic English (a
// 30,000-word Zipf vocabulary), the piece cache warm after the first round.
func BenchmarkCountTokens(b *testing.B) {
	g := synth.New(12, 30_000)
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.WriteString(g.Passage(100))
		sb.WriteString("\n\n")
	}
	text := sb.String()
	if _, err := loadTokenizer(); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		countTokens(text)
	}
}
