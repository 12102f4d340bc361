package chromemstore

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// bm25Signature is the BM25 index of s by chunk id, independent of slots
// and term ids: each chunk's length and distinct terms, each term's
// postings, the totals.
func bm25Signature(s *Store) map[string]string {
	x := s.lex
	slotID := map[int32]string{}
	sig := map[string]string{"totals": fmt.Sprint(x.live, x.totalLen)}
	for slot, sl := range x.slots {
		if sl.chunk == nil {
			continue
		}
		slotID[int32(slot)] = sl.chunk.ID
		sig["chunk "+sl.chunk.ID] = fmt.Sprint(sl.length, sl.distinct)
	}
	for _, sl := range x.slots {
		if sl.chunk == nil {
			continue
		}
		for _, t := range analyse(sl.chunk.Text).terms {
			id, ok := x.dict.lookup(t.term)
			if !ok {
				sig["term "+t.term] = "no id"
				continue
			}
			var ps []string
			for _, p := range x.postings[id] {
				ps = append(ps, fmt.Sprintf("%s:%d", slotID[p.slot], p.tf))
			}
			slices.Sort(ps)
			sig["term "+t.term] = fmt.Sprint(ps)
		}
	}
	return sig
}

// TestBulkReopenBuildsTheSameIndex: the BM25 index a reopen builds in bulk,
// over several rounds, equals the one built chunk by chunk by the puts,
// updates and deletes that wrote the store, and answers the same.
func TestBulkReopenBuildsTheSameIndex(t *testing.T) {
	defer func(n int) { roundBytes = n }(roundBytes)
	roundBytes = 4 << 10 // a few documents per round
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	var batch []rag.StoredDocument
	for i := range 40 {
		batch = append(batch, testDoc(fmt.Sprintf("d%02d", i), 1, 1+i%5, 30))
	}
	if err := s.Put(ctx, batch...); err != nil {
		t.Fatal(err)
	}
	for i := range 10 { // updates, one document at a time
		if err := s.Put(ctx, testDoc(fmt.Sprintf("d%02d", i*3), 2, 2+i%3, 40)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		if err := s.Delete(ctx, fmt.Sprintf("d%02d", i*7+1)); err != nil {
			t.Fatal(err)
		}
	}
	want := bm25Signature(s)
	queries := []string{"w1 w2 w3", "d05 version 2", "w499 w17 chunk", "w250"}
	var wantHits [][]rag.Hit
	for _, q := range queries {
		wantHits = append(wantHits, s.lex.search(text.Terms(q), 10, nil))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = mustOpen(t, dir, nil)
	defer s.Close()
	got := bm25Signature(s)
	if len(got) != len(want) {
		t.Errorf("reopened index has %d entries, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: reopened %s, want %s", k, got[k], v)
		}
	}
	for i, q := range queries {
		if got := s.lex.search(text.Terms(q), 10, nil); !slices.EqualFunc(got, wantHits[i], func(a, b rag.Hit) bool {
			return a.Chunk.ID == b.Chunk.ID && a.Score == b.Score
		}) {
			t.Errorf("search %q after reopen: %v, want %v", q, got, wantHits[i])
		}
	}
}
