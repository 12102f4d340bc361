package rag_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/load"
)

// sampleDocs loads the sample articles shipped in testdata.
func sampleDocs(t testing.TB) []rag.Document {
	t.Helper()
	docs, warns, err := load.Paths([]string{"../testdata/articles"})
	if err != nil || len(warns) > 0 || len(docs) != 5 {
		t.Fatalf("load sample articles: %d docs, %v, %v", len(docs), warns, err)
	}
	return docs
}

// newTestEngine opens an engine over a store in dir ("" = memory).
func newTestEngine(t testing.TB, dir string, e embed.Embedder) *rag.Engine {
	t.Helper()
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: e})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// markerRE matches the [n] markers the engine writes.
var markerRE = regexp.MustCompile(`\[(\d+)\]`)

// checkCitations asserts the citation invariant against the stored documents.
func checkCitations(t *testing.T, eng *rag.Engine, text string, cites []rag.Citation) {
	t.Helper()
	ctx := context.Background()
	for i, c := range cites {
		if c.N != i+1 {
			t.Errorf("citation %d numbered %d", i+1, c.N)
		}
		doc, err := eng.Document(ctx, c.DocID)
		if err != nil {
			t.Fatalf("citation %d: %v", c.N, err)
		}
		if c.Start < 0 || c.End > len(doc.Text) || doc.Text[c.Start:c.End] != c.Quote {
			t.Errorf("citation %d quote is not the text at [%d,%d)", c.N, c.Start, c.End)
		}
		if !strings.HasPrefix(c.ChunkID, c.DocID+"#") {
			t.Errorf("citation %d chunk %q not of doc %q", c.N, c.ChunkID, c.DocID)
		}
	}
	var markers []int
	for _, m := range markerRE.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		markers = append(markers, n)
	}
	used := map[int]bool{}
	for _, n := range markers {
		if n < 1 || n > len(cites) {
			t.Errorf("marker [%d] has no citation", n)
		}
		used[n] = true
	}
	for _, c := range cites {
		if !used[c.N] {
			t.Errorf("citation %d is never referred to", c.N)
		}
	}
}

func TestIngestIdempotentUpdateDelete(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	eng := newTestEngine(t, dir, embed.DefaultLocal())
	docs := sampleDocs(t)

	res, err := eng.Ingest(ctx, docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != rag.StatusCreated || r.Chunks == 0 {
			t.Fatalf("first ingest: %+v", r)
		}
	}
	res, err = eng.Ingest(ctx, docs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Status != rag.StatusUnchanged {
			t.Fatalf("re-ingest: %+v, want unchanged", r)
		}
	}

	// A changed document replaces its chunks: the old text is gone.
	changed := docs[0]
	changed.Text = "Zebras graze quietly in the savanna near the river. They move in herds."
	res, err = eng.Ingest(ctx, []rag.Document{changed}, nil)
	if err != nil || res[0].Status != rag.StatusUpdated || res[0].Chunks != 1 || !slices.Equal(res[0].Changed, []string{"text"}) {
		t.Fatalf("update: %+v %v", res, err)
	}
	// The same text under another source is an update that says so.
	moved := changed
	moved.Source = "elsewhere/zebras.txt"
	res, err = eng.Ingest(ctx, []rag.Document{moved}, nil)
	if err != nil || res[0].Status != rag.StatusUpdated || !slices.Equal(res[0].Changed, []string{"source"}) {
		t.Fatalf("source change: %+v %v", res, err)
	}
	hits, err := eng.Search(ctx, rag.SearchRequest{Query: "zebras savanna", TopK: 3})
	if err != nil || len(hits) == 0 || hits[0].DocID != changed.ID {
		t.Fatalf("search after update: %+v %v", hits, err)
	}
	chunks, _ := eng.Store().Chunks(ctx, changed.ID)
	if len(chunks) != 1 {
		t.Fatalf("%d chunks after update, want 1", len(chunks))
	}

	// Reopen: everything survives; delete removes every trace, on disk too.
	eng.Close()
	eng = newTestEngine(t, dir, embed.DefaultLocal())
	infos, _ := eng.Documents(ctx)
	if len(infos) != 5 {
		t.Fatalf("after reopen: %d documents", len(infos))
	}
	if err := eng.Delete(ctx, changed.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Delete(ctx, changed.ID); !errors.Is(err, rag.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	assertGone := func(eng *rag.Engine) {
		t.Helper()
		if _, err := eng.Document(ctx, changed.ID); !errors.Is(err, rag.ErrNotFound) {
			t.Errorf("document after delete: %v", err)
		}
		hits, _ := eng.Search(ctx, rag.SearchRequest{Query: "zebras savanna herds", TopK: 10})
		for _, h := range hits {
			if h.DocID == changed.ID {
				t.Errorf("deleted document still retrieved: %+v", h)
			}
		}
	}
	assertGone(eng)
	eng.Close()
	eng = newTestEngine(t, dir, embed.DefaultLocal())
	assertGone(eng)
	if infos, _ := eng.Documents(ctx); len(infos) != 4 {
		t.Errorf("%d documents in the reopened store after delete, want 4", len(infos))
	}
}

func TestIngestRejectsBadBatchWithoutWriting(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	good := rag.Document{ID: "good", Title: "Good", Text: "A fine sentence."}
	tests := []struct {
		name string
		bad  rag.Document
	}{
		{"empty id", rag.Document{ID: " ", Text: "x"}},
		{"empty text", rag.Document{ID: "a", Text: "  \n"}},
		{"invalid utf-8", rag.Document{ID: "a", Text: "bad \xff byte"}},
		{"hash in id", rag.Document{ID: "a#1", Text: "x"}},
		{"duplicate id", good},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := eng.Ingest(ctx, []rag.Document{good, tc.bad}, nil)
			if !errors.Is(err, rag.ErrInvalidArgument) {
				t.Fatalf("err = %v, want ErrInvalidArgument", err)
			}
			if infos, _ := eng.Documents(ctx); len(infos) != 0 {
				t.Fatalf("batch half-ingested: %+v", infos)
			}
		})
	}
}

// otherEmbedder is the local embedder under another name.
type otherEmbedder struct{ *embed.Local }

func (otherEmbedder) Name() string { return "other-model" }

func TestEmbedderMismatch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	eng := newTestEngine(t, dir, embed.DefaultLocal())
	if _, err := eng.Ingest(ctx, sampleDocs(t)[:1], nil); err != nil {
		t.Fatal(err)
	}
	eng.Close()
	st, err := chromemstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = rag.NewEngine(ctx, rag.Config{Store: st, Embedder: otherEmbedder{embed.DefaultLocal()}})
	if !errors.Is(err, rag.ErrEmbedderMismatch) {
		t.Fatalf("err = %v, want ErrEmbedderMismatch", err)
	}
	var mm *rag.EmbedderMismatchError
	if !errors.As(err, &mm) || mm.Stored != embed.DefaultLocal().Name() || mm.Want != "other-model" {
		t.Errorf("err = %#v, want an EmbedderMismatchError naming both embedders", err)
	}
	for _, want := range []string{embed.DefaultLocal().Name(), "other-model"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}

func TestAskExtractive(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	if _, err := eng.Ingest(ctx, sampleDocs(t), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		question     string
		wantAbstain  bool
		wantContains string
		wantConflict bool
	}{
		{"investment", "How much is Amazon reportedly considering investing in OpenAI?", false, "$10 billion", true},
		{"chips", "Which Amazon AI chips would OpenAI use?", false, "Trainium", false},
		{"not covered", "What is the boiling point of liquid nitrogen?", true, "", false},
		{"not covered recipe", "How do I bake sourdough bread at home?", true, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var streamed strings.Builder
			ans, err := eng.AskStream(ctx, rag.AskRequest{Question: tc.question}, func(s string) error {
				streamed.WriteString(s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if streamed.String() != ans.Answer {
				t.Errorf("streamed %q, answer %q", streamed.String(), ans.Answer)
			}
			if ans.Abstained != tc.wantAbstain {
				t.Fatalf("abstained = %v, want %v: %s", ans.Abstained, tc.wantAbstain, ans.Answer)
			}
			if ans.Abstained && len(ans.Citations) != 0 {
				t.Errorf("abstention with citations: %+v", ans.Citations)
			}
			if !strings.Contains(ans.Answer, tc.wantContains) {
				t.Errorf("answer %q does not contain %q", ans.Answer, tc.wantContains)
			}
			if got := len(ans.Conflicts) > 0; got != tc.wantConflict {
				t.Errorf("conflicts = %+v, want conflict %v", ans.Conflicts, tc.wantConflict)
			}
			checkCitations(t, eng, ans.Answer, ans.Citations)
		})
	}
}

func TestAskConflictListsClaims(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	if _, err := eng.Ingest(ctx, sampleDocs(t), nil); err != nil {
		t.Fatal(err)
	}
	ans, err := eng.Ask(ctx, rag.AskRequest{Question: "How much is Amazon reportedly considering investing in OpenAI?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Conflicts) != 1 {
		t.Fatalf("conflicts = %+v in %q", ans.Conflicts, ans.Answer)
	}
	values := map[string][]int{}
	for _, c := range ans.Conflicts[0].Claims {
		values[c.Value] = c.Citations
		for _, n := range c.Citations {
			states := false
			if n >= 1 && n <= len(ans.Citations) {
				for _, v := range rag.FigureValues(ans.Citations[n-1].Quote) {
					states = states || v == c.Value
				}
			}
			if !states {
				t.Errorf("claim %q cites [%d], which does not state it", c.Value, n)
			}
		}
	}
	if len(values["$10 billion"]) == 0 || len(values["$50 billion"]) == 0 {
		t.Errorf("claims %v, want $10 billion and $50 billion", values)
	}
	if !strings.Contains(ans.Answer, "disagree") {
		t.Errorf("answer does not say the sources disagree: %q", ans.Answer)
	}
}

func TestAskValidates(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	tests := []struct {
		name string
		req  rag.AskRequest
		want error
	}{
		{"empty", rag.AskRequest{Question: ""}, rag.ErrEmptyQuestion},
		{"whitespace", rag.AskRequest{Question: " \t\n"}, rag.ErrEmptyQuestion},
		{"bad utf-8", rag.AskRequest{Question: "\xff?"}, rag.ErrInvalidArgument},
		{"top_k", rag.AskRequest{Question: "x", TopK: -1}, rag.ErrInvalidArgument},
		{"top_k big", rag.AskRequest{Question: "x", TopK: 1000}, rag.ErrInvalidArgument},
		{"mode", rag.AskRequest{Question: "x", Mode: "poetry"}, rag.ErrInvalidArgument},
		{"llm offline", rag.AskRequest{Question: "x", Mode: rag.ModeLLM}, rag.ErrLLMUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := eng.Ask(ctx, tc.req); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	// An empty store abstains rather than failing.
	ans, err := eng.Ask(ctx, rag.AskRequest{Question: "Anything?"})
	if err != nil || !ans.Abstained {
		t.Fatalf("empty store: %+v %v", ans, err)
	}
}

func TestSummarize(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	docs := sampleDocs(t)
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  rag.SummarizeRequest
		docs []string // every citation from these
	}{
		{"one doc", rag.SummarizeRequest{DocIDs: []string{docs[3].ID}, MaxSentences: 3}, []string{docs[3].ID}},
		{"two docs", rag.SummarizeRequest{DocIDs: []string{docs[0].ID, docs[4].ID}, MaxSentences: 4}, []string{docs[0].ID, docs[4].ID}},
		{"query", rag.SummarizeRequest{Query: "Trainium chips and AWS", MaxSentences: 3}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sum, err := eng.Summarize(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(summarySentenceEnds.FindAllString(sum.Summary, -1)); len(sum.Citations) == 0 || n > tc.req.MaxSentences {
				t.Fatalf("%d sentences for max %d: %q", n, tc.req.MaxSentences, sum.Summary)
			}
			checkCitations(t, eng, sum.Summary, sum.Citations)
			for _, c := range sum.Citations {
				if tc.docs != nil && !contains(tc.docs, c.DocID) {
					t.Errorf("citation from %s, want one of %v", c.DocID, tc.docs)
				}
			}
		})
	}
	for _, bad := range []rag.SummarizeRequest{{}, {DocIDs: []string{"a"}, Query: "b"}, {Query: "x", MaxSentences: -1}} {
		if _, err := eng.Summarize(ctx, bad); !errors.Is(err, rag.ErrInvalidArgument) {
			t.Errorf("Summarize(%+v) = %v, want ErrInvalidArgument", bad, err)
		}
	}
	if _, err := eng.Summarize(ctx, rag.SummarizeRequest{DocIDs: []string{"nope"}}); !errors.Is(err, rag.ErrNotFound) {
		t.Errorf("unknown doc: %v, want ErrNotFound", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestFindFigures(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"invest at least $10 billion in OpenAI", []string{"$10 billion"}},
		{"a $10B investment and a $10bn deal", []string{"$10 billion", "$10 billion"}},
		{"US$ 6.6 billion and 50 billion dollars", []string{"$6.6 billion", "$50 billion"}},
		{"rose 12% to 1,500 million", []string{"12%", "1500 million"}},
		{"no figures here, only 2019", nil},
	}
	for _, tc := range tests {
		got := rag.FigureValues(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("findFigures(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestAskDuringIngestAndDelete asks while a document is replaced and
// deleted: a passage that vanished between retrieval and citation is
// skipped, never an error and never a quote of text that is gone.
func TestAskDuringIngestAndDelete(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	if _, err := eng.Ingest(ctx, sampleDocs(t), nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 60 {
			d := rag.Document{ID: "churn", Title: "Churn", Text: strings.Repeat(fmt.Sprintf("Amazon may invest %d billion dollars in OpenAI. ", i), 3)}
			if _, err := eng.Ingest(ctx, []rag.Document{d}, nil); err != nil {
				t.Error(err)
				return
			}
			if i%3 == 0 {
				if err := eng.Delete(ctx, "churn"); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()
	for {
		select {
		case <-done:
			return
		default:
		}
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: "How much may Amazon invest in OpenAI?"})
		if err != nil {
			t.Fatalf("ask during churn: %v", err)
		}
		for _, c := range ans.Citations {
			if c.DocID == "churn" && !strings.Contains(c.Quote, "Amazon may invest") {
				t.Fatalf("stale quote %q", c.Quote)
			}
		}
	}
}

func TestAskListsTeasersAndNeighbours(t *testing.T) {
	ctx := context.Background()
	eng := newTestEngine(t, "", embed.DefaultLocal())
	docs := []rag.Document{
		{ID: "lists", Text: "Northwind signed long-term supply commitments worth $2 billion, involving:\n- Contoso Metals\n- Fabrikam Steel\n- Tailspin Alloys\nThe commitments run until 2030.\n"},
		{ID: "teaser", Text: "Find out how Northwind could reshape the steel supply market. Northwind buys its steel from Contoso Metals under a ten-year contract.\n"},
		{ID: "neighbour", Text: "In March, the board changed course. After a review, Northwind ended Tailspin's exclusive supply rights for good.\n"},
	}
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		question string
		want     string
		not      string
	}{
		{"Which suppliers are part of Northwind's supply commitments?", "Contoso Metals, Fabrikam Steel, Tailspin Alloys", "\n-"},
		{"How could Northwind reshape the steel supply market?", "ten-year contract", "Find out"},
		// The best sentence gives no month; the one before it does.
		{"In which month did Northwind end Tailspin's exclusive supply rights?", "In March", ""},
	}
	for _, tc := range tests {
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: tc.question, MinConfidence: new(float64)})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ans.Answer, tc.want) || (tc.not != "" && strings.Contains(ans.Answer, tc.not)) {
			t.Errorf("%s: answer %q, want %q and not %q", tc.question, ans.Answer, tc.want, tc.not)
		}
		checkCitations(t, eng, ans.Answer, ans.Citations)
	}
}

// TestContentHashIsStable: stored hashes decide what a re-ingest rewrites,
// so the hash of a document must never change; the reference is the
// formatting it was first defined with.
func TestContentHashIsStable(t *testing.T) {
	ref := func(d rag.Document) string {
		h := sha256.New()
		for _, s := range []string{d.Title, d.Source, d.Text} {
			fmt.Fprintf(h, "%d:%s", len(s), s)
		}
		for _, k := range slices.Sorted(maps.Keys(d.Metadata)) {
			fmt.Fprintf(h, "%d:%s", len(k), k)
			fmt.Fprintf(h, "%d:%s", len(d.Metadata[k]), d.Metadata[k])
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	for _, d := range []rag.Document{
		{},
		{Title: "T", Source: "s.md", Text: "short text"},
		{Text: strings.Repeat("long text ", 20000), Metadata: map[string]string{"b": "2", "a": "1", "": ""}},
		{Text: strings.Repeat("x", 32<<10)},
		{Text: strings.Repeat("é", 40000), Title: "ü"},
	} {
		if got, want := rag.ContentHash(d), ref(d); got != want {
			t.Fatalf("ContentHash of a %d-byte text = %s, want %s", len(d.Text), got, want)
		}
	}
}
