package main

import (
	"fmt"

	"github.com/ragcite/ragcite/rag"
)

// verifier builds the configured verifier of generated sentences.
func (a *app) verifier() (rag.Verifier, error) {
	switch a.cfg.Verifier {
	case "lexical", "":
		return rag.DefaultLexicalVerifier(), nil
	case "overlap":
		return rag.OverlapVerifier{}, nil
	}
	return nil, &usageError{fmt.Errorf("--verifier %q: want lexical, llm or overlap", a.cfg.Verifier)}
}
