package eval

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// fakeAPI serves the documented v1 routes the HTTP target uses over eng,
// and checks the bearer key.
func fakeAPI(t *testing.T, eng *rag.Engine) http.Handler {
	writeErr := func(w http.ResponseWriter, status int, err error) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": "x", "message": err.Error()}})
	}
	reply := func(w http.ResponseWriter, v any, err error) {
		switch {
		case errors.Is(err, rag.ErrNotFound):
			writeErr(w, http.StatusNotFound, err)
		case err != nil:
			writeErr(w, http.StatusBadRequest, err)
		default:
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/documents", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Documents []rag.Document }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeErr(w, 400, err)
			return
		}
		res, err := eng.Ingest(r.Context(), in.Documents, nil)
		reply(w, map[string]any{"documents": res}, err)
	})
	mux.HandleFunc("GET /v1/documents/{id...}", func(w http.ResponseWriter, r *http.Request) {
		d, err := eng.Document(r.Context(), r.PathValue("id"))
		reply(w, d, err)
	})
	mux.HandleFunc("POST /v1/ask", func(w http.ResponseWriter, r *http.Request) {
		var req rag.AskRequest
		json.NewDecoder(r.Body).Decode(&req)
		ans, err := eng.Ask(r.Context(), req)
		reply(w, ans, err)
	})
	mux.HandleFunc("POST /v1/summarize", func(w http.ResponseWriter, r *http.Request) {
		var req rag.SummarizeRequest
		json.NewDecoder(r.Body).Decode(&req)
		sum, err := eng.Summarize(r.Context(), req)
		reply(w, sum, err)
	})
	mux.HandleFunc("POST /v1/search", func(w http.ResponseWriter, r *http.Request) {
		var req rag.SearchRequest
		json.NewDecoder(r.Body).Decode(&req)
		res, err := eng.Search(r.Context(), req)
		reply(w, map[string]any{"results": res}, err)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			t.Errorf("%s %s without a bearer key", r.Method, r.URL.Path)
		}
		mux.ServeHTTP(w, r)
	})
}
