package rag

import (
	"context"
	"strings"
	"testing"
)

// verifyExamples are generated-style sentences over passages of the sample
// articles, labelled by hand: faithful restatements, which the default
// policy must keep, and sentences that invent a fact, state a figure the
// passage does not, or contradict it by negation, which must never be
// judged supported.
var verifyExamples = []struct {
	name, sentence string
	passages       []string
	faithful       bool
}{
	{"restatement", "Amazon is in talks to invest at least $10 billion in OpenAI.",
		[]string{"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."}, true},
	{"paraphrase", "Amazon may invest up to $50 billion in OpenAI.",
		[]string{"Amazon is reportedly in discussions to invest as much as $50 billion in OpenAI, a move that could deepen ties."}, true},
	{"units spelled out", "Amazon may invest 50 billion dollars in OpenAI.",
		[]string{"Amazon is reportedly in discussions to invest as much as $50bn in OpenAI, a move that could deepen ties."}, true},
	{"two passages together", "Microsoft has invested more than $13 billion in OpenAI, which Sam Altman leads.",
		[]string{"Microsoft has invested more than $13 billion in OpenAI since 2019.", "OpenAI, the artificial intelligence company led by CEO Sam Altman, said nothing."}, true},
	{"inflections", "Inferentia was launched in 2018 and focuses on inference.",
		[]string{"Inferentia (launched in 2018) focused on inference."}, true},
	{"invented fact", "Google has agreed to buy Anthropic for a record sum.",
		[]string{"Yes, Amazon has invested heavily in Anthropic, reportedly putting in over $8 billion."}, false},
	{"invented cause", "Nvidia stopped selling GPUs to OpenAI because of regulators in Europe.",
		[]string{"Training large models requires enormous amounts of specialised hardware, and right now, Nvidia dominates that space."}, false},
	{"invented clause", "Amazon is in talks to invest at least $10 billion in OpenAI after regulators in Brussels approved a merger with Anthropic.",
		[]string{"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."}, false},
	{"other figure", "Amazon will invest $20 billion in OpenAI.",
		[]string{"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."}, false},
	{"other scale", "Amazon is in talks to invest at least $10 million in OpenAI.",
		[]string{"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."}, false},
	{"added year", "Microsoft has invested more than $13 billion in OpenAI since 2015.",
		[]string{"Microsoft has invested more than $13 billion in OpenAI since 2019, and that partnership remains strategically vital."}, false},
	{"negated claim", "Microsoft has not invested in OpenAI.",
		[]string{"Microsoft has invested more than $13 billion in OpenAI since 2019, and that partnership remains strategically vital."}, false},
	{"negated passage", "The regulator approved the merger of the two chip makers.",
		[]string{"The regulator did not approve the merger of the two chip makers."}, false},
}

func TestLexicalVerifier(t *testing.T) {
	v := DefaultLexicalVerifier()
	for _, tc := range verifyExamples {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := v.Verify(context.Background(), []Check{{Claim: tc.sentence, Passages: tc.passages}})
			if err != nil {
				t.Fatal(err)
			}
			got := vs[0]
			t.Logf("%s %.3f", got.Support, got.Score)
			if tc.faithful && !DefaultPolicy.keeps(got.Support) {
				t.Errorf("faithful sentence judged %s (score %.3f): the default policy drops it", got.Support, got.Score)
			}
			if !tc.faithful && got.Support == Supported {
				t.Errorf("judged supported (score %.3f)", got.Score)
			}
			if got.Score < 0 || got.Score > 1 {
				t.Errorf("score %v outside [0,1]", got.Score)
			}
			for _, q := range got.Quotes {
				if tc.passages[q.Passage][q.Start:q.End] != q.Text {
					t.Errorf("quote %q is not passage %d at [%d,%d)", q.Text, q.Passage, q.Start, q.End)
				}
			}
			if got.Support != Unsupported && len(got.Quotes) == 0 {
				t.Errorf("judged %s with no quote", got.Support)
			}
		})
	}
}

func TestFigures(t *testing.T) {
	tests := []struct {
		claim, passage string
		found          bool
	}{
		{"$10bn", "10 billion dollars", true},
		{"10 billion", "$10,000,000,000", true},
		{"4.5%", "4.5 percent", true},
		{"three", "3", false}, // spelled-out numbers in claims are words
		{"3 firms", "three firms", true},
		{"10", "$10 billion", true},
		{"10 billion", "10 million", false},
		{"$20 billion", "$10 billion", false},
		{"1,200", "1200", true},
	}
	for _, tc := range tests {
		t.Run(tc.claim+" in "+tc.passage, func(t *testing.T) {
			want := figures(tc.claim, false)
			have := figures(tc.passage, true)
			found := len(want) > 0
			for f := range want {
				found = found && have[f]
			}
			if found != tc.found {
				t.Errorf("found %v, want %v (claim %v, passage %v)", found, tc.found, want, have)
			}
		})
	}
}

func TestPolicyKeeps(t *testing.T) {
	tests := []struct {
		p                       Policy
		supported, part, unsupp bool
	}{
		{PolicyDrop, true, true, false},
		{PolicyFlag, true, true, true},
		{PolicyStrict, true, false, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.p), func(t *testing.T) {
			if tc.p.keeps(Supported) != tc.supported || tc.p.keeps(Partial) != tc.part || tc.p.keeps(Unsupported) != tc.unsupp {
				t.Errorf("keeps supported/partial/unsupported = %v/%v/%v, want %v/%v/%v", tc.p.keeps(Supported), tc.p.keeps(Partial),
					tc.p.keeps(Unsupported), tc.supported, tc.part, tc.unsupp)
			}
		})
	}
	if _, err := ValidatePolicy("lenient", DefaultPolicy); err == nil {
		t.Error("policy lenient accepted")
	}
	if p, err := ValidatePolicy("", PolicyFlag); err != nil || p != PolicyFlag {
		t.Errorf("empty policy gave %q, %v; want the fallback flag", p, err)
	}
}

func TestCommittedModelValid(t *testing.T) {
	if err := DefaultLexicalModel().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestLexicalVerifierEmpty(t *testing.T) {
	vs, err := DefaultLexicalVerifier().Verify(context.Background(), []Check{{Claim: "Amazon invests in OpenAI."}, {Claim: "", Passages: []string{"text"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if v.Support == Supported {
			t.Errorf("check %d: supported with nothing to check", i)
		}
	}
}

// FuzzAnalyzeClaim checks the lexical verifier's invariants on any input:
// it does not panic, its score lies in [0,1], and every quote is the
// passage text at its offsets.
func FuzzAnalyzeClaim(f *testing.F) {
	f.Add("Amazon may invest $10bn in OpenAI.", "Amazon is in talks to invest at least $10 billion in OpenAI. It did not say more.", "4.5% of 1,200 firms")
	f.Add("", "", "")
	f.Add("Not ‘10’ — £3 m…", "n't $ % €", "1.2.3,456,7 bn")
	m := DefaultLexicalModel()
	f.Fuzz(func(t *testing.T, claim, p1, p2 string) {
		a := AnalyzeClaim(claim, []string{p1, p2})
		if len(a.Features) != len(LexicalFeatureNames) {
			t.Fatalf("%d features, want %d", len(a.Features), len(LexicalFeatureNames))
		}
		v := m.Judge(a)
		if !(v.Score >= 0 && v.Score <= 1) {
			t.Fatalf("score %v", v.Score)
		}
		ps := []string{p1, p2}
		for _, q := range a.Quotes {
			if q.Passage < 0 || q.Passage > 1 || q.Start < 0 || q.End > len(ps[q.Passage]) || ps[q.Passage][q.Start:q.End] != q.Text {
				t.Fatalf("quote %+v is not its passage's text", q)
			}
		}
	})
}

// BenchmarkLexicalVerify judges one generated sentence against six
// passages of about 150 tokens, as an answer's sentence is judged.
func BenchmarkLexicalVerify(b *testing.B) {
	p := strings.Repeat("Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue. ", 6)
	c := Check{Claim: "Amazon may invest $10bn in OpenAI, which would use Trainium chips.", Passages: []string{p, p, p, p, p, p}}
	v := DefaultLexicalVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), []Check{c}); err != nil {
			b.Fatal(err)
		}
	}
}
