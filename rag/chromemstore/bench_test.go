package chromemstore

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
)

// Benchmarks over seeded synthetic corpora of 1k, 10k and 100k chunks of
// about 100 words. Run: go test -run '^$' -bench . -benchtime 200x ./rag/chromemstore/

var benchSizes = []int{1_000, 10_000, 100_000}

const chunksPerBenchDoc = 10

type benchCorpus struct {
	dir           string
	eng           *rag.Engine
	emb           embed.Embedder
	store         *Store
	queries       []string
	bytesPerChunk float64
}

var (
	benchMu      sync.Mutex
	benchCorpora = map[int]*benchCorpus{}
)

// corpus builds (once per size) a persisted store of n chunks through the
// store's Put path, with vectors from the local embedder.
func corpus(b *testing.B, n int) *benchCorpus {
	benchMu.Lock()
	defer benchMu.Unlock()
	if c, ok := benchCorpora[n]; ok {
		return c
	}
	ctx := context.Background()
	dir, err := mkBenchDir(n)
	if err != nil {
		b.Fatal(err)
	}
	st, err := Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	emb := embed.DefaultLocal()
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: emb})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g := synth.New(uint64(n), 20_000)
	docs := make([]rag.StoredDocument, n/chunksPerBenchDoc)
	for d := range docs {
		var text strings.Builder
		var chunks []rag.Chunk
		for i := range chunksPerBenchDoc {
			if text.Len() > 0 {
				text.WriteString("\n")
			}
			start := text.Len()
			text.WriteString(g.Passage(100))
			chunks = append(chunks, rag.Chunk{ID: fmt.Sprintf("d%d#%d", d, i), DocID: fmt.Sprintf("d%d", d), Index: i, Start: start, End: text.Len()})
		}
		doc := rag.Document{ID: fmt.Sprintf("d%d", d), Title: fmt.Sprintf("Doc %d", d), Text: text.String()}
		for i := range chunks {
			chunks[i].Text = doc.Text[chunks[i].Start:chunks[i].End]
		}
		docs[d] = rag.StoredDocument{Document: doc, Chunks: chunks, Hash: rag.ContentHash(doc)}
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for d := range docs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			texts := make([]string, len(docs[d].Chunks))
			for i, c := range docs[d].Chunks {
				texts[i] = c.Text
			}
			docs[d].Vectors, _ = emb.Embed(ctx, texts)
		}()
	}
	wg.Wait()
	for _, sd := range docs {
		if err := st.Put(ctx, sd); err != nil {
			b.Fatal(err)
		}
	}
	docs = nil
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	c := &benchCorpus{dir: dir, eng: eng, emb: emb, store: st, bytesPerChunk: float64(after.HeapAlloc-before.HeapAlloc) / float64(n)}
	for range 64 {
		c.queries = append(c.queries, g.Query(3))
	}
	benchCorpora[n] = c
	return c
}

// BenchmarkChromemQuery is the reference: chromem-go's own exhaustive query
// on the same vectors, for top_k results.
func BenchmarkChromemQuery(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			ctx := context.Background()
			vecs := make([][]float32, len(c.queries))
			for i, q := range c.queries {
				v, _ := c.emb.Embed(ctx, []string{q})
				vecs[i] = v[0]
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := c.store.coll.QueryEmbedding(ctx, vecs[i%len(vecs)], rag.DefaultTopK, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAsk is retrieve (embed the question, dense + BM25, fuse) plus the
// extractive answer, as POST /v1/ask runs it.
func BenchmarkAsk(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := c.eng.Ask(ctx, rag.AskRequest{Question: c.queries[i%len(c.queries)], Mode: rag.ModeExtractive}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(c.bytesPerChunk, "heap-B/chunk")
		})
	}
}

// BenchmarkBM25 is the lexical retriever alone on 3-term queries; it reports
// the median latency.
func BenchmarkBM25(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			ctx := context.Background()
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t := time.Now()
				if _, err := c.store.Lexical(ctx, c.queries[i%len(c.queries)], 24, rag.Filter{}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		})
	}
}

// BenchmarkReopen opens a persisted store: segments read and chromem-go
// rebuilt from the saved vectors.
func BenchmarkReopen(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			c := corpus(b, n)
			ctx := context.Background()
			// The data directory is locked while the corpus's store is
			// open: close it, and give the corpus a reopened store after.
			if err := c.store.Close(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				st, err := Open(ctx, c.dir)
				if err != nil {
					b.Fatal(err)
				}
				if got := st.coll.Count(); got != n {
					b.Fatalf("reopened %d chunks, want %d", got, n)
				}
				st.Close()
			}
			b.StopTimer()
			st, err := Open(ctx, c.dir)
			if err != nil {
				b.Fatal(err)
			}
			eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: c.emb})
			if err != nil {
				b.Fatal(err)
			}
			c.store, c.eng = st, eng
		})
	}
}

// BenchmarkIngest runs the whole ingest path (chunk with tiktoken, embed,
// store on disk) over ~4 MB of synthetic prose; MB/s is the throughput.
// "indexed" ingests into a store with its in-memory index (a server),
// "write-only" streams the batch to a write-only store (ragcite ingest).
func BenchmarkIngest(b *testing.B) {
	g := synth.New(7, 20_000)
	var docs []rag.Document
	total := 0
	for i := 0; total < 4<<20; i++ {
		var text strings.Builder
		for p := 0; p < 8; p++ {
			text.WriteString(g.Passage(120))
			text.WriteString("\n\n")
		}
		d := rag.Document{ID: fmt.Sprintf("doc%d", i), Title: "t", Text: text.String()}
		docs = append(docs, d)
		total += len(d.Text)
	}
	for _, mode := range []struct {
		name      string
		writeOnly bool
	}{{"mode=indexed", false}, {"mode=write-only", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(total))
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				st, err := OpenWith(ctx, b.TempDir(), Options{WriteOnly: mode.writeOnly})
				if err != nil {
					b.Fatal(err)
				}
				eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := eng.Ingest(ctx, docs, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
		})
	}
}
