package rag

import (
	"context"
	"testing"

	"github.com/ragcite/ragcite/embed"
)

// BenchmarkSummarize times 6-sentence extractive summaries of the five
// sample articles: by their ids, and of the passages for a query.
func BenchmarkSummarize(b *testing.B) {
	ctx := context.Background()
	eng := newTestEngine(b, "", embed.DefaultLocal())
	docs := sampleDocs(b)
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	for _, bc := range []struct {
		name string
		req  SummarizeRequest
	}{
		{"docs=5", SummarizeRequest{DocIDs: ids, MaxSentences: 6, Mode: ModeExtractive}},
		{"query", SummarizeRequest{Query: "Amazon's investment in OpenAI", MaxSentences: 6, Mode: ModeExtractive}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := eng.Summarize(ctx, bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
