package chromemstore

import (
	"github.com/ragcite/ragcite/rag"

	"context"
	"sort"
)

// Put implements Store.
func (s *Store) Put(ctx context.Context, docs ...rag.StoredDocument) error {
	for _, sd := range docs {
		if err := s.putOne(ctx, sd); err != nil {
			return err
		}
	}
	return nil
}

// ListDocuments implements Store.
func (s *Store) ListDocuments(_ context.Context, after string, limit int) ([]rag.DocumentInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []rag.DocumentInfo
	for id, e := range s.docs {
		if id > after {
			out = append(out, e.info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out[:min(limit, len(out))], nil
}
