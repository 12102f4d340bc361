// Command storebench builds large embedded stores with seeded text and
// random unit vectors (no embedding), and times reopening them: the store
// scale figures of the closing notes come from it. With -compare it ingests
// one seeded corpus through the engine (chunking, local embedder) into the
// embedded store and into PostgreSQL (an empty database at -pg) and runs the
// same searches on both: ingest chunks/s, search p50/p95 side by side.
//
//	go run ./scripts/storebench -dir /tmp/s100k -build -docs 10000 -chunks 10
//	go run ./scripts/storebench -dir /tmp/s100k -open
//	go run ./scripts/storebench -compare -pg postgres://... -docs 2000 -chunks 10
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

func main() {
	dir := flag.String("dir", "", "store directory")
	build := flag.Bool("build", false, "build the store")
	open := flag.Bool("open", false, "time opening the store")
	docs := flag.Int("docs", 10000, "documents to build")
	chunks := flag.Int("chunks", 10, "chunks per document")
	words := flag.Int("words", 60, "words per chunk")
	dim := flag.Int("dim", 384, "vector dimension")
	batch := flag.Int("batch", 1000, "documents per ingest batch, where the store batches")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	compare := flag.Bool("compare", false, "ingest the same corpus into the embedded store (-dir, or a temporary one) and PostgreSQL (-pg), and compare")
	pgURL := flag.String("pg", "", "with -compare: an empty PostgreSQL database with pgvector")
	queries := flag.Int("queries", 200, "with -compare: searches per store")
	pgMaxConns := flag.Int("pg-max-conns", 0, "with -compare: connection pool size (0: pgx's default)")
	pgExecMode := flag.String("pg-exec-mode", "", "with -compare: pgx query exec mode")
	flag.Parse()
	if *compare {
		err := compareStores(compareConfig{dir: *dir, pgURL: *pgURL, docs: *docs, paragraphs: *chunks, words: *words,
			batch: *batch, queries: *queries, topK: 10, pgMaxConns: int32(*pgMaxConns), pgExecMode: *pgExecMode})
		if err != nil {
			fmt.Fprintln(os.Stderr, "storebench:", err)
			os.Exit(1)
		}
		return
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if *dir == "" || *build == *open {
		fmt.Fprintln(os.Stderr, "usage: storebench -dir DIR (-build [-docs N -chunks K -words W -dim D] | -open)")
		os.Exit(2)
	}
	var err error
	if *build {
		err = buildStore(*dir, *docs, *chunks, *words, *dim, *batch)
	} else {
		err = openStore(*dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func openStore(dir string) error {
	start := time.Now()
	st, err := chromemstore.Open(context.Background(), dir)
	if err != nil {
		return err
	}
	el := time.Since(start)
	docs, err := st.Documents(context.Background())
	if err != nil {
		return err
	}
	chunks := 0
	for _, d := range docs {
		chunks += d.Chunks
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("open %s: %d documents, %d chunks in %.3f s; heap %d MB, sys %d MB\n", dir, len(docs), chunks, el.Seconds(), ms.HeapAlloc>>20, ms.Sys>>20)
	for range 2 { // the first page of GET /v1/documents (limit 1000, plus one to know more follow)
		t := time.Now()
		page, err := st.ListDocuments(context.Background(), "", 1001)
		if err != nil {
			return err
		}
		fmt.Printf("first page: %d documents in %.2f ms\n", len(page), float64(time.Since(t).Microseconds())/1000)
	}
	return st.Close()
}

func buildStore(dir string, n, k, words, dim, batch int) error {
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, dir)
	if err != nil {
		return err
	}
	if err := st.SetEmbedder(ctx, "local", dim); err != nil {
		return err
	}
	start := time.Now()
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		sds := make([]rag.StoredDocument, hi-lo)
		var wg sync.WaitGroup
		for w := range runtime.GOMAXPROCS(0) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + w; i < hi; i += runtime.GOMAXPROCS(0) {
					sds[i-lo] = makeDoc(i, k, words, dim)
				}
			}()
		}
		wg.Wait()
		if err := putAll(ctx, st, sds); err != nil {
			return err
		}
	}
	fmt.Printf("built %s: %d documents x %d chunks (dim %d) in %.1f s\n", dir, n, k, dim, time.Since(start).Seconds())
	return st.Close()
}

// putAll stores sds as one batch.
func putAll(ctx context.Context, st *chromemstore.Store, sds []rag.StoredDocument) error {
	return st.Put(ctx, sds...)
}

// makeDoc is document i: k chunks of seeded prose with random unit vectors.
func makeDoc(i, k, words, dim int) rag.StoredDocument {
	g := synth.New(uint64(i)+1, 5000)
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	id := fmt.Sprintf("d%07d", i)
	var text strings.Builder
	sd := rag.StoredDocument{}
	for c := range k {
		if c > 0 {
			text.WriteString("\n\n")
		}
		start := text.Len()
		text.WriteString(g.Passage(words))
		sd.Chunks = append(sd.Chunks, rag.Chunk{ID: fmt.Sprintf("%s#%d", id, c), DocID: id, Index: c, Start: start, End: text.Len()})
		v := make([]float32, dim)
		var norm float64
		for j := range v {
			v[j] = float32(rng.NormFloat64())
			norm += float64(v[j]) * float64(v[j])
		}
		inv := float32(1 / math.Sqrt(norm))
		for j := range v {
			v[j] *= inv
		}
		sd.Vectors = append(sd.Vectors, v)
	}
	sd.Document = rag.Document{ID: id, Title: "Document " + id, Text: text.String()}
	for c := range sd.Chunks {
		sd.Chunks[c].Text = sd.Document.Text[sd.Chunks[c].Start:sd.Chunks[c].End]
	}
	sd.Hash = rag.ContentHash(sd.Document)
	return sd
}
