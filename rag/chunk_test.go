package rag

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/text"
)

func TestNewChunkerValidates(t *testing.T) {
	tests := []struct {
		name    string
		opts    []ChunkOption
		wantErr bool
	}{
		{"defaults", nil, false},
		{"small budget", []ChunkOption{WithMaxTokens(8)}, true},
		{"negative overlap", []ChunkOption{WithOverlap(-1)}, true},
		{"overlap over half", []ChunkOption{WithMaxTokens(100), WithOverlap(51)}, true},
		{"overlap half", []ChunkOption{WithMaxTokens(100), WithOverlap(50)}, false},
		{"no overlap", []ChunkOption{WithOverlap(0)}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewChunker(tc.opts...)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrInvalidArgument) {
				t.Errorf("err = %v, want ErrInvalidArgument", err)
			}
		})
	}
}

// checkChunks asserts the chunking invariants: spans in order, on valid
// UTF-8 boundaries, within budget unless a single word, covering every
// non-space byte of text.
func checkChunks(t *testing.T, c *Chunker, text string) []text.Span {
	t.Helper()
	spans := c.Spans(text)
	covered := make([]bool, len(text))
	prevStart := -1
	for _, s := range spans {
		if s.Start <= prevStart || s.End <= s.Start || s.End > len(text) {
			t.Fatalf("bad span %v (previous start %d) of %d bytes", s, prevStart, len(text))
		}
		chunk := text[s.Start:s.End]
		if !utf8.ValidString(chunk) {
			t.Fatalf("span %v cuts a rune", s)
		}
		if n, _ := exactTokens(chunk); n > c.MaxTokens()+8 && len(strings.Fields(chunk)) > 1 {
			t.Errorf("span %v has %d tokens, budget %d", s, n, c.MaxTokens())
		}
		for i := s.Start; i < s.End; i++ {
			covered[i] = true
		}
		prevStart = s.Start
	}
	for i, r := range text {
		if !unicode.IsSpace(r) && !covered[i] {
			t.Fatalf("byte %d (%q) is in no chunk", i, r)
		}
	}
	return spans
}

func TestChunkerCoversArticles(t *testing.T) {
	entries, err := os.ReadDir("../testdata/articles")
	if err != nil || len(entries) == 0 {
		t.Fatalf("read articles: %d files, %v", len(entries), err)
	}
	var docs []Document
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("../testdata/articles", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, Document{ID: e.Name(), Text: string(b)})
	}
	for _, size := range []int{32, 100, DefaultChunkTokens, 1000} {
		c, err := NewChunker(WithMaxTokens(size), WithOverlap(size/4))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			spans := checkChunks(t, c, d.Text)
			for i, ch := range c.Chunk(d) {
				if ch.Text != d.Text[ch.Start:ch.End] || ch.Start != spans[i].Start {
					t.Fatalf("%s: chunk %d text does not slice back", d.ID, i)
				}
			}
		}
	}
}

func TestChunkerOverlapRepeatsSentences(t *testing.T) {
	text := strings.Repeat("Alpha beta gamma delta epsilon. ", 40)
	c, err := NewChunker(WithMaxTokens(32), WithOverlap(12))
	if err != nil {
		t.Fatal(err)
	}
	spans := c.Spans(text)
	if len(spans) < 2 {
		t.Fatalf("got %d spans", len(spans))
	}
	if spans[1].Start >= spans[0].End {
		t.Errorf("no overlap: %v then %v", spans[0], spans[1])
	}
}

func TestChunkerLongSentence(t *testing.T) {
	text := strings.Repeat("word ", 500) // one 500-token sentence
	c, err := NewChunker(WithMaxTokens(50), WithOverlap(0))
	if err != nil {
		t.Fatal(err)
	}
	if spans := checkChunks(t, c, text); len(spans) < 10 {
		t.Errorf("got %d spans, want the sentence cut at word boundaries", len(spans))
	}
}

func FuzzChunkSpans(f *testing.F) {
	for _, s := range []string{"One. Two. Three.", strings.Repeat("x ", 300), "é€😀 a.b. c", "\n\n\n", "Mr. A. B.\nC"} {
		f.Add(s, uint8(20), uint8(5))
	}
	f.Fuzz(func(t *testing.T, text string, size, overlap uint8) {
		if !utf8.ValidString(text) {
			return
		}
		c, err := NewChunker(WithMaxTokens(int(size)), WithOverlap(int(overlap)))
		if err != nil {
			return // invalid options are rejected, which TestNewChunkerValidates covers
		}
		checkChunks(t, c, text)
	})
}
