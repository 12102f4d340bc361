package server

import (
	"time"

	"github.com/gin-gonic/gin"

	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// routeCase is one request against the real router and what it must answer.
type routeCase struct {
	name             string
	method, path     string
	body             string
	header           map[string]string
	wantStatus       int
	wantBodyContains []string
}

func runRouteCases(t *testing.T, h http.Handler, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := request{tc.method, tc.path, tc.body, tc.header}.do(t, h)
			if rec.Code != tc.wantStatus {
				t.Fatalf("%s %s: status %d, want %d; body: %s", tc.method, tc.path, rec.Code, tc.wantStatus, rec.Body)
			}
			for _, want := range tc.wantBodyContains {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("%s %s: body does not contain %q:\n%s", tc.method, tc.path, want, truncate(rec.Body.String(), 2000))
				}
			}
			if rec.Code >= 400 && tc.path != "/metrics" {
				var e errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
					t.Errorf("error reply is not {\"error\":{\"code\",\"message\"}}: %s", rec.Body)
				}
			}
			if rec.Code >= 500 && tc.wantStatus < 500 {
				t.Errorf("a client mistake got %d", rec.Code)
			}
		})
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func TestReadRoutes(t *testing.T) {
	s := newTestServer(t, Config{})
	ask := `{"question":"` + amazonQuestion + `"}`
	cases := []routeCase{
		{name: "healthz", method: "GET", path: "/healthz", wantStatus: 200, wantBodyContains: []string{`"ok"`}},
		{name: "readyz", method: "GET", path: "/readyz", wantStatus: 200, wantBodyContains: []string{`"ready"`}},
		{name: "openapi", method: "GET", path: "/openapi.yaml", wantStatus: 200, wantBodyContains: []string{"openapi: 3", "/v1/ask"}},
		{name: "page", method: "GET", path: "/", wantStatus: 200, wantBodyContains: []string{"<title>ragcite</title>", "/app.js"}},
		{name: "page script", method: "GET", path: "/app.js", wantStatus: 200, wantBodyContains: []string{"TextEncoder", "getReader"}},
		{name: "page style", method: "GET", path: "/style.css", wantStatus: 200, wantBodyContains: []string{"mark"}},
		{name: "metrics", method: "GET", path: "/metrics", wantStatus: 200, wantBodyContains: []string{"ragcite_store_documents 5", "ragcite_store_chunks "}},
		{name: "list documents", method: "GET", path: "/v1/documents", wantStatus: 200, wantBodyContains: []string{`"documents":[`, `"id":"000_bc28017ad2dcc5a8"`, `"chunks":`, `"bytes":`, `"metadata":{}`}},
		{name: "get document", method: "GET", path: "/v1/documents/000_bc28017ad2dcc5a8", wantStatus: 200, wantBodyContains: []string{`"text":"`, "Speculation over Amazon’s interest", `"source":"`, `"metadata":{}`}},
		{name: "get unknown document", method: "GET", path: "/v1/documents/no-such-doc", wantStatus: 404, wantBodyContains: []string{`"code":"not_found"`}},
		{name: "get unknown nested document", method: "GET", path: "/v1/documents/sub/no-such-doc", wantStatus: 404, wantBodyContains: []string{`"not_found"`}},
		{name: "get empty document id", method: "GET", path: "/v1/documents/", wantStatus: 400, wantBodyContains: []string{"document id is empty"}},
		{name: "search", method: "POST", path: "/v1/search", body: `{"query":"Amazon OpenAI investment","top_k":3}`, wantStatus: 200, wantBodyContains: []string{`"results":[`, `"chunk_id":`, `"start":`}},
		{name: "search filtered", method: "POST", path: "/v1/search", body: `{"query":"Amazon","filter":{"doc_ids":["004_8f144d5e482b9c40"]}}`, wantStatus: 200, wantBodyContains: []string{`"doc_id":"004_8f144d5e482b9c40"`}},
		{name: "search empty query", method: "POST", path: "/v1/search", body: `{"query":""}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "search whitespace query", method: "POST", path: "/v1/search", body: `{"query":" \n\t "}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "search negative top_k", method: "POST", path: "/v1/search", body: `{"query":"a","top_k":-1}`, wantStatus: 400, wantBodyContains: []string{`"invalid_argument"`, "top_k"}},
		{name: "search huge top_k", method: "POST", path: "/v1/search", body: `{"query":"a","top_k":101}`, wantStatus: 400, wantBodyContains: []string{"top_k"}},
		{name: "search top_k string", method: "POST", path: "/v1/search", body: `{"query":"a","top_k":"5"}`, wantStatus: 400, wantBodyContains: []string{`"invalid_json"`, `top_k`}},
		{name: "search top_k fraction", method: "POST", path: "/v1/search", body: `{"query":"a","top_k":1.5}`, wantStatus: 400, wantBodyContains: []string{"top_k"}},
		{name: "search top_k overflow", method: "POST", path: "/v1/search", body: `{"query":"a","top_k":1e300}`, wantStatus: 400, wantBodyContains: []string{"top_k"}},
		{name: "search unknown field", method: "POST", path: "/v1/search", body: `{"query":"a","topk":3}`, wantStatus: 400, wantBodyContains: []string{`"unknown_field"`, "topk"}},
		{name: "search unknown filter field", method: "POST", path: "/v1/search", body: `{"query":"a","filter":{"ids":["x"]}}`, wantStatus: 400, wantBodyContains: []string{`"unknown_field"`}},
		{name: "search malformed", method: "POST", path: "/v1/search", body: `{"query":`, wantStatus: 400, wantBodyContains: []string{`"invalid_json"`}},
		{name: "search syntax error", method: "POST", path: "/v1/search", body: `{"query" "a"}`, wantStatus: 400, wantBodyContains: []string{"malformed JSON at byte"}},
		{name: "search trailing data", method: "POST", path: "/v1/search", body: `{"query":"a"} {"query":"b"}`, wantStatus: 400, wantBodyContains: []string{"after the JSON object"}},
		{name: "search array body", method: "POST", path: "/v1/search", body: `["a"]`, wantStatus: 400, wantBodyContains: []string{"JSON object"}},
		{name: "search empty body", method: "POST", path: "/v1/search", header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400, wantBodyContains: []string{"request body is empty"}},
		{name: "search whitespace body", method: "POST", path: "/v1/search", body: "  \n ", wantStatus: 400, wantBodyContains: []string{"request body is empty"}},
		{name: "search invalid UTF-8 body", method: "POST", path: "/v1/search", body: "{\"query\":\"caf\xe9\"}", wantStatus: 400, wantBodyContains: []string{`"invalid_utf8"`}},
		{name: "search text/plain", method: "POST", path: "/v1/search", body: `{"query":"a"}`, header: map[string]string{"Content-Type": "text/plain"}, wantStatus: 415, wantBodyContains: []string{`"unsupported_media_type"`}},
		{name: "search no content type", method: "POST", path: "/v1/search", body: `{"query":"a"}`, header: map[string]string{"Content-Type": ""}, wantStatus: 415},
		{name: "search json with charset", method: "POST", path: "/v1/search", body: `{"query":"Amazon"}`, header: map[string]string{"Content-Type": "application/json; charset=utf-8"}, wantStatus: 200},
		{name: "ask", method: "POST", path: "/v1/ask", body: ask, wantStatus: 200, wantBodyContains: []string{`"answer":"`, `"citations":[{`, `"quote":`, `"abstained":false`, `"conflicts":`, `"unsupported":[]`, `"mode":"extractive"`, `"degraded":false`, `"usage":`, `"timing_ms":`, "[1]"}},
		{name: "ask extractive", method: "POST", path: "/v1/ask", body: `{"question":"What did Amazon consider?","mode":"extractive","top_k":4}`, wantStatus: 200, wantBodyContains: []string{`"mode":"extractive"`}},
		{name: "ask empty question", method: "POST", path: "/v1/ask", body: `{"question":""}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "ask whitespace question", method: "POST", path: "/v1/ask", body: `{"question":"  \n\t  "}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "ask missing question", method: "POST", path: "/v1/ask", body: `{}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "ask null body", method: "POST", path: "/v1/ask", body: `null`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "ask question number", method: "POST", path: "/v1/ask", body: `{"question":42}`, wantStatus: 400, wantBodyContains: []string{`field \"question\"`, "want a string"}},
		{name: "ask bad mode", method: "POST", path: "/v1/ask", body: `{"question":"x","mode":"magic"}`, wantStatus: 400, wantBodyContains: []string{`"invalid_argument"`, "magic"}},
		{name: "ask llm without endpoint", method: "POST", path: "/v1/ask", body: `{"question":"x","mode":"llm"}`, wantStatus: 400, wantBodyContains: []string{`"llm_not_configured"`, "OPENAI_BASE_URL"}},
		{name: "ask bad top_k", method: "POST", path: "/v1/ask", body: `{"question":"x","top_k":0.5}`, wantStatus: 400},
		{name: "ask top_k out of range", method: "POST", path: "/v1/ask", body: `{"question":"x","top_k":1000}`, wantStatus: 400, wantBodyContains: []string{"top_k"}},
		{name: "ask stream not bool", method: "POST", path: "/v1/ask", body: `{"question":"x","stream":"yes"}`, wantStatus: 400, wantBodyContains: []string{"stream"}},
		{name: "ask unknown field", method: "POST", path: "/v1/ask", body: `{"question":"x","temperature":1}`, wantStatus: 400, wantBodyContains: []string{`"unknown_field"`, "temperature"}},
		{name: "ask stream bad question", method: "POST", path: "/v1/ask", body: `{"question":" ","stream":true}`, wantStatus: 400, wantBodyContains: []string{`"empty_question"`}},
		{name: "ask long question", method: "POST", path: "/v1/ask", body: `{"question":"` + strings.Repeat("a ", 3000) + `"}`, wantStatus: 400, wantBodyContains: []string{"4096"}},
		{name: "ask invalid UTF-8 escape", method: "POST", path: "/v1/ask", body: `{"question":"\ud800"}`, wantStatus: 200},
		{name: "summarize documents", method: "POST", path: "/v1/summarize", body: `{"doc_ids":["004_8f144d5e482b9c40"],"max_sentences":3}`, wantStatus: 200, wantBodyContains: []string{`"summary":"`, `"citations":[{`, "[1]"}},
		{name: "summarize query", method: "POST", path: "/v1/summarize", body: `{"query":"Amazon and OpenAI"}`, wantStatus: 200, wantBodyContains: []string{`"summary":"`}},
		{name: "summarize unknown document", method: "POST", path: "/v1/summarize", body: `{"doc_ids":["nope"]}`, wantStatus: 404, wantBodyContains: []string{`"not_found"`}},
		{name: "summarize both", method: "POST", path: "/v1/summarize", body: `{"doc_ids":["a"],"query":"b"}`, wantStatus: 400, wantBodyContains: []string{"not both"}},
		{name: "summarize neither", method: "POST", path: "/v1/summarize", body: `{}`, wantStatus: 400, wantBodyContains: []string{`"invalid_argument"`}},
		{name: "summarize too many sentences", method: "POST", path: "/v1/summarize", body: `{"query":"a","max_sentences":99}`, wantStatus: 400, wantBodyContains: []string{"max_sentences"}},
		{name: "summarize doc_ids not array", method: "POST", path: "/v1/summarize", body: `{"doc_ids":"a"}`, wantStatus: 400, wantBodyContains: []string{"doc_ids"}},
		{name: "summarize llm without endpoint", method: "POST", path: "/v1/summarize", body: `{"query":"a","mode":"llm"}`, wantStatus: 400, wantBodyContains: []string{`"llm_not_configured"`}},
		{name: "unknown route", method: "GET", path: "/v2/ask", wantStatus: 404, wantBodyContains: []string{`"not_found"`}},
		{name: "wrong method", method: "PUT", path: "/v1/ask", body: `{}`, wantStatus: 405, wantBodyContains: []string{`"method_not_allowed"`}},
		{name: "get on post route", method: "GET", path: "/v1/search", wantStatus: 405},
	}
	runRouteCases(t, s.Handler(), cases)
}

func TestWriteRoutes(t *testing.T) {
	good, goodType := multipartBody(t, upload{"notes.md", []byte("# Notes\n\nThe lighthouse keeper logged 42 storms in 1911.\n")})
	pdf, pdfType := multipartBody(t, upload{"paper.pdf", []byte("%PDF-1.4 hello")})
	bin, binType := multipartBody(t, upload{"blob.txt", []byte("abc\x00\x01\x02def")})
	latin1, latin1Type := multipartBody(t, upload{"latin1.txt", []byte("caf\xe9 cr\xe8me")})
	jsonl, jsonlType := multipartBody(t, upload{"batch.jsonl", []byte(`{"id":"sub/one","title":"One","text":"First document text."}` + "\n" + `{"id":"sub/two","text":"Second document text."}` + "\n")})
	badJSONL, badJSONLType := multipartBody(t, upload{"bad.jsonl", []byte(`{"id":"x","text":"ok"}` + "\n" + `{"id":` + "\n")})
	noFiles, noFilesType := multipartBody(t)
	cases := []routeCase{
		{name: "add json", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a1","title":"A","text":"Alpha text about apples.","source":"s","metadata":{"k":"v"}}]}`, wantStatus: 201, wantBodyContains: []string{`"documents":[{"id":"a1","title":"A","chunks":1,"status":"created"}]`}},
		{name: "add json again unchanged", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a1","title":"A","text":"Alpha text about apples.","source":"s","metadata":{"k":"v"}}]}`, wantStatus: 201, wantBodyContains: []string{`"status":"unchanged"`}},
		{name: "add json changed", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a1","title":"A","text":"Alpha text about pears."}]}`, wantStatus: 201, wantBodyContains: []string{`"status":"updated","changed":["source","text","metadata"]`}},
		{name: "add json new source only", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a1","title":"A","text":"Alpha text about pears.","source":"elsewhere"}]}`, wantStatus: 201, wantBodyContains: []string{`"status":"updated","changed":["source"]`}},
		{name: "add json without id", method: "POST", path: "/v1/documents", body: `{"documents":[{"text":"Anonymous text."}]}`, wantStatus: 201, wantBodyContains: []string{`"id":"doc-`, `"status":"created"`}},
		{name: "get added", method: "GET", path: "/v1/documents/a1", wantStatus: 200, wantBodyContains: []string{"Alpha text about pears."}},
		{name: "add json empty list", method: "POST", path: "/v1/documents", body: `{"documents":[]}`, wantStatus: 400, wantBodyContains: []string{"empty"}},
		{name: "add json missing list", method: "POST", path: "/v1/documents", body: `{}`, wantStatus: 400},
		{name: "add json empty text", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"e","text":"  "}]}`, wantStatus: 400, wantBodyContains: []string{"documents[0]", "text is empty"}},
		{name: "add json bad id", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"a#b","text":"x"}]}`, wantStatus: 400, wantBodyContains: []string{"'#'"}},
		{name: "add json duplicate ids", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"d","text":"x"},{"id":"d","text":"y"}]}`, wantStatus: 400, wantBodyContains: []string{"twice"}},
		{name: "add json unknown field", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"d","body":"x"}]}`, wantStatus: 400, wantBodyContains: []string{`"unknown_field"`, "body"}},
		{name: "add json metadata not strings", method: "POST", path: "/v1/documents", body: `{"documents":[{"id":"d","text":"x","metadata":{"n":1}}]}`, wantStatus: 400, wantBodyContains: []string{"metadata"}},
		{name: "add text/plain", method: "POST", path: "/v1/documents", body: "hello", header: map[string]string{"Content-Type": "text/plain"}, wantStatus: 415, wantBodyContains: []string{"multipart/form-data"}},
		{name: "add upload", method: "POST", path: "/v1/documents", body: good, header: map[string]string{"Content-Type": goodType}, wantStatus: 201, wantBodyContains: []string{`"id":"notes"`, `"title":"Notes"`, `"status":"created"`}},
		{name: "get uploaded", method: "GET", path: "/v1/documents/notes", wantStatus: 200, wantBodyContains: []string{"lighthouse keeper", `"source":"notes.md"`}},
		{name: "add upload jsonl with nested ids", method: "POST", path: "/v1/documents", body: jsonl, header: map[string]string{"Content-Type": jsonlType}, wantStatus: 201, wantBodyContains: []string{`"id":"sub/one"`, `"id":"sub/two"`}},
		{name: "get nested id", method: "GET", path: "/v1/documents/sub/one", wantStatus: 200, wantBodyContains: []string{"First document text."}},
		{name: "get nested id escaped", method: "GET", path: "/v1/documents/sub%2Ftwo", wantStatus: 200, wantBodyContains: []string{"Second document text."}},
		{name: "delete nested id", method: "DELETE", path: "/v1/documents/sub/one", wantStatus: 204},
		{name: "get deleted nested id", method: "GET", path: "/v1/documents/sub/one", wantStatus: 404},
		{name: "delete again", method: "DELETE", path: "/v1/documents/sub/one", wantStatus: 404, wantBodyContains: []string{`"not_found"`}},
		{name: "delete empty id", method: "DELETE", path: "/v1/documents/", wantStatus: 400},
		{name: "add upload pdf", method: "POST", path: "/v1/documents", body: pdf, header: map[string]string{"Content-Type": pdfType}, wantStatus: 422, wantBodyContains: []string{`"unsupported_file"`, `paper.pdf`}},
		{name: "add upload binary", method: "POST", path: "/v1/documents", body: bin, header: map[string]string{"Content-Type": binType}, wantStatus: 422, wantBodyContains: []string{`blob.txt`, "binary"}},
		{name: "add upload latin1", method: "POST", path: "/v1/documents", body: latin1, header: map[string]string{"Content-Type": latin1Type}, wantStatus: 422, wantBodyContains: []string{`latin1.txt`, "UTF-8"}},
		{name: "add upload malformed jsonl", method: "POST", path: "/v1/documents", body: badJSONL, header: map[string]string{"Content-Type": badJSONLType}, wantStatus: 422, wantBodyContains: []string{`bad.jsonl`, "line 2"}},
		{name: "add upload no files", method: "POST", path: "/v1/documents", body: noFiles, header: map[string]string{"Content-Type": noFilesType}, wantStatus: 400, wantBodyContains: []string{"no files"}},
		{name: "add upload no boundary", method: "POST", path: "/v1/documents", body: "x", header: map[string]string{"Content-Type": "multipart/form-data"}, wantStatus: 400, wantBodyContains: []string{`"invalid_multipart"`}},
		{name: "add upload truncated", method: "POST", path: "/v1/documents", body: good[:len(good)-20], header: map[string]string{"Content-Type": goodType}, wantStatus: 400, wantBodyContains: []string{`"invalid_multipart"`}},
	}
	s := newTestServer(t, Config{})
	runRouteCases(t, s.Handler(), cases)
}

// TestUploadAllOrNothing: one bad file fails the request and nothing of it
// is ingested, the good files included.
func TestUploadAllOrNothing(t *testing.T) {
	s := newTestServer(t, Config{})
	body, ctype := multipartBody(t,
		upload{"good.txt", []byte("A good file about the harbour.")},
		upload{"bad.txt", []byte("\xff\xfe not UTF-8")},
	)
	rec := request{"POST", "/v1/documents", body, map[string]string{"Content-Type": ctype}}.do(t, s.Handler())
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "bad.txt") {
		t.Fatalf("status %d body %s, want 422 naming bad.txt", rec.Code, rec.Body)
	}
	if rec := (request{"GET", "/v1/documents/good", "", nil}).do(t, s.Handler()); rec.Code != http.StatusNotFound {
		t.Fatalf("good.txt was ingested from a failed upload: %d %s", rec.Code, rec.Body)
	}
}

func TestBodyLimit(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 1024})
	big := `{"question":"` + strings.Repeat("a", 2000) + `"}`
	upload, ctype := multipartBody(t, upload{"big.txt", []byte(strings.Repeat("word ", 1000))})
	runRouteCases(t, s.Handler(), []routeCase{
		{name: "ask over limit", method: "POST", path: "/v1/ask", body: big, wantStatus: 413, wantBodyContains: []string{`"request_too_large"`, "1024"}},
		{name: "upload over limit", method: "POST", path: "/v1/documents", body: upload, header: map[string]string{"Content-Type": ctype}, wantStatus: 413},
		{name: "under limit", method: "POST", path: "/v1/ask", body: `{"question":"Amazon?"}`, wantStatus: 200},
	})
	// A body with no declared length is cut off while reading.
	req := request{"POST", "/v1/ask", big, nil}
	rec := req.do(t, chunked(s.Handler()))
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked body over the limit: %d %s", rec.Code, rec.Body)
	}
}

// chunked hides the request's Content-Length, as a chunked upload would.
func chunked(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ContentLength = -1
		h.ServeHTTP(w, r)
	})
}

func TestRequestID(t *testing.T) {
	s := newTestServer(t, Config{})
	rec := request{"GET", "/healthz", "", map[string]string{"X-Request-ID": "abc-123"}}.do(t, s.Handler())
	if got := rec.Header().Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("echoed request id %q, want abc-123", got)
	}
	rec = request{"GET", "/healthz", "", nil}.do(t, s.Handler())
	if got := rec.Header().Get("X-Request-ID"); len(got) != 24 {
		t.Errorf("generated request id %q, want 24 hex digits", got)
	}
	rec = request{"GET", "/healthz", "", map[string]string{"X-Request-ID": "bad id\twith spaces"}}.do(t, s.Handler())
	if got := rec.Header().Get("X-Request-ID"); got == "bad id\twith spaces" || got == "" {
		t.Errorf("unsafe request id was echoed or none generated: %q", got)
	}
}

func TestReadyz(t *testing.T) {
	s, err := New(Config{Engine: newEngine(t)})
	if err != nil {
		t.Fatal(err)
	}
	runRouteCases(t, s.Handler(), []routeCase{
		{name: "not ready", method: "GET", path: "/readyz", wantStatus: 503, wantBodyContains: []string{`"not_ready"`}},
		{name: "healthy anyway", method: "GET", path: "/healthz", wantStatus: 200},
	})
	s.SetReady(true)
	runRouteCases(t, s.Handler(), []routeCase{{name: "ready", method: "GET", path: "/readyz", wantStatus: 200}})
}

func TestPanicRecovery(t *testing.T) {
	s := newTestServer(t, Config{})
	s.router.GET("/panic", func(*gin.Context) { panic("boom") })
	runRouteCases(t, s.Handler(), []routeCase{
		{name: "panic", method: "GET", path: "/panic", wantStatus: 500, wantBodyContains: []string{`"internal"`}},
		{name: "still up", method: "GET", path: "/healthz", wantStatus: 200},
	})
}

func TestRequestTimeout(t *testing.T) {
	s := newTestServer(t, Config{RequestTimeout: time.Nanosecond})
	runRouteCases(t, s.Handler(), []routeCase{
		{name: "ask times out", method: "POST", path: "/v1/ask", body: `{"question":"Amazon?"}`, wantStatus: 504, wantBodyContains: []string{`"timeout"`}},
	})
}
