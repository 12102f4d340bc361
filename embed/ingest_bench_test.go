package embed_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// BenchmarkIngestEmbedders runs the whole ingest path of
// rag/chromemstore's BenchmarkIngest (chunk, embed, store on disk with the
// in-memory index) over ~4 MB of synthetic prose with each local embedder;
// compare them with benchstat -col /embedder.
func BenchmarkIngestEmbedders(b *testing.B) {
	g := synth.New(7, 20_000)
	var docs []rag.Document
	total := 0
	for i := 0; total < 4<<20; i++ {
		var text strings.Builder
		for range 8 {
			text.WriteString(g.Passage(120))
			text.WriteString("\n\n")
		}
		d := rag.Document{ID: fmt.Sprintf("doc%d", i), Title: "t", Text: text.String()}
		docs = append(docs, d)
		total += len(d.Text)
	}
	v2, err := embed.NewLocal(embed.LocalConfig{WordVectors: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range []*embed.Local{embed.DefaultLocal(), v2} {
		if _, err := e.Embed(ctx, []string{"warm up"}); err != nil { // the word table's one-off parse
			b.Fatal(err)
		}
		b.Run("embedder="+e.Name(), func(b *testing.B) {
			b.SetBytes(int64(total))
			for b.Loop() {
				b.StopTimer()
				st, err := chromemstore.Open(ctx, b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: e})
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
