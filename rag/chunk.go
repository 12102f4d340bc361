package rag

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/ragcite/ragcite/internal/text"
)

// Default chunking budget, chosen on the seed eval suite and WikiQA (see README).
const (
	DefaultChunkTokens  = 150
	DefaultChunkOverlap = 30
)

// Chunker splits documents into sentence-aligned passages of at most
// MaxTokens tokens, each sharing up to Overlap tokens of whole sentences with
// the passage before it.
type Chunker struct {
	maxTokens int
	overlap   int
}

// ChunkOption configures a Chunker.
type ChunkOption func(*Chunker)

// WithMaxTokens sets the token budget of a chunk.
func WithMaxTokens(n int) ChunkOption { return func(c *Chunker) { c.maxTokens = n } }

// WithOverlap sets how many tokens of trailing sentences a chunk repeats.
func WithOverlap(n int) ChunkOption { return func(c *Chunker) { c.overlap = n } }

// NewChunker returns a chunker with the defaults and opts applied, and
// validates them: the budget must be at least 16 tokens and the overlap
// non-negative and less than half the budget (so chunking always advances).
func NewChunker(opts ...ChunkOption) (*Chunker, error) {
	c := &Chunker{maxTokens: DefaultChunkTokens, overlap: DefaultChunkOverlap}
	for _, o := range opts {
		o(c)
	}
	if c.maxTokens < 16 {
		return nil, fmt.Errorf("%w: chunk size %d tokens: must be at least 16", ErrInvalidArgument, c.maxTokens)
	}
	if c.overlap < 0 || c.overlap*2 > c.maxTokens {
		return nil, fmt.Errorf("%w: chunk overlap %d tokens: must be between 0 and half the chunk size (%d)", ErrInvalidArgument, c.overlap, c.maxTokens/2)
	}
	if _, err := loadTokenizer(); err != nil {
		return nil, err
	}
	return c, nil
}

// MaxTokens is the chunk token budget.
func (c *Chunker) MaxTokens() int { return c.maxTokens }

// Overlap is the chunk overlap in tokens.
func (c *Chunker) Overlap() int { return c.overlap }

type piece struct {
	text.Span
	tokens int
}

// Spans returns the chunk spans of text. Every non-space byte of text lies in
// at least one span; spans start and end on sentence (or, for sentences over
// budget, word) boundaries.
func (c *Chunker) Spans(src string) []text.Span {
	pieces := c.pieces(src)
	var out []text.Span
	for i := 0; i < len(pieces); {
		j, tokens := i, 0
		for j < len(pieces) && (j == i || tokens+pieces[j].tokens <= c.maxTokens) {
			tokens += pieces[j].tokens
			j++
		}
		out = append(out, text.Span{Start: pieces[i].Start, End: pieces[j-1].End})
		if j == len(pieces) {
			break
		}
		// Step back over whole pieces that fit in the overlap, always advancing.
		next, back := j, 0
		for next-1 > i && back+pieces[next-1].tokens <= c.overlap {
			back += pieces[next-1].tokens
			next--
		}
		i = next
	}
	return out
}

// Chunk splits doc into chunks with ids "<doc id>#<index>".
func (c *Chunker) Chunk(doc Document) []Chunk {
	spans := c.Spans(doc.Text)
	chunks := make([]Chunk, len(spans))
	for i, s := range spans {
		chunks[i] = Chunk{
			ID:    fmt.Sprintf("%s#%d", doc.ID, i),
			DocID: doc.ID,
			Index: i,
			Text:  doc.Text[s.Start:s.End],
			Start: s.Start,
			End:   s.End,
		}
	}
	return chunks
}

// pieces splits text into sentences with token counts, cutting sentences over
// budget at word boundaries.
func (c *Chunker) pieces(src string) []piece {
	var out []piece
	for _, s := range text.SplitSentences(src) {
		n := countTokens(src[s.Start:s.End])
		if n <= c.maxTokens {
			out = append(out, piece{s, n})
			continue
		}
		out = append(out, c.splitLong(src, s)...)
	}
	return out
}

// splitLong cuts an over-budget sentence into word-aligned pieces that fit.
func (c *Chunker) splitLong(src string, s text.Span) []piece {
	var out []piece
	start, tokens := s.Start, 0
	lastEnd := s.Start
	for i := s.Start; i < s.End; {
		// Find the next word [ws, we).
		for i < s.End {
			r, sz := utf8.DecodeRuneInString(src[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += sz
		}
		ws := i
		for i < s.End {
			r, sz := utf8.DecodeRuneInString(src[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += sz
		}
		if ws == i {
			break
		}
		n := countTokens(" " + src[ws:i])
		if tokens > 0 && tokens+n > c.maxTokens {
			out = append(out, piece{text.Span{Start: start, End: lastEnd}, tokens})
			start, tokens = ws, 0
		}
		// A single word over budget becomes its own piece.
		tokens += n
		lastEnd = i
	}
	if lastEnd > start {
		out = append(out, piece{text.Span{Start: start, End: lastEnd}, tokens})
	}
	return out
}
