package rag_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
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
		req  rag.SummarizeRequest
	}{
		{"docs=5", rag.SummarizeRequest{DocIDs: ids, MaxSentences: 6, Mode: rag.ModeExtractive}},
		{"query", rag.SummarizeRequest{Query: "Amazon's investment in OpenAI", MaxSentences: 6, Mode: rag.ModeExtractive}},
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
		req      rag.SummarizeRequest
		conflict bool
	}{
		{"all five", rag.SummarizeRequest{DocIDs: ids, MaxSentences: 6}, true},
		{"investment query", rag.SummarizeRequest{Query: "Amazon's investment in OpenAI", MaxSentences: 6}, true},
		{"one source, several figures", rag.SummarizeRequest{DocIDs: ids[2:3], MaxSentences: 6}, false},
		{"two sources agreeing", rag.SummarizeRequest{DocIDs: []string{ids[0], ids[3]}, MaxSentences: 4}, false},
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
func checkOpeners(t *testing.T, eng *rag.Engine, sum *rag.Summary) {
	t.Helper()
	var prev *rag.Citation
	for _, m := range regexp.MustCompile(`([^\[\]]+?)\s\[(\d+)\](?:\s|$)`).FindAllStringSubmatch(sum.Summary, -1) {
		n, _ := strconv.Atoi(m[2])
		c := sum.Citations[n-1]
		text := strings.TrimSpace(m[1])
		if rag.OpensOnReference(text) {
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
