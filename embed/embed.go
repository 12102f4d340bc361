package embed

import (
	"context"
	"fmt"
)

// Embedder turns texts into vectors of a fixed dimension. Implementations are
// safe for concurrent use.
type Embedder interface {
	// Name identifies the embedder and its model, e.g. "local-v1" or
	// "openai:text-embedding-3-small". A store built by one name refuses another.
	Name() string
	// Dim is the length of every vector Embed returns.
	Dim() int
	// Embed returns one L2-normalised vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Func has the shape of chromem.EmbeddingFunc: it embeds one text with e.
func Func(e Embedder) func(ctx context.Context, text string) ([]float32, error) {
	return func(ctx context.Context, text string) ([]float32, error) {
		vs, err := e.Embed(ctx, []string{text})
		if err != nil {
			return nil, err
		}
		if len(vs) != 1 {
			return nil, fmt.Errorf("embed: got %d vectors for 1 text", len(vs))
		}
		return vs[0], nil
	}
}
