package eval

import (
	"context"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

func TestInCollection(t *testing.T) {
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	other := rag.Document{ID: "other", Title: "Other", Text: "The lighthouse keeper logged 99 storms in 1911, the other archive says."}
	if _, err := eng.Ingest(ctx, []rag.Document{other}, nil); err != nil {
		t.Fatal(err)
	}
	target := InCollection(EngineTarget{Engine: eng}, "suite")
	mine := rag.Document{ID: "mine", Title: "Mine", Text: "The lighthouse keeper logged 42 storms in 1911, the harbour archive says."}
	if err := target.Ingest(ctx, []rag.Document{mine}); err != nil {
		t.Fatal(err)
	}
	if d, err := eng.Document(ctx, "mine"); err != nil || d.Collection != "suite" {
		t.Fatalf("suite document in %q: %v", d.Collection, err)
	}
	ans, err := target.Ask(ctx, rag.AskRequest{Question: "How many storms did the lighthouse keeper log in 1911?"})
	if err != nil || len(ans.Citations) == 0 {
		t.Fatalf("ask: %+v %v", ans, err)
	}
	for _, c := range ans.Citations {
		if c.DocID != "mine" {
			t.Errorf("the suite's question cited %s", c.DocID)
		}
	}
	res, err := target.Search(ctx, rag.SearchRequest{Query: "lighthouse storms", TopK: 5})
	if err != nil || len(res) == 0 {
		t.Fatalf("search: %v", err)
	}
	for _, r := range res {
		if r.DocID != "mine" {
			t.Errorf("the suite's search found %s", r.DocID)
		}
	}
}
