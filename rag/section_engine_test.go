package rag_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

// TestHeadingsInRetrievalAndCitations: a chunk is found by the words of its
// section heading, and its citation names the section.
func TestHeadingsInRetrievalAndCitations(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	// Each section runs past one chunk, so its later chunks hold none of
	// the heading's words: only the embedded heading path can find them.
	filler := strings.Repeat("The quay was repainted and the cranes were serviced during the spring. ", 30)
	docs := []rag.Document{
		{ID: "a", Title: "Harbour", Text: "# Harbour\n\n## Operating costs\n\n" + filler + "It rose to 12 million euros in the last year.\n"},
		{ID: "b", Title: "Harbour", Text: "# Harbour\n\n## Staff numbers\n\n" + filler + "It rose to 300 people in the last year.\n"},
	}
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{"operating costs": "a", "staff numbers": "b"} {
		res, err := eng.Search(ctx, rag.SearchRequest{Query: q, TopK: 20})
		if err != nil {
			t.Fatal(err)
		}
		first := ""
		for _, r := range res {
			if !strings.Contains(r.Text, "##") { // a chunk without the heading
				first = r.DocID
				break
			}
		}
		if first != want {
			t.Errorf("search %q: the first chunk past the heading is from %q, want %q", q, first, want)
		}
	}
	ans, err := eng.Ask(ctx, rag.AskRequest{Question: "How many million euros did it rise to?", Collection: rag.DefaultCollection})
	if err != nil || len(ans.Citations) == 0 {
		t.Fatalf("ask: %+v %v", ans, err)
	}
	if c := ans.Citations[0]; c.DocID != "a" || c.Section != "Harbour > Operating costs" {
		t.Errorf("citation %s section %q, want a's \"Harbour > Operating costs\"", c.DocID, c.Section)
	}
}
