package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// citeSet numbers citations in order of first use and resolves document
// titles and sources once per document.
type citeSet struct {
	ctx   context.Context
	store Store
	list  []Citation
	byKey map[string]int
	docs  map[string]Document
	heads map[string][]heading // per document, found once
}

func newCiteSet(ctx context.Context, s Store) *citeSet {
	return &citeSet{ctx: ctx, store: s, list: []Citation{}, byKey: map[string]int{}, docs: map[string]Document{}, heads: map[string][]heading{}}
}

// headings returns doc's headings, found on first use.
func (c *citeSet) headings(doc Document) []heading {
	hs, ok := c.heads[doc.ID]
	if !ok {
		hs = headingsOf(doc)
		c.heads[doc.ID] = hs
	}
	return hs
}

// errStale: the cited document was deleted or changed after retrieval, so
// the passage can no longer be quoted. Callers skip the sentence.
var errStale = errors.New("document changed since retrieval")

// add returns the citation number for a sentence, adding it if new.
func (c *citeSet) add(x evidence) (int, error) {
	key := fmt.Sprintf("%s:%d:%d", x.chunk.DocID, x.Start, x.End)
	if n, ok := c.byKey[key]; ok {
		return n, nil
	}
	doc, ok := c.docs[x.chunk.DocID]
	if !ok {
		var err error
		doc, err = c.store.Document(c.ctx, x.chunk.DocID)
		switch {
		case errors.Is(err, ErrNotFound):
			return 0, fmt.Errorf("cite %s: %w", x.chunk.ID, errStale)
		case err != nil:
			return 0, fmt.Errorf("cite %s: %w", x.chunk.ID, err)
		}
		c.docs[x.chunk.DocID] = doc
	}
	if x.Start < 0 || x.End > len(doc.Text) || doc.Text[x.Start:x.End] != x.text {
		return 0, fmt.Errorf("cite %s: %w", x.chunk.ID, errStale)
	}
	n := len(c.list) + 1
	c.list = append(c.list, Citation{N: n, DocID: x.chunk.DocID, ChunkID: x.chunk.ID, Title: doc.Title,
		Source: doc.Source, Quote: x.text, Start: x.Start, End: x.End, Score: round4(x.score), Page: PageAt(doc, x.Start), Section: sectionPath(c.headings(doc), x.Start)})
	c.byKey[key] = n
	return n, nil
}

// conflict cites every claim of f and returns the conflict and a sentence
// stating it, e.g. "Sources disagree on the amount: $10 billion [1][2]; $50 billion [3]."
// ok is false when, with stale evidence skipped, fewer than two claims remain.
func (c *citeSet) conflict(f foundConflict) (cf Conflict, text string, ok bool, err error) {
	cf = Conflict{About: f.about}
	var parts []string
	for _, cl := range f.claims {
		claim := Claim{Value: cl.value}
		for _, x := range cl.evidence {
			n, err := c.add(x)
			if errors.Is(err, errStale) {
				continue
			}
			if err != nil {
				return Conflict{}, "", false, err
			}
			claim.Citations = append(claim.Citations, n)
		}
		if len(claim.Citations) == 0 {
			continue
		}
		cf.Claims = append(cf.Claims, claim)
		parts = append(parts, citedText(cl.value, claim.Citations))
	}
	if len(cf.Claims) < 2 {
		return Conflict{}, "", false, nil
	}
	return cf, fmt.Sprintf("Sources disagree on %s: %s.", f.about, strings.Join(parts, "; ")), true, nil
}

func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}
