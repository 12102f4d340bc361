package server

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ragcite/ragcite/rag"
)

// TestBrowserDropPDF: a PDF dropped on the documents section is uploaded,
// stored with its pages, and listed.
func TestBrowserDropPDF(t *testing.T) {
	ctx := newBrowser(t)
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	do(t, ctx, chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#doc-list")))
	drop := fmt.Sprintf(`(() => {
		const bytes = Uint8Array.from(atob(%q), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "harbour.pdf", { type: "application/pdf" }));
		document.querySelector(".docs").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
	})()`, base64.StdEncoding.EncodeToString(twoPagePDF(t)))
	do(t, ctx, chromedp.Evaluate[chromedp.Void](drop))
	waitFor(t, ctx, "the upload", `document.getElementById("upload-status").textContent === "harbour: created"`)
	waitFor(t, ctx, "the new document listed", `[...document.querySelectorAll("#doc-list li input")].some(i => i.value === "harbour")`)
	d, err := s.eng.Document(context.Background(), "harbour")
	if err != nil {
		t.Fatalf("dropped document not stored: %v", err)
	}
	if d.Metadata[rag.MetaPages] != "2" {
		t.Errorf("pages = %q, want 2", d.Metadata[rag.MetaPages])
	}
}
