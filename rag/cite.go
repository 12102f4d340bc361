package rag

import (
	"context"
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
	infos map[string]DocumentInfo
}

func newCiteSet(ctx context.Context, s Store) *citeSet {
	return &citeSet{ctx: ctx, store: s, list: []Citation{}, byKey: map[string]int{}, infos: map[string]DocumentInfo{}}
}

// add returns the citation number for a sentence, adding it if new.
func (c *citeSet) add(x evidence) (int, error) {
	key := fmt.Sprintf("%s:%d:%d", x.chunk.DocID, x.Start, x.End)
	if n, ok := c.byKey[key]; ok {
		return n, nil
	}
	info, ok := c.infos[x.chunk.DocID]
	if !ok {
		var err error
		info, err = c.store.Info(c.ctx, x.chunk.DocID)
		if err != nil {
			return 0, fmt.Errorf("cite %s: %w", x.chunk.ID, err)
		}
		c.infos[x.chunk.DocID] = info
	}
	n := len(c.list) + 1
	c.list = append(c.list, Citation{N: n, DocID: x.chunk.DocID, ChunkID: x.chunk.ID, Title: info.Title,
		Source: info.Source, Quote: x.text, Start: x.Start, End: x.End, Score: round4(x.score)})
	c.byKey[key] = n
	return n, nil
}

// conflict cites every claim of f and returns the conflict and a sentence
// stating it, e.g. "Sources disagree on the amount: $10 billion [1][2]; $50 billion [3]."
func (c *citeSet) conflict(f foundConflict) (Conflict, string, error) {
	cf := Conflict{About: f.about}
	var parts []string
	for _, cl := range f.claims {
		claim := Claim{Value: cl.value}
		var marks strings.Builder
		for _, x := range cl.evidence {
			n, err := c.add(x)
			if err != nil {
				return Conflict{}, "", err
			}
			claim.Citations = append(claim.Citations, n)
			fmt.Fprintf(&marks, "[%d]", n)
		}
		cf.Claims = append(cf.Claims, claim)
		parts = append(parts, cl.value+" "+marks.String())
	}
	return cf, fmt.Sprintf("Sources disagree on %s: %s.", f.about, strings.Join(parts, "; ")), nil
}

func round4(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}
