package server

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"
)

// twoPagePDF is a PDF whose pages state different facts.
func twoPagePDF(t testing.TB) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetFont("Helvetica", "", 11)
	for _, line := range []string{
		"The lighthouse keeper logged forty storms during the winter of 1911.",
		"The new breakwater was finished in 1987 after six years of work.",
	} {
		f.AddPage()
		f.Text(20, 30, line)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tinyDOCX is a .docx with one paragraph and one table row.
func tinyDOCX(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>The ferry to the island leaves at seven every morning.</w:t></w:r></w:p>` +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Ferry</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>07:00</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		`</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type askReply struct {
	Citations []struct {
		DocID  string `json:"doc_id"`
		Source string `json:"source"`
		Quote  string `json:"quote"`
		Page   int    `json:"page"`
	} `json:"citations"`
}

func askFor(t *testing.T, h http.Handler, question string) askReply {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"question": question, "mode": "extractive"})
	rec := request{"POST", "/v1/ask", string(body), nil}.do(t, h)
	if rec.Code != http.StatusOK {
		t.Fatalf("ask: %d %s", rec.Code, rec.Body)
	}
	var r askReply
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Citations) == 0 {
		t.Fatalf("ask %q: no citations: %s", question, rec.Body)
	}
	return r
}

func TestUploadPDFAndDOCX(t *testing.T) {
	s := newTestServer(t, Config{})
	h := s.Handler()
	body, ctype := multipartBody(t, upload{"harbour.pdf", twoPagePDF(t)}, upload{"ferry.docx", tinyDOCX(t)})
	rec := request{"POST", "/v1/documents", body, map[string]string{"Content-Type": ctype}}.do(t, h)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"id":"harbour"`) || !strings.Contains(rec.Body.String(), `"id":"ferry"`) {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	r := askFor(t, h, "When was the new breakwater finished?")
	c := r.Citations[0]
	if c.DocID != "harbour" || c.Page != 2 || !strings.Contains(c.Quote, "breakwater") {
		t.Errorf("citation = %+v, want harbour page 2", c)
	}
	r = askFor(t, h, "When does the ferry to the island leave?")
	if c := r.Citations[0]; c.DocID != "ferry" || c.Page != 0 {
		t.Errorf("citation = %+v, want ferry without a page", c)
	}

	scan := multipartBodyNoText(t)
	rec = request{"POST", "/v1/documents", scan.body, map[string]string{"Content-Type": scan.ctype}}.do(t, h)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "no text layer") {
		t.Errorf("scanned pdf: %d %s", rec.Code, rec.Body)
	}
}

type builtBody struct{ body, ctype string }

// multipartBodyNoText uploads a PDF whose only page has no text.
func multipartBodyNoText(t *testing.T) builtBody {
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.Rect(10, 10, 100, 50, "F")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	b, ct := multipartBody(t, upload{"scan.pdf", buf.Bytes()})
	return builtBody{b, ct}
}

func TestIngestURL(t *testing.T) {
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tides" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><title>Tides</title></head><body><nav>Home | Shop</nav><article>
<p>The spring tide at Saint-Malo reached 13.5 metres on 21 March, one of the largest ranges in Europe.</p>
<p>Harbour officials close the causeway two hours before each high tide, every day of the year.</p></article></body></html>`))
	}))
	defer page.Close()

	open := newTestServer(t, Config{AllowPrivateURLs: true}).Handler()
	body := `{"documents":[{"url":"` + page.URL + `/tides","metadata":{"lang":"en"}}]}`
	rec := request{"POST", "/v1/documents", body, nil}.do(t, open)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"title":"Tides"`) {
		t.Fatalf("ingest url: %d %s", rec.Code, rec.Body)
	}
	r := askFor(t, open, "How high did the spring tide at Saint-Malo reach?")
	if c := r.Citations[0]; c.Source != page.URL+"/tides" {
		t.Errorf("citation source = %q, want the URL", c.Source)
	}

	strict := newTestServer(t, Config{}).Handler()
	runRouteCases(t, strict, []routeCase{
		{name: "loopback refused", method: "POST", path: "/v1/documents", body: `{"documents":[{"url":"` + page.URL + `/tides"}]}`,
			wantStatus: 400, wantBodyContains: []string{`"url_not_allowed"`, "not a public address"}},
		{name: "file scheme refused", method: "POST", path: "/v1/documents", body: `{"documents":[{"url":"file:///etc/passwd"}]}`,
			wantStatus: 400, wantBodyContains: []string{`"url_not_allowed"`, "scheme"}},
		{name: "metadata address refused", method: "POST", path: "/v1/documents", body: `{"documents":[{"url":"http://169.254.169.254/latest/"}]}`,
			wantStatus: 400, wantBodyContains: []string{`"url_not_allowed"`}},
	})
	runRouteCases(t, open, []routeCase{
		{name: "url and text", method: "POST", path: "/v1/documents", body: `{"documents":[{"url":"` + page.URL + `/tides","text":"x"}]}`,
			wantStatus: 400, wantBodyContains: []string{`not both`}},
		{name: "missing page", method: "POST", path: "/v1/documents", body: `{"documents":[{"url":"` + page.URL + `/gone"}]}`,
			wantStatus: 422, wantBodyContains: []string{`"fetch_failed"`, "404"}},
	})
}
