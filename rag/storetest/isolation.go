package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

// Isolation checks, through an engine over a fresh store, that a caller
// limited to one collection cannot read, delete or overwrite a document of
// another: each is refused exactly as an absent id is (reads and deletes)
// or with ErrIDTaken naming only the id (writes, whether or not the content
// differs), and the other collection's document is left as it was. open
// returns a new, empty store that has never held a vector.
func Isolation(t *testing.T, open func(t *testing.T) rag.Store) {
	ctx := context.Background()
	eng, err := rag.NewEngine(ctx, rag.Config{Store: open(t), Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	secret := rag.Document{ID: "plans", Title: "Plans", Collection: "beta", Text: "The beta launch is on the ninth of March."}
	if _, err := eng.Ingest(ctx, []rag.Document{secret}, nil); err != nil {
		t.Fatal(err)
	}
	alpha := rag.Only("alpha")
	t.Run("ReadIsAbsent", func(t *testing.T) {
		_, foreign := eng.DocumentIn(ctx, alpha, "plans")
		_, absent := eng.DocumentIn(ctx, alpha, "nothing")
		sameNotFound(t, "document", foreign, absent, "plans", "nothing")
		_, foreign = eng.DocumentInfoIn(ctx, alpha, "plans")
		_, absent = eng.DocumentInfoIn(ctx, alpha, "nothing")
		sameNotFound(t, "info", foreign, absent, "plans", "nothing")
	})
	t.Run("DeleteIsAbsent", func(t *testing.T) {
		sameNotFound(t, "delete", eng.DeleteIn(ctx, alpha, "plans"), eng.DeleteIn(ctx, alpha, "nothing"), "plans", "nothing")
	})
	writes := []struct {
		name string
		doc  rag.Document
	}{
		{"OverwriteChanged", rag.Document{ID: "plans", Title: "Mine", Collection: "alpha", Text: "Attacker text."}},
		{"OverwriteSame", rag.Document{ID: "plans", Title: secret.Title, Collection: "alpha", Text: secret.Text}},
		{"OverwriteByMetadata", rag.Document{ID: "plans", Title: "Mine", Metadata: map[string]string{rag.MetaCollection: "alpha"}, Text: "Attacker text."}},
	}
	var first string
	for _, tc := range writes {
		t.Run(tc.name, func(t *testing.T) {
			res, err := eng.IngestIn(ctx, alpha, []rag.Document{tc.doc}, nil)
			if !errors.Is(err, rag.ErrIDTaken) || res != nil {
				t.Fatalf("ingest over another collection's id: %+v, %v; want ErrIDTaken", res, err)
			}
			if first == "" {
				first = err.Error()
			} else if err.Error() != first {
				t.Errorf("replies differ with the content: %q vs %q", err, first)
			}
		})
	}
	t.Run("OutsideScope", func(t *testing.T) {
		_, err := eng.IngestIn(ctx, alpha, []rag.Document{{ID: "new", Title: "New", Collection: "beta", Text: "Into beta."}}, nil)
		if !errors.Is(err, rag.ErrInvalidArgument) {
			t.Errorf("ingest into beta with an alpha scope: %v", err)
		}
	})
	t.Run("MixedBatchStoresNothing", func(t *testing.T) {
		batch := []rag.Document{
			{ID: "mine", Title: "Mine", Collection: "alpha", Text: "Alpha text."},
			{ID: "plans", Title: "Mine", Collection: "alpha", Text: "Attacker text."},
		}
		if _, err := eng.IngestIn(ctx, alpha, batch, nil); !errors.Is(err, rag.ErrIDTaken) {
			t.Fatalf("mixed batch: %v", err)
		}
		if _, err := eng.Document(ctx, "mine"); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("a refused batch stored a document: %v", err)
		}
	})
	got, err := eng.Document(ctx, "plans")
	if err != nil || got.Collection != "beta" || got.Text != secret.Text || got.Title != secret.Title {
		t.Errorf("beta's document after the attempts: %+v, %v", got, err)
	}
	res, err := eng.IngestIn(ctx, rag.Only("beta"), []rag.Document{{ID: "plans", Title: "Plans", Collection: "beta", Text: "Moved to April."}}, nil)
	if err != nil || len(res) != 1 || res[0].Status != rag.StatusUpdated {
		t.Errorf("the owning collection updates its document: %+v, %v", res, err)
	}
}

// sameNotFound checks that a foreign id and an absent one give ErrNotFound
// with the same message once the ids are swapped.
func sameNotFound(t *testing.T, what string, foreign, absent error, foreignID, absentID string) {
	t.Helper()
	if !errors.Is(foreign, rag.ErrNotFound) || !errors.Is(absent, rag.ErrNotFound) {
		t.Fatalf("%s: foreign %v, absent %v; want both not found", what, foreign, absent)
	}
	if want := replaceID(absent.Error(), absentID, foreignID); foreign.Error() != want {
		t.Errorf("%s: foreign id says %q, an absent one %q", what, foreign, want)
	}
}

func replaceID(msg, from, to string) string {
	return strings.ReplaceAll(msg, from, to)
}
