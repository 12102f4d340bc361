package openai

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sashabaranov/go-openai"

	"github.com/ragcite/ragcite/embed"
)

// EmbedderConfig configures the OpenAI-compatible embedder.
type EmbedderConfig struct {
	BaseURL string // e.g. https://api.openai.com/v1 or http://localhost:11434/v1
	APIKey  string
	Model   string // default text-embedding-3-small
	// HTTPClient sends the requests; nil means a client with RetryTransport.
	HTTPClient *http.Client
	// CacheDir keeps vectors on disk by model and text hash; "" disables it.
	CacheDir    string
	BatchSize   int // texts per request; default 64
	Concurrency int // requests in flight; default 4
}

// Embedder embeds through an OpenAI-compatible /embeddings endpoint: batched,
// a bounded number of requests at once, retried, cached on disk.
type Embedder struct {
	client *openai.Client
	cfg    EmbedderConfig
	mu     sync.Mutex
	dim    int // learnt from the first reply (or the cache)
}

var _ embed.Embedder = (*Embedder)(nil)

// DefaultEmbedModel is the embedding model used when none is configured.
const DefaultEmbedModel = "text-embedding-3-small"

// openAIDims are the dimensions of well-known models, so a store can check
// them before the first request.
var openAIDims = map[string]int{"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536}

// NewEmbedder returns the embedder; it sends nothing until Embed.
func NewEmbedder(cfg EmbedderConfig) (*Embedder, error) {
	if cfg.Model == "" {
		cfg.Model = DefaultEmbedModel
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 64
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.BaseURL == "" && cfg.APIKey == "" {
		return nil, errors.New("openai embedder: set OPENAI_BASE_URL and/or OPENAI_API_KEY")
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	if cfg.BaseURL != "" {
		oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.HTTPClient != nil {
		oc.HTTPClient = cfg.HTTPClient
	} else {
		oc.HTTPClient = &http.Client{Transport: NewRetryTransport(nil)}
	}
	return &Embedder{client: openai.NewClientWithConfig(oc), cfg: cfg, dim: openAIDims[cfg.Model]}, nil
}

// Name implements embed.Embedder.
func (o *Embedder) Name() string { return "openai:" + o.cfg.Model }

// Dim implements embed.Embedder. For a model it does not know, it is 0 until the
// first vector arrives.
func (o *Embedder) Dim() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.dim
}

// Embed implements embed.Embedder.
func (o *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []int
	for i, t := range texts {
		if v, ok := o.cached(t); ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, o.cfg.Concurrency)
	var wg sync.WaitGroup
	for start := 0; start < len(missing); start += o.cfg.BatchSize {
		batch := missing[start:min(start+o.cfg.BatchSize, len(missing))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := o.embedBatch(ctx, texts, batch, out); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("openai embed: %w", redactErr(err, o.cfg.APIKey))
	}
	return out, nil
}

func (o *Embedder) embedBatch(ctx context.Context, texts []string, idx []int, out [][]float32) error {
	input := make([]string, len(idx))
	for i, j := range idx {
		input[i] = texts[j]
	}
	resp, err := o.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{Input: input, Model: openai.EmbeddingModel(o.cfg.Model)})
	if err != nil {
		return err
	}
	if len(resp.Data) != len(idx) {
		return fmt.Errorf("%d vectors for %d texts", len(resp.Data), len(idx))
	}
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(idx) {
			return fmt.Errorf("vector index %d out of range", d.Index)
		}
		v := normalize(d.Embedding)
		if err := o.checkDim(len(v)); err != nil {
			return err
		}
		out[idx[d.Index]] = v
		o.store(texts[idx[d.Index]], v)
	}
	return nil
}

func (o *Embedder) checkDim(n int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.dim == 0 {
		o.dim = n
	}
	if n != o.dim {
		return fmt.Errorf("model %s returned %d dimensions, want %d", o.cfg.Model, n, o.dim)
	}
	return nil
}

func normalize(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	out := make([]float32, len(v))
	if n == 0 {
		if len(out) > 0 {
			out[0] = 1
		}
		return out
	}
	s := 1 / math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(float64(x) * s)
	}
	return out
}

// cachePath is CacheDir/<model>/<hash[:2]>/<sha256 of the text>.
func (o *Embedder) cachePath(text string) string {
	sum := sha256.Sum256([]byte(text))
	h := hex.EncodeToString(sum[:])
	return filepath.Join(o.cfg.CacheDir, strings.ReplaceAll(o.cfg.Model, "/", "_"), h[:2], h+".f32")
}

// cached returns a cached vector; a missing, short or corrupt entry is a miss.
func (o *Embedder) cached(text string) ([]float32, bool) {
	if o.cfg.CacheDir == "" {
		return nil, false
	}
	b, err := os.ReadFile(o.cachePath(text))
	if err != nil || len(b) == 0 || len(b)%4 != 0 {
		return nil, false
	}
	v := make([]float32, len(b)/4)
	var norm float64
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		norm += float64(v[i]) * float64(v[i])
	}
	if math.Abs(norm-1) > 1e-3 || o.checkDim(len(v)) != nil {
		return nil, false // corrupt: recompute
	}
	return v, true
}

func (o *Embedder) store(text string, v []float32) {
	if o.cfg.CacheDir == "" {
		return
	}
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	path := o.cachePath(text)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return // the cache is an optimisation; a failed write costs a later request
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		os.Remove(f.Name())
	}
}
