package server

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/openai"
)

// An unreachable LLM endpoint gives clients a short reason and no internal
// address; the log gets the detail.
func TestUnreachableLLMReasonHidesEndpoint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := ln.Addr().String()
	ln.Close() // nothing listens there now
	chat, err := openai.NewChat(openai.ChatConfig{BaseURL: "http://" + endpoint + "/v1", APIKey: "k", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, _ := chromemstore.Open(ctx, "")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: embed.DefaultLocal(), Chat: chat, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	if _, err := eng.Ingest(ctx, sampleArticles(t), nil); err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, Config{Engine: eng, Logger: log})
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"auto falls back", `{"question":"` + amazonQuestion + `"}`, http.StatusOK},
		{"llm fails", `{"question":"` + amazonQuestion + `","mode":"llm"}`, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := request{"POST", "/v1/ask", tc.body, nil}.do(t, srv.Handler())
			body := rec.Body.String()
			if rec.Code != tc.status || !strings.Contains(body, "the language model is unreachable") {
				t.Errorf("status %d body %s", rec.Code, truncate(body, 500))
			}
			if strings.Contains(body, endpoint) || strings.Contains(body, "dial") {
				t.Errorf("reply shows the endpoint: %s", truncate(body, 500))
			}
		})
	}
	if !strings.Contains(logs.String(), endpoint) {
		t.Errorf("the log lacks the endpoint detail:\n%s", logs.String())
	}
}
