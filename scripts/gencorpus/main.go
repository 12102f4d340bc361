// Command gencorpus writes a seeded synthetic corpus of Markdown files for
// ingest measurements: by default 5,000 documents of about 20 MB in all,
// with lengths spread from a few hundred bytes to tens of kilobytes.
//
//	go run ./scripts/gencorpus -out /tmp/corpus              # 5,000 files, ~20 MB
//	go run ./scripts/gencorpus -out /tmp/big -docs 1 -mb 30  # one ~30 MB document
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/ragcite/ragcite/internal/synth"
)

func main() {
	out := flag.String("out", "", "output directory (created)")
	docs := flag.Int("docs", 5000, "number of documents")
	mb := flag.Float64("mb", 20, "total size in MB (10^6 bytes)")
	seed := flag.Uint64("seed", 12, "random seed")
	flag.Parse()
	if *out == "" || *docs <= 0 || *mb <= 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -out DIR [-docs N] [-mb SIZE] [-seed N]")
		os.Exit(2)
	}
	if err := generate(*out, *docs, int(*mb*1e6), *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		os.Exit(1)
	}
}

// generate writes n documents whose sizes (skewed: most short, a few up to
// about 12x the shortest) add up to about total bytes.
func generate(dir string, n, total int, seed uint64) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	g := synth.New(seed, 30_000)
	rng := rand.New(rand.NewPCG(seed, 1))
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 1.0 / 8 * pow32(rng.Float64())
		sum += weights[i]
	}
	written := 0
	for i := range n {
		size := int(float64(total) * weights[i] / sum)
		var b strings.Builder
		fmt.Fprintf(&b, "# %s %s %d\n\n", title(g.Word()), title(g.Word()), i)
		for b.Len() < size {
			b.WriteString(g.Passage(40 + rng.IntN(120)))
			b.WriteString("\n\n")
		}
		name := filepath.Join(dir, fmt.Sprintf("doc%05d.md", i))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			return err
		}
		written += b.Len()
	}
	fmt.Printf("%d documents, %d bytes in %s\n", n, written, dir)
	return nil
}

// pow32 maps u in [0,1) to (1+u)^5, a skewed factor in [1,32).
func pow32(u float64) float64 {
	f := 1.0
	for range 5 {
		f *= 1 + u //
	}
	return f
}

func title(w string) string {
	if w == "" {
		return w
	}
	return strings.ToUpper(w[:1]) + w[1:]
}
