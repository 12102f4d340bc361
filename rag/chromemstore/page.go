package chromemstore

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/ragcite/ragcite/rag"
)

// sortedIDs keeps the document ids in order for paging: a sorted slice,
// plus the ids added and a count of those removed since, merged into it on
// the next read (O(n + k log k)), so writes stay O(1).
type sortedIDs struct {
	mu      sync.Mutex
	sorted  []string
	added   []string
	removed int
}

func (x *sortedIDs) add(id string) {
	x.mu.Lock()
	x.added = append(x.added, id)
	x.mu.Unlock()
}

func (x *sortedIDs) remove(string) {
	x.mu.Lock()
	x.removed++
	x.mu.Unlock()
}

// reset sorts the ids of docs afresh.
func (x *sortedIDs) reset(docs map[string]*storedEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.sorted = x.sorted[:0]
	for id := range docs {
		x.sorted = append(x.sorted, id)
	}
	sort.Strings(x.sorted)
	x.added, x.removed = nil, 0
}

// page returns up to limit ids after after that are in docs. Callers hold
// the store's read lock, so docs does not change meanwhile.
func (x *sortedIDs) page(docs map[string]*storedEntry, after string, limit int) []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.added) > 0 || x.removed > 0 {
		sort.Strings(x.added)
		merged := make([]string, 0, len(docs))
		i, j := 0, 0
		for i < len(x.sorted) || j < len(x.added) {
			var id string
			if j == len(x.added) || (i < len(x.sorted) && x.sorted[i] <= x.added[j]) {
				id, i = x.sorted[i], i+1
			} else {
				id, j = x.added[j], j+1
			}
			if _, ok := docs[id]; ok && (len(merged) == 0 || merged[len(merged)-1] != id) {
				merged = append(merged, id)
			}
		}
		x.sorted, x.added, x.removed = merged, nil, 0
	}
	start, _ := slices.BinarySearch(x.sorted, after)
	if start < len(x.sorted) && x.sorted[start] == after {
		start++
	}
	var out []string
	for _, id := range x.sorted[start:] {
		if len(out) == limit {
			break
		}
		if _, ok := docs[id]; ok {
			out = append(out, id)
		}
	}
	return out
}

// ListDocuments implements rag.Store.
func (s *Store) ListDocuments(_ context.Context, after string, limit int) ([]rag.DocumentInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.ids.page(s.docs, after, limit)
	out := make([]rag.DocumentInfo, len(ids))
	for i, id := range ids {
		out[i] = s.docs[id].info
	}
	return out, nil
}
