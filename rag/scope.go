package rag

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Scope is the set of collections a caller may use. The zero Scope allows
// every collection; Only limits it. Within a scope, documents of other
// collections do not exist: reading or deleting one is ErrNotFound with the
// same message as an absent id, and writing to an id one of them holds is
// ErrIDTaken, whatever its content.
type Scope struct {
	only []string // nil: every collection
}

// Only returns the scope of the given collections (at least one).
func Only(collections ...string) Scope {
	return Scope{only: append([]string{}, collections...)}
}

// Limited reports whether s leaves some collections out.
func (s Scope) Limited() bool { return s.only != nil }

// Allows reports whether s includes collection.
func (s Scope) Allows(collection string) bool {
	return s.only == nil || slices.Contains(s.only, collection)
}

// notFound is the one error for a document id the caller cannot see,
// whether it is absent or held by a collection outside its scope.
func notFound(id string) error {
	return fmt.Errorf("document %q: %w", id, ErrNotFound)
}

// infoIn returns a document's registry entry when s allows its collection;
// an absent document and one outside s are the same notFound.
func (e *Engine) infoIn(ctx context.Context, s Scope, id string) (DocumentInfo, error) {
	info, err := e.store.Info(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return DocumentInfo{}, notFound(id)
	case err != nil:
		return DocumentInfo{}, err
	case !s.Allows(collectionOf(info.Metadata)):
		return DocumentInfo{}, notFound(id)
	}
	info.Collection, info.Metadata = splitCollection(info.Metadata)
	return info, nil
}

// DocumentInfoIn returns a document's registry entry, or ErrNotFound when
// it is absent or outside s.
func (e *Engine) DocumentInfoIn(ctx context.Context, s Scope, id string) (DocumentInfo, error) {
	return e.infoIn(ctx, s, id)
}

// DocumentIn returns one document with its text, or ErrNotFound when it is
// absent or outside s.
func (e *Engine) DocumentIn(ctx context.Context, s Scope, id string) (Document, error) {
	d, err := e.store.Document(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Document{}, notFound(id)
	case err != nil:
		return Document{}, err
	case !s.Allows(collectionOf(d.Metadata)):
		return Document{}, notFound(id)
	}
	d.Collection, d.Metadata = splitCollection(d.Metadata)
	return d, nil
}

// DeleteIn removes a document of s, or returns ErrNotFound when it is
// absent or outside s. No ingest runs between the check and the delete.
func (e *Engine) DeleteIn(ctx context.Context, s Scope, id string) error {
	e.ingestMu.Lock()
	defer e.ingestMu.Unlock()
	if _, err := e.infoIn(ctx, s, id); err != nil {
		return err
	}
	if err := e.store.Delete(ctx, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return notFound(id)
		}
		return err
	}
	return nil
}

// checkScope refuses a batch that places a document outside s.
func checkScope(s Scope, docs []Document) error {
	for _, d := range docs {
		if !s.Allows(d.Collection) {
			return fmt.Errorf("%w: document %q: collection %q is outside the caller's collections", ErrInvalidArgument, d.ID, d.Collection)
		}
	}
	return nil
}

// idTaken is the one error for writing to an id held outside the scope: it
// names only the id the caller gave, never the holder's collection or
// whether its content differs.
func idTaken(id string) error {
	return fmt.Errorf("%w: document id %q is in use: choose another id", ErrIDTaken, id)
}
