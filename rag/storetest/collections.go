package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

// collectionDocs are two collections stating different figures for the
// same fact, plus a document in the default collection.
var collectionDocs = []rag.Document{
	{ID: "north/harbour", Title: "North harbour", Collection: "north",
		Text: "The harbour master counted 17 ships in May at the northern harbour. The northern pier was rebuilt in 1990."},
	{ID: "north/ferry", Title: "North ferry", Metadata: map[string]string{"collection": "north"},
		Text: "The northern ferry leaves at seven every morning and returns at noon."},
	{ID: "south/harbour", Title: "South harbour", Collection: "south",
		Text: "The harbour master counted 42 ships in May at the southern harbour. The southern pier was rebuilt in 2004."},
	{ID: "misc", Title: "Misc", Text: "The harbour master counted 99 ships in May, the town museum says."},
}

// Collections checks, through an engine over a fresh store, that a
// question, search or summary in one collection never cites another, and
// that deleting a collection deletes its documents only. open returns a
// new, empty store that has never held a vector. It is one test that
// reads as a scenario (ingest into two collections, ask, search,
// summarize, delete one), so its steps stay together.
func Collections(t *testing.T, open func(t *testing.T) rag.Store) {
	ctx := context.Background()
	eng, err := rag.NewEngine(ctx, rag.Config{Store: open(t), Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Ingest(ctx, collectionDocs, nil); err != nil {
		t.Fatal(err)
	}
	inColl := map[string]string{"north/harbour": "north", "north/ferry": "north", "south/harbour": "south", "misc": rag.DefaultCollection}
	for _, coll := range []string{"north", "south", rag.DefaultCollection} {
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: "How many ships did the harbour master count in May?", Collection: coll})
		if err != nil {
			t.Fatal(err)
		}
		if len(ans.Citations) == 0 || len(ans.Conflicts) > 0 {
			t.Errorf("%s: want a cited answer without conflict: %+v", coll, ans)
		}
		for _, c := range ans.Citations {
			if inColl[c.DocID] != coll {
				t.Errorf("asked in %s, cited %s (%s)", coll, c.DocID, inColl[c.DocID])
			}
		}
		res, err := eng.Search(ctx, rag.SearchRequest{Query: "harbour ships pier ferry", Collection: coll, TopK: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if inColl[r.DocID] != coll {
				t.Errorf("searched %s, found %s", coll, r.DocID)
			}
		}
		sum, err := eng.Summarize(ctx, rag.SummarizeRequest{Query: "harbour ships", Collection: coll})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range sum.Citations {
			if inColl[c.DocID] != coll {
				t.Errorf("summarized %s, cited %s", coll, c.DocID)
			}
		}
	}
	if _, err := eng.Summarize(ctx, rag.SummarizeRequest{DocIDs: []string{"south/harbour"}, Collection: "north"}); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("summarize a south document in north: err = %v, want not found", err)
	}
	if _, err := eng.Ask(ctx, rag.AskRequest{Question: "Ships?", Collection: "north", Filter: rag.Filter{Collection: "south"}}); !errors.Is(err, rag.ErrInvalidArgument) {
		t.Errorf("two collections in one request: err = %v", err)
	}
	d, err := eng.Document(ctx, "north/ferry")
	if err != nil || d.Collection != "north" || len(d.Metadata) != 0 {
		t.Errorf("document collection %q metadata %v: %v", d.Collection, d.Metadata, err)
	}
	colls, err := eng.Collections(ctx)
	if err != nil || len(colls) != 3 || colls[1] != (rag.CollectionInfo{Name: "north", Documents: 2}) {
		t.Errorf("collections = %+v, %v", colls, err)
	}
	n, err := eng.DeleteCollection(ctx, "north")
	if err != nil || n != 2 {
		t.Fatalf("delete north: %d, %v", n, err)
	}
	docs, err := eng.Documents(ctx)
	if err != nil || len(docs) != 2 {
		t.Fatalf("after delete: %+v, %v", docs, err)
	}
	for _, d := range docs {
		if d.Collection == "north" {
			t.Errorf("%s survived its collection", d.ID)
		}
	}
	if _, err := eng.DeleteCollection(ctx, "north"); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("delete an empty collection: err = %v, want not found", err)
	}
	ans, err := eng.Ask(ctx, rag.AskRequest{Question: "When does the northern ferry leave?", Collection: "north"})
	if err != nil || len(ans.Citations) != 0 {
		t.Errorf("deleted collection still answers: %+v, %v", ans, err)
	}
}
