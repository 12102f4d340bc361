package rag

import (
	"os"
	"testing"
	"unicode/utf8"
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
