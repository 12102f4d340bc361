package rag_test

import (
	"context"
	"errors"
	"math"
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
