package rag

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ragcite/ragcite/prompts"
)

// LLMVerifierConfig configures a verifier backed by a chat model.
type LLMVerifierConfig struct {
	// Chat is the model that judges; it may differ from the answering model.
	Chat Chat
	// Model names the model in the verifier's name and cache keys.
	Model string
	// Concurrency bounds the requests in flight; 0 means 4.
	Concurrency int
	// CacheDir keeps judgements across runs, one small file per claim and
	// passages; "" keeps them in memory only.
	CacheDir string
	// Supported and Partial are the probability thresholds of the two
	// grades; 0 means 0.5 and 0.25 (not fitted: see README).
	Supported, Partial float64
	// DocumentTokens bounds the passages sent with one claim; 0 means 6000.
	DocumentTokens int
}

// LLMVerifier asks a chat model, in the style of MiniCheck, whether a
// document supports a claim: the probability of "Yes" comes from the
// first token's log probabilities when the server gives them, else from
// the answer (1 for yes, 0 for no). Quotes are the passage sentences that
// cover the claim best, as the lexical verifier finds them.
type LLMVerifier struct {
	cfg   LLMVerifierConfig
	mu    sync.Mutex
	cache map[string]float64 // guarded by mu
}

var _ Verifier = (*LLMVerifier)(nil)

// NewLLMVerifier returns a verifier over cfg.Chat.
func NewLLMVerifier(cfg LLMVerifierConfig) (*LLMVerifier, error) {
	if cfg.Chat == nil {
		return nil, errors.New("llm verifier: a chat model is required")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Supported == 0 {
		cfg.Supported = 0.5
	}
	if cfg.Partial == 0 {
		cfg.Partial = 0.25
	}
	if cfg.DocumentTokens <= 0 {
		cfg.DocumentTokens = 6000
	}
	if !(0 < cfg.Partial && cfg.Partial <= cfg.Supported && cfg.Supported <= 1) {
		return nil, fmt.Errorf("llm verifier: thresholds partial %v, supported %v: want 0 < partial <= supported <= 1", cfg.Partial, cfg.Supported)
	}
	if cfg.CacheDir != "" {
		if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
			return nil, fmt.Errorf("llm verifier cache: %w", err)
		}
	}
	return &LLMVerifier{cfg: cfg, cache: map[string]float64{}}, nil
}

// Name implements Verifier.
func (v *LLMVerifier) Name() string { return "llm:" + v.cfg.Model }

// Verify implements Verifier. Claims are judged concurrently, at most
// cfg.Concurrency at a time; the first error cancels the rest.
func (v *LLMVerifier) Verify(ctx context.Context, checks []Check) ([]Verdict, error) {
	out := make([]Verdict, len(checks))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, v.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, c := range checks {
		if len(c.Passages) == 0 || strings.TrimSpace(c.Claim) == "" {
			out[i] = Verdict{Support: Unsupported}
			continue
		}
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
			p, err := v.probability(ctx, c)
			if err != nil {
				cancel(fmt.Errorf("claim %d: %w", i+1, err))
				return
			}
			out[i] = v.verdict(c, p)
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("llm verifier: %w", err)
	}
	return out, nil
}

func (v *LLMVerifier) verdict(c Check, p float64) Verdict {
	vd := Verdict{Score: round4(p), Support: Unsupported}
	switch {
	case p >= v.cfg.Supported:
		vd.Support = Supported
	case p >= v.cfg.Partial:
		vd.Support = Partial
	default:
		return vd
	}
	vd.Quotes = AnalyzeClaim(c.Claim, c.Passages).Quotes
	return vd
}

// probability returns the model's probability that the passages support
// the claim, from the cache when it has judged them before.
func (v *LLMVerifier) probability(ctx context.Context, c Check) (float64, error) {
	passages := v.fit(c.Passages)
	key := v.key(c.Claim, passages)
	if p, ok := v.cached(key); ok {
		return p, nil
	}
	data := prompts.Data{Claim: c.Claim}
	for i, p := range passages {
		data.Passages = append(data.Passages, prompts.Passage{N: i + 1, Text: p})
	}
	msgs, err := prompts.Render(prompts.Verify, data)
	if err != nil {
		return 0, err
	}
	reply, err := v.cfg.Chat.Complete(ctx, ChatRequest{
		Messages:    []ChatMessage{{Role: "system", Content: msgs.System}, {Role: "user", Content: msgs.User}},
		MaxTokens:   3,
		TopLogprobs: 5,
	})
	if err != nil {
		return 0, err
	}
	p, err := yesProbability(reply)
	if err != nil {
		return 0, err
	}
	return p, v.store(key, p)
}

// fit keeps the passages, in order, that fit the document budget; the
// first that does not fit whole is cut at a sentence boundary.
func (v *LLMVerifier) fit(passages []string) []string {
	hits := make([]Hit, len(passages))
	for i, p := range passages {
		hits[i] = Hit{Chunk: Chunk{Text: p, End: len(p)}}
	}
	fitted := fitPassages(hits, v.cfg.DocumentTokens)
	out := make([]string, len(fitted))
	for i, h := range fitted {
		out[i] = h.Chunk.Text
	}
	if len(out) == 0 && len(passages) > 0 {
		out = []string{passages[0][:min(len(passages[0]), 4*v.cfg.DocumentTokens)]}
	}
	return out
}

// yesProbability reads P(yes) from the first token's log probabilities,
// normalised over the yes and no tokens among them, or else from the text.
func yesProbability(r ChatReply) (float64, error) {
	var yes, no float64
	for _, t := range r.FirstTokens {
		switch yesNo(t.Token) {
		case 1:
			yes += math.Exp(t.Logprob)
		case -1:
			no += math.Exp(t.Logprob)
		}
	}
	if yes+no > 0 {
		return yes / (yes + no), nil
	}
	switch yesNo(r.Content) {
	case 1:
		return 1, nil
	case -1:
		return 0, nil
	}
	return 0, fmt.Errorf("the verifier model answered %q, not yes or no", truncateText(r.Content, 80))
}

// yesNo is 1 for a reply or token that says yes, -1 for no, 0 otherwise.
func yesNo(s string) int {
	s = strings.ToLower(strings.TrimLeft(s, " \t\n\"'*"))
	switch {
	case strings.HasPrefix(s, "yes"), strings.HasPrefix(s, "supported"), s == "1", strings.HasPrefix(s, "true"):
		return 1
	case strings.HasPrefix(s, "no"), strings.HasPrefix(s, "unsupported"), strings.HasPrefix(s, "not"), s == "0", strings.HasPrefix(s, "false"):
		return -1
	}
	return 0
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// key identifies a judgement: the model, the prompt version, the claim and
// the passages.
func (v *LLMVerifier) key(claim string, passages []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "verify-v1\x00%s\x00%d:%s", v.cfg.Model, len(claim), claim)
	for _, p := range passages {
		fmt.Fprintf(h, "\x00%d:%s", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type cachedJudgement struct {
	Model string  `json:"model"`
	P     float64 `json:"p_supported"`
}

func (v *LLMVerifier) cached(key string) (float64, bool) {
	v.mu.Lock()
	p, ok := v.cache[key]
	v.mu.Unlock()
	if ok || v.cfg.CacheDir == "" {
		return p, ok
	}
	data, err := os.ReadFile(filepath.Join(v.cfg.CacheDir, key+".json"))
	if err != nil {
		return 0, false
	}
	var j cachedJudgement
	if json.Unmarshal(data, &j) != nil || j.P < 0 || j.P > 1 {
		return 0, false // a damaged entry is judged again and rewritten
	}
	v.mu.Lock()
	v.cache[key] = j.P
	v.mu.Unlock()
	return j.P, true
}

func (v *LLMVerifier) store(key string, p float64) error {
	v.mu.Lock()
	v.cache[key] = p
	v.mu.Unlock()
	if v.cfg.CacheDir == "" {
		return nil
	}
	data, _ := json.Marshal(cachedJudgement{Model: v.cfg.Model, P: p})
	tmp, err := os.CreateTemp(v.cfg.CacheDir, key+".*.tmp")
	if err != nil {
		return fmt.Errorf("llm verifier cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("llm verifier cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("llm verifier cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(v.cfg.CacheDir, key+".json")); err != nil {
		return fmt.Errorf("llm verifier cache: %w", err)
	}
	return nil
}
