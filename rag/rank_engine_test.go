package rag_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

func TestAskMinConfidence(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	if _, err := eng.Ingest(ctx, sampleDocs(t), nil); err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name     string
		q        string
		min      *float64
		abstains bool
	}{
		{"default off topic", "What is the capital of Australia?", nil, true},
		{"zero never abstains", "What is the capital of Australia?", f(0), false},
		{"default on topic", "How much is Amazon reportedly considering investing in OpenAI?", nil, false},
		{"one always abstains", "How much is Amazon reportedly considering investing in OpenAI?", f(1), true},
	}
	for _, tc := range tests {
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: tc.q, Mode: rag.ModeExtractive, MinConfidence: tc.min})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if ans.Abstained != tc.abstains {
			t.Errorf("%s: abstained %v (confidence %v), want %v", tc.name, ans.Abstained, ans.Confidence, tc.abstains)
		}
		if ans.Confidence < 0 || ans.Confidence > 1 {
			t.Errorf("%s: confidence %v outside [0,1]", tc.name, ans.Confidence)
		}
	}
	for _, bad := range []float64{-0.1, 1.5, math.NaN()} {
		if _, err := eng.Ask(ctx, rag.AskRequest{Question: "Who?", MinConfidence: &bad}); !errors.Is(err, rag.ErrInvalidArgument) {
			t.Errorf("min_confidence %v: err %v, want invalid argument", bad, err)
		}
	}
}

// TestConfidenceCountsTheTypedNeighbour: an answer that brings the
// sentence before its best one because that sentence holds the asked type
// ("In which month ...?": "But in October, ...") is as confident as if the
// best sentence held it. The same passage without the month gives the same
// best sentence and a lower confidence.
func TestConfidenceCountsTheTypedNeighbour(t *testing.T) {
	ctx := context.Background()
	const rest = " OpenAI quietly changed the rules of the game. After completing its restructuring, OpenAI made it clear that Microsoft no longer has the right of first refusal as its exclusive compute provider. Amazon designs its own chips for training models."
	q := "In which month did OpenAI end Microsoft's right of first refusal?"
	zero := 0.0
	ask := func(opening string) *rag.Answer {
		eng := newTestEngine(t, "", embed.DefaultLocal())
		docs := append(sampleDocs(t)[:1], rag.Document{ID: "refusal", Text: opening + rest})
		if _, err := eng.Ingest(ctx, docs, nil); err != nil {
			t.Fatal(err)
		}
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: q, Mode: rag.ModeExtractive, MinConfidence: &zero})
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	month, none := ask("But in October,"), ask("But then,")
	if !strings.Contains(month.Answer, "October") {
		t.Fatalf("the answer does not bring the month: %q", month.Answer)
	}
	if strings.Contains(none.Answer, "October") || !strings.Contains(none.Answer, "right of first refusal") {
		t.Fatalf("without the month: %q", none.Answer)
	}
	if month.Confidence <= none.Confidence {
		t.Errorf("confidence with the month beside the answer %v, without it %v: want higher", month.Confidence, none.Confidence)
	}
}
