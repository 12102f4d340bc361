package rag

import (
	"context"
	"fmt"
	"strings"
)

// Support grades how well passages back a sentence.
type Support string

// Support grades, from best to worst.
const (
	// Supported: the passages state what the sentence says.
	Supported Support = "supported"
	// Partial: the passages back part of the sentence, or back it weakly.
	Partial Support = "partial"
	// Unsupported: the passages do not back the sentence.
	Unsupported Support = "unsupported"
)

// Policy says which sentences of a generated reply are kept.
type Policy string

// Policies.
const (
	// PolicyDrop removes unsupported sentences and keeps partial ones, marked.
	PolicyDrop Policy = "drop"
	// PolicyFlag keeps every sentence, each marked with its support.
	PolicyFlag Policy = "flag"
	// PolicyStrict keeps only supported sentences.
	PolicyStrict Policy = "strict"
)

// DefaultPolicy is the policy used when neither the request nor the server
// names one. With the fitted lexical verifier it keeps at least 0.9 of the
// claims experts judged supported (see README, Verification).
const DefaultPolicy = PolicyDrop

// ValidatePolicy checks a requested policy; "" means fallback.
func ValidatePolicy(p, fallback Policy) (Policy, error) {
	switch p {
	case "":
		return fallback, nil
	case PolicyDrop, PolicyFlag, PolicyStrict:
		return p, nil
	}
	return "", fmt.Errorf("%w: policy %q: want drop, flag or strict", ErrInvalidArgument, p)
}

// keeps reports whether the policy keeps a sentence of grade s.
func (p Policy) keeps(s Support) bool {
	switch p {
	case PolicyFlag:
		return true
	case PolicyStrict:
		return s == Supported
	}
	return s != Unsupported
}

// Check is one claim to judge against passages.
type Check struct {
	Claim    string
	Passages []string
}

// Quote is a span of one passage that backs a claim: Text is
// Passages[Passage][Start:End].
type Quote struct {
	Passage int
	Start   int
	End     int
	Text    string
}

// Verdict is a verifier's judgement of one claim.
type Verdict struct {
	Support Support
	// Score is the verifier's confidence in [0,1] that the passages support the claim.
	Score float64
	// Quotes are the passage spans that back the claim, best first; empty
	// when nothing does.
	Quotes []Quote
}

// Verifier judges whether passages support claims. Verify returns one
// verdict per check, in order.
type Verifier interface {
	Verify(ctx context.Context, checks []Check) ([]Verdict, error)
	// Name identifies the verifier (and its model) in reports and caches.
	Name() string
}

// VerifiedSentence is one sentence of a reply with its support verdict and
// the citation numbers it carries.
type VerifiedSentence struct {
	Text      string  `json:"text"`
	Support   Support `json:"support"`
	Score     float64 `json:"score"`
	Citations []int   `json:"citations"`
}

// quotedSentences lists the sentences of an extractive reply: each is a
// verbatim quote of the passage it cites, so each is supported.
func quotedSentences(text string) []VerifiedSentence {
	out := []VerifiedSentence{}
	for _, s := range splitCited(text) {
		if s.text == "" || len(s.markers) == 0 {
			continue // a fixed reply such as an abstention states no claim
		}
		out = append(out, VerifiedSentence{Text: s.text, Support: Supported, Score: 1, Citations: append([]int{}, s.markers...)})
	}
	return out
}

// conflictSentence is the sentence stating a conflict: every claim in it
// is quoted from the sources it cites.
func conflictSentence(text string, cf Conflict) VerifiedSentence {
	var ns []int
	for _, c := range cf.Claims {
		for _, n := range c.Citations {
			ns = appendUniqueInt(ns, n)
		}
	}
	return VerifiedSentence{Text: strings.TrimSpace(markerGroup.ReplaceAllString(text, "")), Support: Supported, Score: 1, Citations: ns}
}
