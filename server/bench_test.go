package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// BenchmarkAsk compares one extractive answer through the router (all
// middleware, JSON in and out, no network) with the engine call alone, over
// the sample articles; the difference is the server's cost per request.
func BenchmarkAsk(b *testing.B) {
	s := newTestServer(b, Config{})
	body := `{"question":"` + amazonQuestion + `","mode":"extractive"}`
	b.Run("engine", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.eng.Ask(context.Background(), rag.AskRequest{Question: amazonQuestion, Mode: rag.ModeExtractive}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("router", func(b *testing.B) {
		h := s.Handler()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/ask", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatal(rec.Code, rec.Body)
			}
		}
	})
}
