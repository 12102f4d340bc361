package eval

import (
	"context"

	"github.com/ragcite/ragcite/rag"
)

// InCollection runs a suite inside one collection of target: its documents
// are ingested into it, and every question, search and summary is limited
// to it, so a suite can run against a shared store or server without
// seeing (or being seen by) other collections.
func InCollection(t Target, name string) Target { return collectionTarget{t, name} }

type collectionTarget struct {
	Target
	name string
}

func (c collectionTarget) Ingest(ctx context.Context, docs []rag.Document) error {
	in := make([]rag.Document, len(docs))
	for i, d := range docs {
		d.Collection = c.name
		in[i] = d
	}
	return c.Target.Ingest(ctx, in)
}

func (c collectionTarget) Ask(ctx context.Context, req rag.AskRequest) (*rag.Answer, error) {
	req.Collection = c.name
	return c.Target.Ask(ctx, req)
}

func (c collectionTarget) Summarize(ctx context.Context, req rag.SummarizeRequest) (*rag.Summary, error) {
	req.Collection = c.name
	return c.Target.Summarize(ctx, req)
}

func (c collectionTarget) Search(ctx context.Context, req rag.SearchRequest) ([]rag.SearchResult, error) {
	req.Collection = c.name
	return c.Target.Search(ctx, req)
}
