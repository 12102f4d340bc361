package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/openai"
)

// verifier builds the configured verifier of generated sentences. The llm
// verifier may use another model and endpoint than the answers: --verify-model
// and --verify-base-url, defaulting to --llm-model and --openai-base-url.
func (a *app) verifier() (rag.Verifier, error) {
	switch a.cfg.Verifier {
	case "lexical", "":
		return rag.DefaultLexicalVerifier(), nil
	case "overlap":
		return rag.OverlapVerifier{}, nil
	case "llm":
		base, model := a.cfg.VerifyBaseURL, a.cfg.VerifyModel
		if base == "" {
			base = a.cfg.OpenAIBaseURL
		}
		if model == "" {
			model = a.cfg.LLMModel
		}
		if base == "" && a.cfg.OpenAIKey == "" {
			return nil, &usageError{errors.New("--verifier llm needs OPENAI_API_KEY and/or an endpoint (--verify-base-url or OPENAI_BASE_URL)")}
		}
		chat, err := openai.NewChat(openai.ChatConfig{BaseURL: base, APIKey: a.cfg.OpenAIKey, Model: model,
			HTTPClient: a.httpClient, Timeout: a.cfg.LLMTimeout})
		if err != nil {
			return nil, err
		}
		cache := ""
		if a.cfg.Data != "" {
			cache = filepath.Join(a.cfg.Data, "verify-cache")
		}
		return rag.NewLLMVerifier(rag.LLMVerifierConfig{Chat: chat, Model: model, CacheDir: cache})
	}
	return nil, &usageError{fmt.Errorf("--verifier %q: want lexical, llm or overlap", a.cfg.Verifier)}
}
