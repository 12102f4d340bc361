package load

import (
	"context"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// TestPDFCitationPages ingests a generated multi-page PDF and checks that
// every citation of every answer names the page its quote was printed on.
func TestPDFCitationPages(t *testing.T) {
	ctx := context.Background()
	docs, err := ParseFile("report.pdf", "report.pdf", makePDF(t, "Acme Report", reportPages))
	if err != nil {
		t.Fatal(err)
	}
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	questions := map[string]int{ // question -> page stating the answer
		"Where was the company founded?":           1,
		"What are the solar packages for?":         2,
		"Where is the finance team based?":         3,
		"Where will the board open a new factory?": 4,
	}
	for q, wantPage := range questions {
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Abstained || len(ans.Citations) == 0 {
			t.Fatalf("%q: no cited answer: %+v", q, ans)
		}
		found := false
		for _, c := range ans.Citations {
			if c.Page < 1 || c.Page > len(reportPages) {
				t.Fatalf("%q: citation %d has page %d", q, c.N, c.Page)
			}
			printed := strings.Join(reportPages[c.Page-1], " ")
			printed = strings.ReplaceAll(printed, "pack- ages", "packages")
			if !strings.Contains(printed, strings.Join(strings.Fields(c.Quote), " ")) {
				t.Errorf("%q: citation %d quote %q is not printed on page %d", q, c.N, c.Quote, c.Page)
			}
			found = found || c.Page == wantPage
		}
		if !found {
			t.Errorf("%q: no citation on page %d: %+v", q, wantPage, ans.Citations)
		}
	}
}
