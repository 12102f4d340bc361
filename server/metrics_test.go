package server

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestMetrics(t *testing.T) {
	s := newTestServer(t, Config{})
	h := s.Handler()
	for _, r := range []request{
		{"POST", "/v1/ask", `{"question":"` + amazonQuestion + `"}`, nil},
		{"POST", "/v1/ask", `{"question":"` + amazonQuestion + `","stream":true}`, nil},
		{"POST", "/v1/ask", `{"question":"zyzzyva quokka xylophone"}`, nil},
		{"POST", "/v1/ask", `{"question":""}`, nil},
		{"POST", "/v1/summarize", `{"query":"Amazon"}`, nil},
		{"POST", "/v1/documents", `{"documents":[{"id":"m1","text":"Metrics text one."},{"id":"m2","text":"Metrics text two."}]}`, nil},
		{"POST", "/v1/documents", `{"documents":[{"id":"m1","text":"Metrics text one."}]}`, nil},
		{"GET", "/v1/documents/nope", "", nil},
		{"GET", "/nowhere", "", nil},
	} {
		r.do(t, h)
	}
	if ans := (request{"POST", "/v1/ask", `{"question":"zyzzyva quokka xylophone"}`, nil}).do(t, h); !strings.Contains(ans.Body.String(), `"abstained":true`) {
		t.Fatalf("a question the articles do not cover did not abstain: %s", ans.Body)
	}
	body := request{"GET", "/metrics", "", nil}.do(t, h).Body.String()
	want := []string{
		`ragcite_http_requests_total{method="POST",route="/v1/ask",status="200"} 4`,
		`ragcite_http_requests_total{method="POST",route="/v1/ask",status="400"} 1`,
		`ragcite_http_requests_total{method="GET",route="/v1/documents/*id",status="404"} 1`,
		`ragcite_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`ragcite_http_request_duration_seconds_bucket{method="POST",route="/v1/ask",status="200",le="+Inf"} 4`,
		`ragcite_ingest_documents_total{status="created"} 2`,
		`ragcite_ingest_documents_total{status="unchanged"} 1`,
		`ragcite_ingest_chunks_total 3`,
		`ragcite_answers_total{kind="ask",mode="extractive"} 4`,
		`ragcite_answers_total{kind="summarize",mode="extractive"} 1`,
		fmt.Sprintf("ragcite_store_documents %d", len(sampleArticles(t))+2),
		"ragcite_store_chunks ",
		`ragcite_answers_abstained_total{mode="extractive"} 2`,
		"go_goroutines ",
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("metrics lack %q", w)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

// TestConcurrentIngestAndAsk runs uploads, asks, searches and deletes at once
// (meant for -race): every request succeeds and the store ends consistent.
func TestConcurrentIngestAndAsk(t *testing.T) {
	s := newTestServer(t, Config{})
	h := s.Handler()
	const writers, readers, rounds = 4, 4, 6
	var wg sync.WaitGroup
	errs := make(chan string, (writers+readers)*rounds*2)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				id := fmt.Sprintf("w%d-%d", w, i)
				body := fmt.Sprintf(`{"documents":[{"id":%q,"title":"T","text":"Writer %d wrote note %d about the harbour and the ships."}]}`, id, w, i)
				if rec := (request{"POST", "/v1/documents", body, nil}).do(t, h); rec.Code != 201 {
					errs <- fmt.Sprintf("ingest %s: %d %s", id, rec.Code, rec.Body)
				}
				if i%2 == 1 {
					if rec := (request{"DELETE", "/v1/documents/" + id, "", nil}).do(t, h); rec.Code != 204 {
						errs <- fmt.Sprintf("delete %s: %d %s", id, rec.Code, rec.Body)
					}
				}
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				for _, r := range []request{
					{"POST", "/v1/ask", `{"question":"` + amazonQuestion + `"}`, nil},
					{"POST", "/v1/ask", `{"question":"What did the writer note about ships?","stream":true}`, nil},
					{"POST", "/v1/search", `{"query":"harbour ships"}`, nil},
					{"GET", "/v1/documents", "", nil},
					{"GET", "/metrics", "", nil},
				} {
					if rec := r.do(t, h); rec.Code != 200 {
						errs <- fmt.Sprintf("%s %s: %d %s", r.method, r.path, rec.Code, rec.Body)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	docs, err := s.eng.Documents(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := len(sampleArticles(t)) + writers*rounds/2; len(docs) != want {
		t.Errorf("%d documents after the run, want %d", len(docs), want)
	}
}
