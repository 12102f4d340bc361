package rag

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
)

// BenchmarkSummarize times 6-sentence extractive summaries of the five
// sample articles: by their ids, and of the passages for a query.
func BenchmarkSummarize(b *testing.B) {
	ctx := context.Background()
	eng := newTestEngine(b, "", embed.DefaultLocal())
	docs := sampleDocs(b)
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	for _, bc := range []struct {
		name string
		req  SummarizeRequest
	}{
		{"docs=5", SummarizeRequest{DocIDs: ids, MaxSentences: 6, Mode: ModeExtractive}},
		{"query", SummarizeRequest{Query: "Amazon's investment in OpenAI", MaxSentences: 6, Mode: ModeExtractive}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := eng.Summarize(ctx, bc.req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// summarySentenceEnds matches the marker group that ends each summary sentence.
var summarySentenceEnds = regexp.MustCompile(`(?:\[\d+\])+\.?(?:\s|$)`)

func TestSummaryEligible(t *testing.T) {
	for s, want := range map[string]bool{
		"Amazon is reportedly in talks to invest at least $10 billion in OpenAI.":                           true,
		"Why is OpenAI reportedly engaging Amazon for a potential $10B investment and infrastructure deal?": false, // a question
		"Why This OpenAI-Amazon Discussion Is a Big Deal":                                                   false, // a heading
		"Find out how it could reshape cloud AI infrastructure and challenge Microsoft’s lead.":             true,  // alone; its paragraph is a teaser
		"If you’ve been tracking the space closely (as I do almost daily), you’ll know the battle moved.":   false, // an aside
		"Let me be very clear: this is not a breakup story at all.":                                         false,
		"“We are excited about the partnership,” the company said in a statement.":                          true,  // quoted first person
		"This article will explore OpenAI’s reported talks with Amazon over a potential investment.":        false, // about the article
		"Cloud Wars Are Entering Phase Two: This is no longer AWS vs Azure vs Google Cloud.":                false, // a bold lead-in
		"Too short to say much.": false,
	} {
		if got := summaryEligible(s); got != want {
			t.Errorf("summaryEligible(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestOpensOnReference(t *testing.T) {
	for s, want := range map[string]bool{
		"It’s about infrastructure, chips, and long-term compute control.": true,
		"This tension reflects a broader realignment.":                     true,
		"However, the deal is unconfirmed.":                                true,
		"At the same time, Amazon has its own ambitions.":                  true,
		"Yes, Amazon has invested heavily in Anthropic.":                   true,
		"Amazon is in talks with OpenAI.":                                  false,
		"Italy is not part of the deal.":                                   false,
		"Thistles are not either.":                                         false,
	} {
		if got := opensOnReference(s); got != want {
			t.Errorf("opensOnReference(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestStripMarkupKeepsQuoteAtOffsets(t *testing.T) {
	doc := "Intro line.\n  • OpenAI is reportedly in discussions with Amazon for a $10 billion investment.\n"
	sp := SplitSentences(doc)[1]
	x := evidence{chunk: Chunk{DocID: "d", Text: doc, Start: 0, End: len(doc)}, Span: sp, text: doc[sp.Start:sp.End]}
	got := stripMarkup(x)
	if strings.HasPrefix(got.text, "•") || doc[got.Start:got.End] != got.text {
		t.Errorf("stripped %q at [%d,%d): document has %q", got.text, got.Start, got.End, doc[got.Start:got.End])
	}
	plain := evidence{Span: Span{0, 11}, text: "Intro line."}
	if stripMarkup(plain) != plain {
		t.Error("a sentence without markup changed")
	}
}

// TestSummarizeSampleArticles checks what a reader sees in summaries of
// the sample articles: the investment disagreement stated once with both
// sides cited when several sources differ, none from one source, no
// bullets, and a sentence opening on a reference only right after the
// sentence it refers to.
func TestSummarizeSampleArticles(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	docs := sampleDocs(t)
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	tests := []struct {
		name     string
		req      SummarizeRequest
		conflict bool
	}{
		{"all five", SummarizeRequest{DocIDs: ids, MaxSentences: 6}, true},
		{"investment query", SummarizeRequest{Query: "Amazon's investment in OpenAI", MaxSentences: 6}, true},
		{"one source, several figures", SummarizeRequest{DocIDs: ids[2:3], MaxSentences: 6}, false},
		{"two sources agreeing", SummarizeRequest{DocIDs: []string{ids[0], ids[3]}, MaxSentences: 4}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := eng.Summarize(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			checkCitations(t, eng, sum.Summary, sum.Citations)
			if n := len(summarySentenceEnds.FindAllString(sum.Summary, -1)); n > tc.req.MaxSentences {
				t.Errorf("%d sentences, want at most %d: %s", n, tc.req.MaxSentences, sum.Summary)
			}
			if got := len(sum.Conflicts) > 0; got != tc.conflict {
				t.Fatalf("conflicts %+v, want conflict %v: %s", sum.Conflicts, tc.conflict, sum.Summary)
			}
			if tc.conflict {
				cf := sum.Conflicts[0]
				values := map[string]bool{}
				for _, cl := range cf.Claims {
					values[cl.Value] = len(cl.Citations) > 0
				}
				if !values["$10 billion"] || !values["$50 billion"] || strings.Count(sum.Summary, "Sources disagree") != 1 {
					t.Errorf("conflict %+v in %s", cf, sum.Summary)
				}
			}
			if strings.ContainsAny(sum.Summary, "•") {
				t.Errorf("bullet left in: %s", sum.Summary)
			}
			checkOpeners(t, eng, sum)
		})
	}
}

// checkOpeners fails when a sentence opening on a reference does not come
// right after the sentence before it in its document.
func checkOpeners(t *testing.T, eng *Engine, sum *Summary) {
	t.Helper()
	var prev *Citation
	for _, m := range regexp.MustCompile(`([^\[\]]+?)\s\[(\d+)\](?:\s|$)`).FindAllStringSubmatch(sum.Summary, -1) {
		n, _ := strconv.Atoi(m[2])
		c := sum.Citations[n-1]
		text := strings.TrimSpace(m[1])
		if opensOnReference(text) {
			doc, err := eng.Document(context.Background(), c.DocID)
			if err != nil {
				t.Fatal(err)
			}
			if prev == nil || prev.DocID != c.DocID || prev.End > c.Start || strings.TrimSpace(doc.Text[prev.End:c.Start]) != "" {
				t.Errorf("%q opens on a reference without its antecedent", text)
			}
		}
		prev = &c
	}
}

func TestSelectSentencesKeepsDependentsWithTheirAntecedent(t *testing.T) {
	v := func(t string) map[string]float64 { return map[string]float64{t: 1} }
	cs := []candidate{
		{evidence: evidence{score: 0.2}, vec: v("a"), pred: -1},
		{evidence: evidence{score: 0.9}, vec: v("b"), pred: 0, needs: true}, // "It ...": needs 0
		{evidence: evidence{score: 0.5}, vec: v("c"), pred: -1},
		{evidence: evidence{score: 0.8}, vec: v("d"), pred: -1, extra: true}, // conflict evidence only
	}
	w := summaryWeights{redundancy: 0.5}
	if got := selectSentences(cs, 1, w, -1, nil); !slices.Equal(got, []int{2}) {
		t.Errorf("one sentence: %v, want [2] (1 needs 0; 3 is extra)", got)
	}
	if got := selectSentences(cs, 3, w, -1, nil); !slices.Equal(got, []int{2, 0, 1}) {
		t.Errorf("three sentences: %v, want [2 0 1]", got)
	}
	if got := selectSentences(cs, 2, w, 0, nil); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("seeded: %v, want [0 1]", got)
	}
	// A sentence the summary states otherwise counts against its repeats.
	dup := append(cs[:3:3], candidate{evidence: evidence{score: 0.45}, vec: v("c"), pred: -1})
	if got := selectSentences(dup, 1, summaryWeights{redundancy: 1}, -1, []int{2}); !slices.Equal(got, []int{0}) {
		t.Errorf("with 2 stated: %v, want [0]", got)
	}
}
