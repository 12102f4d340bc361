package embed

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// benchVocabulary is a mix of function and content words in roughly the
// proportions of news prose; the generator draws from it with a Zipf-like
// bias towards the front.
var benchVocabulary = strings.Fields(`the of and to a in that is for it as was with
on by be at this are from has have an which not but or its will their they
been more said would about also after were one new than market company first
two could investment billion cloud computing competition artificial
intelligence model models reports talks invest interest global landscape
already crowded discussions implications financial stake signal intent
deeper structural role shaping future generative technology services customers
infrastructure data centres chips partnership agreement regulators analysts
shares revenue growth quarter executives strategy research training inference
startup valuation funding round investors billion percent year years government
policy security privacy energy demand capacity supply development products`)

// benchText returns a seeded pseudo-English text of about size bytes, in
// sentences with capitals, commas, numbers and full stops.
func benchText(r *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		n := 8 + r.IntN(18)
		for i := range n {
			w := benchVocabulary[int(float64(len(benchVocabulary))*r.Float64()*r.Float64())]
			switch {
			case i == 0:
				w = strings.ToUpper(w[:1]) + w[1:]
			case r.IntN(40) == 0:
				w = "$" + string(rune('1'+r.IntN(9))) + "0"
			}
			b.WriteString(w)
			switch {
			case i == n-1:
				b.WriteString(". ")
			case r.IntN(12) == 0:
				b.WriteString(", ")
			default:
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// benchEmbedders are the local embedders the benchmarks compare, by name
// (benchstat -col /embedder), each warmed up: the word table is parsed on
// first use, a cost of the process, not of each Embed.
func benchEmbedders(b *testing.B) []*Local {
	v2, err := NewLocal(LocalConfig{WordVectors: true})
	if err != nil {
		b.Fatal(err)
	}
	ls := []*Local{DefaultLocal(), v2}
	for _, l := range ls {
		if _, err := l.Embed(context.Background(), []string{"warm up"}); err != nil {
			b.Fatal(err)
		}
	}
	return ls
}

// BenchmarkLocalEmbed embeds batches of chunks of several sizes on one
// goroutine and reports the throughput in MB/s of text.
func BenchmarkLocalEmbed(b *testing.B) {
	ctx := context.Background()
	for _, l := range benchEmbedders(b) {
		for _, size := range []int{256, 1024, 4096} {
			r := rand.New(rand.NewPCG(1, uint64(size)))
			texts := make([]string, 64)
			total := 0
			for i := range texts {
				texts[i] = benchText(r, size)
				total += len(texts[i])
			}
			b.Run("embedder="+l.Name()+"/size="+sizeName(size), func(b *testing.B) {
				b.SetBytes(int64(total))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := l.Embed(ctx, texts); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLocalEmbedArticles embeds the sample articles of the repository,
// in chunks of about 1 KB, when they are present.
func BenchmarkLocalEmbedArticles(b *testing.B) {
	paths, _ := filepath.Glob("../testdata/articles/*.txt")
	var texts []string
	total := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		for s := string(data); len(s) > 0; {
			n := min(len(s), 1024)
			for n < len(s) && s[n] != ' ' {
				n++
			}
			texts = append(texts, s[:n])
			total += n
			s = s[n:]
		}
	}
	if len(texts) == 0 {
		b.Skip("no articles under ../testdata/articles")
	}
	ctx := context.Background()
	for _, l := range benchEmbedders(b) {
		b.Run("embedder="+l.Name(), func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := l.Embed(ctx, texts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sizeName(n int) string {
	if n >= 1024 {
		return strconv.Itoa(n/1024) + "KB"
	}
	return strconv.Itoa(n) + "B"
}
