package rag

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Bounds of a verify request.
const (
	MaxVerifyClaims   = 100
	MaxVerifyPassages = 50
)

// VerifyRequest asks whether passages, or stored documents, support a text
// or a list of claims. Give exactly one of Text and Claims, and exactly one
// of Passages and DocIDs. Citation markers in Text are ignored: every
// sentence is judged against all the passages.
type VerifyRequest struct {
	Text     string   `json:"text,omitempty"`
	Claims   []string `json:"claims,omitempty"`
	Passages []string `json:"passages,omitempty"`
	DocIDs   []string `json:"doc_ids,omitempty"`
	// Collection, when set, requires every document of DocIDs to be in it.
	Collection string `json:"collection,omitempty"`
}

// VerifyResult holds one verdict per sentence or claim, and the quotes
// that back them as citations. A citation into a given passage carries its
// number (from 1) in Passage, with offsets into that passage; a citation
// into a stored document carries the document's id, with offsets into its
// text.
type VerifyResult struct {
	Sentences []VerifiedSentence `json:"sentences"`
	Citations []Citation         `json:"citations"`
	Verifier  string             `json:"verifier"`
}

// ValidateVerify checks a verify request.
func ValidateVerify(req VerifyRequest) error {
	hasText, hasClaims := strings.TrimSpace(req.Text) != "", len(req.Claims) > 0
	hasPassages, hasDocs := len(req.Passages) > 0, len(req.DocIDs) > 0
	switch {
	case !hasText && !hasClaims:
		return fmt.Errorf("%w: give a non-empty text or claims", ErrInvalidArgument)
	case hasText && hasClaims:
		return fmt.Errorf("%w: give a text or claims, not both", ErrInvalidArgument)
	case !hasPassages && !hasDocs:
		return fmt.Errorf("%w: give passages or doc_ids to verify against", ErrInvalidArgument)
	case hasPassages && hasDocs:
		return fmt.Errorf("%w: give passages or doc_ids, not both", ErrInvalidArgument)
	case len(req.Claims) > MaxVerifyClaims:
		return fmt.Errorf("%w: %d claims: at most %d", ErrInvalidArgument, len(req.Claims), MaxVerifyClaims)
	case len(req.Passages) > MaxVerifyPassages || len(req.DocIDs) > MaxVerifyPassages:
		return fmt.Errorf("%w: at most %d passages or doc_ids", ErrInvalidArgument, MaxVerifyPassages)
	case !utf8.ValidString(req.Text):
		return fmt.Errorf("%w: text is not valid UTF-8", ErrInvalidArgument)
	}
	for i, c := range req.Claims {
		if strings.TrimSpace(c) == "" || !utf8.ValidString(c) {
			return fmt.Errorf("%w: claims[%d] is empty or not valid UTF-8", ErrInvalidArgument, i)
		}
	}
	for i, p := range req.Passages {
		if strings.TrimSpace(p) == "" || !utf8.ValidString(p) {
			return fmt.Errorf("%w: passages[%d] is empty or not valid UTF-8", ErrInvalidArgument, i)
		}
	}
	return nil
}

// Verify judges a text's sentences, or claims, against passages or stored
// documents with the engine's verifier, the one answers and summaries use.
// Validation, gathering the passages from the request or the store and
// judging read top to bottom as the request's path, so they stay together.
func (e *Engine) Verify(ctx context.Context, req VerifyRequest) (*VerifyResult, error) {
	if err := ValidateVerify(req); err != nil {
		return nil, err
	}
	claims := req.Claims
	if req.Text != "" {
		for _, s := range splitCited(req.Text) {
			if s.text != "" {
				claims = append(claims, s.text)
			}
		}
		if len(claims) > MaxVerifyClaims {
			return nil, fmt.Errorf("%w: the text has %d sentences: at most %d", ErrInvalidArgument, len(claims), MaxVerifyClaims)
		}
	}
	passages := req.Passages
	var docs []Document
	for _, id := range dedupe(req.DocIDs) {
		d, err := e.store.Document(ctx, id)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, fmt.Errorf("document %q: %w", id, err)
			}
			return nil, fmt.Errorf("verify: %w", err)
		}
		if req.Collection != "" && collectionOf(d.Metadata) != req.Collection {
			return nil, fmt.Errorf("%w: document %q is not in collection %q", ErrNotFound, id, req.Collection)
		}
		docs = append(docs, d)
		passages = append(passages, d.Text)
	}
	checks := make([]Check, len(claims))
	for i, c := range claims {
		checks[i] = Check{Claim: c, Passages: passages}
	}
	vs, err := e.verifier.Verify(ctx, checks)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	res := &VerifyResult{Sentences: make([]VerifiedSentence, len(claims)), Citations: []Citation{}, Verifier: e.verifier.Name()}
	byKey := map[Quote]int{}
	for i, v := range vs {
		ns := []int{}
		for _, q := range v.Quotes {
			n, ok := byKey[q]
			if !ok {
				n = len(res.Citations) + 1
				byKey[q] = n
				c := Citation{N: n, Quote: q.Text, Start: q.Start, End: q.End}
				if docs != nil {
					d := docs[q.Passage]
					c.DocID, c.Title, c.Source = d.ID, d.Title, d.Source
				} else {
					c.Passage = q.Passage + 1
				}
				res.Citations = append(res.Citations, c)
			}
			ns = append(ns, n)
		}
		res.Sentences[i] = VerifiedSentence{Text: claims[i], Support: v.Support, Score: v.Score, Citations: ns}
	}
	return res, nil
}
