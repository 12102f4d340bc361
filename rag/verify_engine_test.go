package rag_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/openai"
)

// gradedReply states a sentence its passage supports, one that restates
// a passage but adds a price, and one the passages do not support.
func gradedReply(_, user string) string {
	deal, chips := passageWith(user, "$10 billion"), passageWith(user, "Trainium")
	return fmt.Sprintf("Amazon is in talks to invest at least $10 billion in OpenAI [%d]. "+
		"OpenAI would train models on Trainium chips made by Amazon, at $5,000 a chip [%d]. "+
		"Amazon will also buy Google for $900 billion next week [%d].", deal, chips, deal)
}

func TestPolicies(t *testing.T) {
	tests := []struct {
		policy rag.Policy
		// wantKept are the support grades of the sentences kept, in order.
		wantKept    []rag.Support
		unsupported int
	}{
		{rag.PolicyFlag, []rag.Support{rag.Supported, rag.Partial, rag.Unsupported}, 0},
		{rag.PolicyDrop, []rag.Support{rag.Supported, rag.Partial}, 1},
		{rag.PolicyStrict, []rag.Support{rag.Supported}, 2},
	}
	for _, tc := range tests {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", tc.policy, stream), func(t *testing.T) {
				eng := llmEngine(t, newFakeLLM(t, gradedReply), 0)
				var streamed strings.Builder
				var emit func(string) error
				if stream {
					emit = func(s string) error { streamed.WriteString(s); return nil }
				}
				ans, err := eng.AskStream(context.Background(), rag.AskRequest{Question: "How much will Amazon invest in OpenAI?", TopK: 3, Policy: tc.policy}, emit)
				if err != nil {
					t.Fatal(err)
				}
				if stream && streamed.String() != ans.Answer {
					t.Errorf("streamed %q, final %q", streamed.String(), ans.Answer)
				}
				var got []rag.Support
				for _, s := range ans.Sentences {
					got = append(got, s.Support)
					if !strings.Contains(ans.Answer, s.Text) {
						t.Errorf("sentence %q is not in the answer %q", s.Text, ans.Answer)
					}
					if s.Support == rag.Unsupported && len(s.Citations) > 0 {
						t.Errorf("unsupported sentence %q carries citations %v", s.Text, s.Citations)
					}
					if s.Support != rag.Unsupported && len(s.Citations) == 0 {
						t.Errorf("%s sentence %q carries no citation", s.Support, s.Text)
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.wantKept) {
					t.Errorf("kept %v, want %v (sentences %+v)", got, tc.wantKept, ans.Sentences)
				}
				if len(ans.Unsupported) != tc.unsupported {
					t.Errorf("unsupported %q, want %d", ans.Unsupported, tc.unsupported)
				}
				if strings.Contains(ans.Answer, "Google") != (tc.policy == rag.PolicyFlag) {
					t.Errorf("answer %q: the invented sentence is kept only under flag", ans.Answer)
				}
				checkCitations(t, eng, ans.Answer, ans.Citations)
			})
		}
	}
}

func TestBadPolicy(t *testing.T) {
	eng := llmEngine(t, newFakeLLM(t, gradedReply), 0)
	_, err := eng.Ask(context.Background(), rag.AskRequest{Question: "How much?", Policy: "lenient"})
	if err == nil || !strings.Contains(err.Error(), "policy") {
		t.Errorf("error %v, want one naming the policy", err)
	}
	_, err = eng.Summarize(context.Background(), rag.SummarizeRequest{DocIDs: []string{"deal"}, Policy: "lenient"})
	if err == nil {
		t.Error("summary with policy lenient accepted")
	}
}

// TestSummaryUsesVerifier checks that summaries are judged by the engine's
// verifier, as answers are.
func TestSummaryUsesVerifier(t *testing.T) {
	calls := 0
	eng := verifierEngine(t, newFakeLLM(t, gradedReply), verifierFunc(func(cs []rag.Check) []rag.Verdict {
		calls += len(cs)
		out := make([]rag.Verdict, len(cs))
		for i := range cs {
			out[i] = rag.Verdict{Support: rag.Unsupported}
		}
		return out
	}))
	sum, err := eng.Summarize(context.Background(), rag.SummarizeRequest{DocIDs: []string{"deal", "chips"}, Mode: rag.ModeLLM, Policy: rag.PolicyDrop})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || len(sum.Unsupported) != 3 || len(sum.Sentences) != 0 {
		t.Errorf("verifier judged %d sentences; summary %+v", calls, sum)
	}
}

type verifierFunc func([]rag.Check) []rag.Verdict

func (f verifierFunc) Name() string { return "func" }
func (f verifierFunc) Verify(_ context.Context, cs []rag.Check) ([]rag.Verdict, error) {
	return f(cs), nil
}

// verifierEngine is llmEngine with the verifier v.
func verifierEngine(t *testing.T, f *fakeLLM, v rag.Verifier) *rag.Engine {
	t.Helper()
	chat, err := openai.NewChat(f.config())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := chromemstore.Open(context.Background(), "")
	eng, err := rag.NewEngine(context.Background(), rag.Config{Store: st, Embedder: embed.DefaultLocal(), Chat: chat, Verifier: v})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, err := eng.Ingest(context.Background(), llmDocs, nil); err != nil {
		t.Fatal(err)
	}
	return eng
}
