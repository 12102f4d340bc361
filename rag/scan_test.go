package rag

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
)

// The hand-written scans of the answer path stand in for regexps and
// library calls; each is checked against what it replaces.
var (
	wordTokenSpec = regexp.MustCompile(`[\p{L}\p{N}]+(?:[.,'’-][\p{L}\p{N}]+)*`)
	bareYearSpec  = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b`)
)

// scanSamples are tricky inputs for the scans, with the sample articles'
// sentences added by sampleSentences.
var scanSamples = []string{
	"", " ", "a", "U.S. state-run firm’s 3.5% stake, 10,000 units", "x-", "-x", "a--b", "a,,b", "1.2.3,4-5’6'7",
	"Ünïcödé-Wörds’ 3½ ¹²", "a\xffb", "’a’", "In 1871 and 2020s, 2099, 2100, 1999.5, x1999, 1999_, _2000, 12345",
	"Nov. 3, 2020 and 3 November", "May 2024", "Sept 5th", "Mayo", "$10bn", "US$ 5.5 million", "50 billion dollars",
	"12 PERCENT", "3 MILLION", "5 k", "7 perſent", "€3", "£4.5m", "1 2 3", "Not now.", "He didn’t go", "NEVER",
	"half a dozen", "Seventeen", "a\u00a0b\u2003c\vd\te\u0085f\r\ng", "WITHOUT", "nobody's",
}

func sampleSentences(t testing.TB) []string {
	files, _ := filepath.Glob("../testdata/articles/*.txt")
	if len(files) == 0 {
		t.Fatal("no sample articles")
	}
	out := append([]string(nil), scanSamples...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for _, sp := range text.SplitSentences(s) {
			out = append(out, s[sp.Start:sp.End])
		}
	}
	return out
}

func wordTokens(s string) [][]int {
	var out [][]int
	for start, end, ok := nextWordToken(s, 0); ok; start, end, ok = nextWordToken(s, end) {
		out = append(out, []int{start, end})
	}
	return out
}

func years(s string) [][]int {
	var out [][]int
	for m := range bareYears(s) {
		out = append(out, []int{m[0], m[1], m[0], m[1]})
	}
	return out
}

func TestScansMatchWhatTheyReplace(t *testing.T) {
	for _, s := range sampleSentences(t) {
		if got, want := wordTokens(s), wordTokenSpec.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("word tokens of %q = %v, want %v", s, got, want)
		}
		if got, want := years(s), bareYearSpec.FindAllStringSubmatchIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("years of %q = %v, want %v", s, got, want)
		}
		if got, want := countFields(s), len(strings.Fields(s)); got != want {
			t.Errorf("countFields(%q) = %d, want %d", s, got, want)
		}
		if !mayHoldFigure(s) && figurePattern.MatchString(s) {
			t.Errorf("mayHoldFigure(%q) = false, but a figure matches", s)
		}
		if !mayHoldMonth(s) && (monthDay.MatchString(s) || dayMonth.MatchString(s) || monthYear.MatchString(s)) {
			t.Errorf("mayHoldMonth(%q) = false, but a month matches", s)
		}
	}
}

func TestScanGates(t *testing.T) {
	tests := []struct {
		s            string
		figure, date bool
	}{
		{"Amazon invested $4 billion.", true, false},
		{"The stake rose 12%.", true, false},
		{"It employs 1,500 people.", false, false},
		{"Revenue was 3 Billion dollars in May.", true, true},
		{"No digits at all: ten billion.", false, false},
		{"The deal closed on Sept. 5.", false, true},
	}
	for _, tc := range tests {
		if got := mayHoldFigure(tc.s); got != tc.figure {
			t.Errorf("mayHoldFigure(%q) = %v, want %v", tc.s, got, tc.figure)
		}
		if got := mayHoldMonth(tc.s); got != tc.date {
			t.Errorf("mayHoldMonth(%q) = %v, want %v", tc.s, got, tc.date)
		}
	}
}

func TestLowerWords(t *testing.T) {
	tests := []struct {
		s    string
		want []string
	}{
		{"", nil},
		{"Not NOW, café", []string{"not", "now", "caf"}},
		{"ten-thousandths and a Quarter", []string{"ten", "and", "a", "quarter"}},
		{"didn't", []string{"didn", "t"}},
	}
	for _, tc := range tests {
		var got []string
		ws := lowerWords{s: tc.s}
		for w, ok := ws.next(); ok; w, ok = ws.next() {
			got = append(got, string(w))
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("lowerWords(%q) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

func FuzzWordTokens(f *testing.F) {
	for _, s := range scanSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := wordTokens(s), wordTokenSpec.FindAllStringIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("word tokens of %q = %v, want %v", s, got, want)
		}
		if got, want := years(s), bareYearSpec.FindAllStringSubmatchIndex(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("years of %q = %v, want %v", s, got, want)
		}
		if !mayHoldFigure(s) && figurePattern.MatchString(s) {
			t.Errorf("mayHoldFigure(%q) = false, but a figure matches", s)
		}
		if !mayHoldMonth(s) && (monthDay.MatchString(s) || dayMonth.MatchString(s) || monthYear.MatchString(s)) {
			t.Errorf("mayHoldMonth(%q) = false, but a month matches", s)
		}
		if got, want := countFields(s), len(strings.Fields(s)); got != want {
			t.Errorf("countFields(%q) = %d, want %d", s, got, want)
		}
	})
}

// BenchmarkConflictScans is the per-sentence work of conflict detection:
// parallel-statement tokens (dates and figures found) of every sample
// sentence.
func BenchmarkConflictScans(b *testing.B) {
	sents := sampleSentences(b)
	for b.Loop() {
		for _, s := range sents {
			parallelTokens(s)
		}
	}
}
