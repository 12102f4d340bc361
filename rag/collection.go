package rag

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"sort"
)

// DefaultCollection holds documents ingested without a collection.
const DefaultCollection = "default"

// MetaCollection is the metadata key a document's collection is stored
// under, so every store keeps and filters it as it does other metadata.
const MetaCollection = "collection"

// collectionName is what a collection may be called.
var collectionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ValidateCollection checks a collection name: 1 to 64 letters, digits,
// '_', '.' or '-', starting with a letter or digit.
func ValidateCollection(name string) error {
	if !collectionName.MatchString(name) {
		return fmt.Errorf("%w: collection %q: want 1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit", ErrInvalidArgument, name)
	}
	return nil
}

// CollectionInfo is one collection and how many documents it holds.
type CollectionInfo struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
}

// placeInCollection resolves d's collection (its Collection field, else
// its "collection" metadata, else DefaultCollection), and records it in
// both. A document naming two different collections is refused.
func placeInCollection(d Document) (Document, error) {
	meta := d.Metadata[MetaCollection]
	c := d.Collection
	switch {
	case c != "" && meta != "" && c != meta:
		return d, fmt.Errorf("%w: document %q: collection %q and metadata collection %q differ", ErrInvalidArgument, d.ID, c, meta)
	case c == "":
		c = meta
	}
	if c == "" {
		c = DefaultCollection
	}
	if err := ValidateCollection(c); err != nil {
		return d, fmt.Errorf("document %q: %w", d.ID, err)
	}
	d.Metadata = maps.Clone(d.Metadata)
	if d.Metadata == nil {
		d.Metadata = map[string]string{}
	}
	d.Metadata[MetaCollection] = c
	d.Collection = c
	return d, nil
}

// collectionOf is the collection a stored document is in: documents stored
// before collections existed are in the default one.
func collectionOf(meta map[string]string) string {
	if c := meta[MetaCollection]; c != "" {
		return c
	}
	return DefaultCollection
}

// splitCollection separates a stored document's collection from the rest
// of its metadata, as documents are shown.
func splitCollection(meta map[string]string) (string, map[string]string) {
	c := collectionOf(meta)
	if _, ok := meta[MetaCollection]; ok {
		meta = maps.Clone(meta)
		delete(meta, MetaCollection)
	}
	return c, meta
}

// scoped returns f limited to collection (a request's top-level
// "collection"), which must agree with f.Collection when both are set.
func scoped(f Filter, collection string) (Filter, error) {
	switch {
	case collection == "":
	case f.Collection != "" && f.Collection != collection:
		return f, fmt.Errorf("%w: collection %q and filter collection %q differ", ErrInvalidArgument, collection, f.Collection)
	default:
		f.Collection = collection
	}
	if f.Collection != "" {
		if err := ValidateCollection(f.Collection); err != nil {
			return f, err
		}
	}
	return f, nil
}

// storeFilter turns f into what stores understand: the collection becomes
// a metadata condition.
func (f Filter) storeFilter() Filter {
	if f.Collection == "" {
		return f
	}
	f.Metadata = maps.Clone(f.Metadata)
	if f.Metadata == nil {
		f.Metadata = map[string]string{}
	}
	f.Metadata[MetaCollection] = f.Collection
	f.Collection = ""
	return f
}

// Collections lists the collections that hold documents, by name.
func (e *Engine) Collections(ctx context.Context) ([]CollectionInfo, error) {
	docs, err := e.store.Documents(ctx)
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, d := range docs {
		count[collectionOf(d.Metadata)]++
	}
	out := make([]CollectionInfo, 0, len(count))
	for name, n := range count {
		out = append(out, CollectionInfo{Name: name, Documents: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteCollection deletes every document of a collection and returns how
// many; a collection with no documents is ErrNotFound.
func (e *Engine) DeleteCollection(ctx context.Context, name string) (int, error) {
	if err := ValidateCollection(name); err != nil {
		return 0, err
	}
	e.ingestMu.Lock() // no ingest adds to the collection while it goes
	defer e.ingestMu.Unlock()
	docs, err := e.store.Documents(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range docs {
		if collectionOf(d.Metadata) != name {
			continue
		}
		if err := e.store.Delete(ctx, d.ID); err != nil {
			return n, fmt.Errorf("delete collection %q: %w", name, err)
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: collection %q has no documents", ErrNotFound, name)
	}
	if f, ok := e.store.(Flusher); ok {
		if err := f.Flush(); err != nil {
			return n, fmt.Errorf("delete collection %q: %w", name, err)
		}
	}
	return n, nil
}
