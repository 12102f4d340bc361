package embed

import (
	"context"
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
