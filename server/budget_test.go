package server

import (
	"archive/zip"
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// amplifyingDOCX is a small archive whose document.xml inflates to about
// textBytes of text, one sentence per paragraph.
func amplifyingDOCX(t testing.TB, textBytes int) []byte {
	t.Helper()
	const para = `<w:p><w:r><w:t>The harbour master counted the ships again and wrote the figure down.</w:t></w:r></w:p>`
	const sentence = len("The harbour master counted the ships again and wrote the figure down.\n")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`))
	block := []byte(strings.Repeat(para, 1000))
	for n := 0; n < textBytes; n += 1000 * sentence {
		w.Write(block)
	}
	w.Write([]byte(`</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func uploadAs(t testing.TB, h http.Handler, key string, files ...upload) *httpReply {
	t.Helper()
	body, ctype := multipartBody(t, files...)
	hdr := map[string]string{"Content-Type": ctype}
	if key != "" {
		hdr["Authorization"] = "Bearer " + key
	}
	rec := request{"POST", "/v1/documents", body, hdr}.do(t, h)
	return &httpReply{code: rec.Code, body: rec.Body.String(), retryAfter: rec.Header().Get("Retry-After")}
}

type httpReply struct {
	code             int
	body, retryAfter string
}

func documentCount(t testing.TB, h http.Handler) int {
	t.Helper()
	rec := request{"GET", "/v1/documents?limit=10000", "", nil}.do(t, h)
	return strings.Count(rec.Body.String(), `"chunks":`)
}

func TestRequestTextBudget(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestText: 1 << 20})
	h := s.Handler()
	before := documentCount(t, h)
	bomb := amplifyingDOCX(t, 8<<20)
	if len(bomb) > 256<<10 {
		t.Fatalf("the test archive is %d bytes, not small", len(bomb))
	}
	cases := []struct {
		name  string
		files []upload
	}{
		{"one amplifying file", []upload{{"bomb.docx", bomb}}},
		{"small files adding up", []upload{{"a.docx", amplifyingDOCX(t, 600<<10)}, {"b.docx", amplifyingDOCX(t, 600<<10)}}},
		{"a good file and a bomb", []upload{{"good.txt", []byte("The ferry leaves at seven.")}, {"bomb.docx", bomb}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := uploadAs(t, h, "", tc.files...)
			if r.code != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "text_too_large") || !strings.Contains(r.body, "per request") {
				t.Fatalf("status %d, want 413 text_too_large naming the per-request limit: %s", r.code, r.body)
			}
		})
	}
	if n := documentCount(t, h); n != before {
		t.Errorf("refused uploads stored documents: %d before, %d after", before, n)
	}
	if r := uploadAs(t, h, "", upload{"fits.docx", amplifyingDOCX(t, 200<<10)}); r.code != http.StatusCreated {
		t.Errorf("an upload within the budget: %d %s", r.code, r.body)
	}
}

func TestJSONTextBudget(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestText: 100})
	rec := request{"POST", "/v1/documents", `{"documents":[{"id":"long","text":"` + strings.Repeat("Ships sail. ", 20) + `"}]}`, nil}.do(t, s.Handler())
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "text_too_large") {
		t.Errorf("JSON text over the request budget: %d %s", rec.Code, rec.Body)
	}
}

func TestKeyTextBudget(t *testing.T) {
	s := newTestServer(t, Config{WriteKeys: []string{"w1", "w2"}, MaxKeyText: 300 << 10, TextWindow: time.Minute})
	h := s.Handler()
	file := func(name string) upload { return upload{name + ".docx", amplifyingDOCX(t, 200<<10)} }
	if r := uploadAs(t, h, "w1", file("first")); r.code != http.StatusCreated {
		t.Fatalf("first upload: %d %s", r.code, r.body)
	}
	r := uploadAs(t, h, "w1", file("second"))
	if r.code != http.StatusTooManyRequests || !strings.Contains(r.body, "text_budget_exhausted") || r.retryAfter == "" {
		t.Fatalf("second upload over the key's window budget: %d %s (Retry-After %q)", r.code, r.body, r.retryAfter)
	}
	if rec := (request{"GET", "/v1/documents/second", "", map[string]string{"Authorization": "Bearer w1"}}).do(t, h); rec.Code != http.StatusNotFound {
		t.Errorf("a refused upload was stored: %d", rec.Code)
	}
	if r := uploadAs(t, h, "w2", file("other")); r.code != http.StatusCreated {
		t.Errorf("another key has a budget of its own: %d %s", r.code, r.body)
	}
}

func TestKeyTextBudgetWindow(t *testing.T) {
	b := newTextBudget(100, 0, 150, time.Minute)
	now := time.Unix(1000, 0)
	b.now = func() time.Time { return now }
	var key [32]byte
	g, err := b.reserve(key)
	if err != nil || g.bytes != 100 || g.byKey {
		t.Fatalf("first grant %+v, %v", g, err)
	}
	b.settle(g, 40) // 40 used, 60 given back
	g, err = b.reserve(key)
	if err != nil || g.bytes != 100 || g.byKey {
		t.Fatalf("second grant %+v, %v", g, err)
	}
	b.settle(g, 100)
	g, err = b.reserve(key)
	if err != nil || g.bytes != 10 || !g.byKey {
		t.Fatalf("third grant %+v, %v: want the 10 bytes left", g, err)
	}
	b.settle(g, 10)
	if _, err := b.reserve(key); err == nil {
		t.Fatal("a spent budget granted more")
	}
	now = now.Add(time.Minute)
	if g, err := b.reserve(key); err != nil || g.bytes != 100 {
		t.Errorf("after the window: %+v, %v", g, err)
	}
}

func TestRequestChunkBudget(t *testing.T) {
	s := newTestServer(t, Config{MaxRequestChunks: 3})
	text := strings.Repeat("The harbour master counted the ships again and wrote the figure down. ", 60)
	rec := request{"POST", "/v1/documents", `{"documents":[{"id":"many","text":"` + text + `"}]}`, nil}.do(t, s.Handler())
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "too_many_chunks") {
		t.Errorf("a request over the chunk limit: %d %s", rec.Code, rec.Body)
	}
}
