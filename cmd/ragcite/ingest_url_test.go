package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIngestURLCommand(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	t.Setenv("RAGCITE_ALLOW_PRIVATE_URLS", "")
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Ferry notes\nThe ferry to the island leaves at seven every morning, all year round.\n"))
	}))
	defer page.Close()
	data := t.TempDir()

	_, _, err := runCLI(t, "ingest", "--data", data, page.URL+"/notes")
	if err == nil || !strings.Contains(err.Error(), "not a public address") {
		t.Fatalf("loopback URL without --allow-private-urls: err = %v", err)
	}
	out, stderr, err := runCLI(t, "ingest", "--data", data, "--allow-private-urls", page.URL+"/notes")
	if err != nil || !strings.Contains(out, "1 created") {
		t.Fatalf("ingest url: %v\n%s%s", err, out, stderr)
	}
	out, _, err = runCLI(t, "ask", "--data", data, "--json", "When does the ferry to the island leave?")
	if err != nil || !strings.Contains(out, `"source": "`+page.URL+`/notes"`) {
		t.Fatalf("ask: %v\n%s", err, out)
	}
}
