package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

func TestRedact(t *testing.T) {
	cases := []struct{ name, in, secret string }{
		{"configured key", "invalid key: house-key-1234 was rejected", "house-key-1234"},
		{"bearer token", "header was Authorization: Bearer tok.abc-DEF_123", "tok.abc-DEF_123"},
		{"openai key", "Incorrect API key provided: sk-proj-ABCDEFGHijkl1234", "sk-proj-ABCDEFGHijkl1234"},
		{"json field", `{"api_key": "zzz-777-secret"}`, "zzz-777-secret"},
		{"query pair", "GET /v1?api-key=qq99-secret failed", "qq99-secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := redact(tc.in, "house-key-1234")
			if strings.Contains(got, tc.secret) || !strings.Contains(got, redacted) {
				t.Errorf("redact(%q) = %q", tc.in, got)
			}
		})
	}
	if got := redact("the model gpt-4o-mini is not known", "k"); got != "the model gpt-4o-mini is not known" {
		t.Errorf("plain text changed: %q", got)
	}
}

// TestUpstreamErrorsCarryNoKey: an endpoint whose 401 echoes the key does
// not put it in the error text (which is what gets logged), and the status
// still reaches the engine.
func TestUpstreamErrorsCarryNoKey(t *testing.T) {
	const key = "sk-live-0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"Incorrect API key provided: %s (header %s)","type":"invalid_request_error"}}`, key, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	c, err := NewChat(ChatConfig{BaseURL: srv.URL, APIKey: key, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	req := rag.ChatRequest{Messages: []rag.ChatMessage{{Role: "user", Content: "hi"}}}
	_, cerr := c.Complete(context.Background(), req)
	_, serr := c.Stream(context.Background(), req, func(string) error { return nil })
	for name, err := range map[string]error{"complete": cerr, "stream": serr} {
		if err == nil {
			t.Fatalf("%s: no error from a 401", name)
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "0123456789abcdef") {
			t.Errorf("%s: the key is in the error text: %v", name, err)
		}
		var se interface{ HTTPStatus() int }
		if !errors.As(err, &se) || se.HTTPStatus() != http.StatusUnauthorized {
			t.Errorf("%s: status lost: %v", name, err)
		}
	}
}
