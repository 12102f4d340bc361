package server

import (
	"net/http"
	"strings"
	"testing"
)

// isolationServer holds a document "plans" of collection beta, written by
// an unlimited key, and serves three keys: admin (write, every
// collection), reader (read, every collection) and alpha (write, alpha
// only).
func isolationServer(t *testing.T) http.Handler {
	t.Helper()
	s := newTestServer(t, Config{
		WriteKeys:      []string{"admin", "alpha"},
		ReadKeys:       []string{"reader"},
		KeyCollections: map[string][]string{"alpha": {"alpha"}},
	})
	h := s.Handler()
	rec := request{"POST", "/v1/documents?collection=beta", `{"documents":[` +
		`{"id":"plans","title":"Plans","text":"The beta launch is on the ninth of March."},` +
		`{"title":"Untitled","text":"Beta keeps its payroll figures here."}]}`, authAs("admin")}.do(t, h)
	if rec.Code != http.StatusCreated {
		t.Fatalf("admin ingest into beta: %d %s", rec.Code, rec.Body)
	}
	rec = request{"POST", "/v1/documents", `{"documents":[{"id":"own","title":"Own","text":"Alpha ships its release in June."}]}`, authAs("alpha")}.do(t, h)
	if rec.Code != http.StatusCreated {
		t.Fatalf("alpha ingest: %d %s", rec.Code, rec.Body)
	}
	return h
}

func authAs(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }

// TestLimitedKeySeesForeignIDsAsAbsent: every route that takes a document
// id answers a limited key about another collection's document exactly as
// about an id that does not exist.
func TestLimitedKeySeesForeignIDsAsAbsent(t *testing.T) {
	h := isolationServer(t)
	cases := []struct {
		name, method, path, body string
	}{
		{"get", "GET", "/v1/documents/ID", ""},
		{"delete", "DELETE", "/v1/documents/ID", ""},
		{"summarize", "POST", "/v1/summarize", `{"doc_ids":["ID"]}`},
		{"verify", "POST", "/v1/verify", `{"claims":["The launch is in March."],"doc_ids":["ID"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			at := func(id string) (int, string) {
				rec := request{tc.method, strings.ReplaceAll(tc.path, "ID", id), strings.ReplaceAll(tc.body, "ID", id), authAs("alpha")}.do(t, h)
				return rec.Code, strings.ReplaceAll(rec.Body.String(), id, "ID")
			}
			fs, fb := at("plans")
			as, ab := at("nothing-here")
			if fs != http.StatusNotFound || fs != as || fb != ab {
				t.Errorf("foreign id: %d %s\nabsent id: %d %s", fs, fb, as, ab)
			}
		})
	}
	rec := request{"GET", "/v1/documents/plans", "", authAs("reader")}.do(t, h)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ninth of March") {
		t.Errorf("beta's document after the limited key's attempts: %d %s", rec.Code, rec.Body)
	}
}

// TestLimitedKeyCannotOverwrite: every write path refuses a limited key's
// document whose id another collection holds, with one reply that does
// not depend on the held document's content, and leaves it as it was.
func TestLimitedKeyCannotOverwrite(t *testing.T) {
	h := isolationServer(t)
	txt, txtType := multipartBody(t, upload{"plans.txt", []byte("Attacker text for the plans.")})
	jsonl, jsonlType := multipartBody(t, upload{"batch.jsonl", []byte(`{"id":"plans","title":"Plans","text":"Attacker text."}` + "\n")})
	same, sameType := multipartBody(t, upload{"plans.txt", []byte("The beta launch is on the ninth of March.")})
	cases := []struct {
		name, body, ctype string
	}{
		{"json changed", `{"documents":[{"id":"plans","title":"Mine","text":"Attacker text."}]}`, ""},
		{"json same content", `{"documents":[{"id":"plans","title":"Plans","text":"The beta launch is on the ninth of March."}]}`, ""},
		{"json by metadata", `{"documents":[{"id":"plans","text":"Attacker text.","metadata":{"collection":"alpha"}}]}`, ""},
		{"json in a batch", `{"documents":[{"id":"fresh","text":"New alpha text."},{"id":"plans","text":"Attacker text."}]}`, ""},
		{"multipart text", txt, txtType},
		{"multipart same content", same, sameType},
		{"multipart jsonl", jsonl, jsonlType},
	}
	var first string
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdr := authAs("alpha")
			if tc.ctype != "" {
				hdr["Content-Type"] = tc.ctype
			}
			rec := request{"POST", "/v1/documents", tc.body, hdr}.do(t, h)
			body := rec.Body.String()
			if rec.Code != http.StatusConflict || strings.Contains(body, "changed") || strings.Contains(body, "beta") {
				t.Fatalf("status %d, want 409 saying nothing of the holder: %s", rec.Code, body)
			}
			if first == "" {
				first = body
			} else if body != first {
				t.Errorf("replies differ by path or content:\n%s\n%s", body, first)
			}
		})
	}
	rec := request{"GET", "/v1/documents/plans", "", authAs("admin")}.do(t, h)
	if !strings.Contains(rec.Body.String(), `"collection":"beta"`) || !strings.Contains(rec.Body.String(), "ninth of March") {
		t.Errorf("beta's document was changed: %s", rec.Body)
	}
	if rec := (request{"GET", "/v1/documents/fresh", "", authAs("admin")}).do(t, h); rec.Code != http.StatusNotFound {
		t.Errorf("a refused batch stored a document: %d", rec.Code)
	}
}

// TestLimitedKeyTextIDs: a text posted without an id to one collection
// gets an id of its own there, so posting another collection's text
// neither collides with it nor says that it exists.
func TestLimitedKeyTextIDs(t *testing.T) {
	h := isolationServer(t)
	rec := request{"POST", "/v1/documents", `{"documents":[{"title":"Untitled","text":"Beta keeps its payroll figures here."}]}`, authAs("alpha")}.do(t, h)
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), `"status":"created"`) {
		t.Fatalf("alpha posts beta's text: %d %s", rec.Code, rec.Body)
	}
	rec = request{"GET", "/v1/documents?collection=beta", "", authAs("admin")}.do(t, h)
	if strings.Count(rec.Body.String(), `"collection":"beta"`) != 2 {
		t.Errorf("beta after alpha posted its text: %s", rec.Body)
	}
}

// TestLimitedKeyListsOnlyItsOwn: listings, models, MCP and chat show a
// limited key nothing of other collections.
func TestLimitedKeyListsOnlyItsOwn(t *testing.T) {
	h := isolationServer(t)
	for _, path := range []string{"/v1/documents", "/v1/collections", "/v1/models", "/v1/models/ragcite/beta"} {
		rec := request{"GET", path, "", authAs("alpha")}.do(t, h)
		if strings.Contains(rec.Body.String(), "plans") || strings.Contains(rec.Body.String(), "beta") && rec.Code == http.StatusOK {
			t.Errorf("GET %s shows beta: %d %s", path, rec.Code, rec.Body)
		}
	}
	rec := request{"POST", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_document","arguments":{"id":"plans","title":"x","text":"Attacker text."}}}`,
		map[string]string{"Authorization": "Bearer alpha", "Accept": "application/json, text/event-stream"}}.do(t, h)
	if rec.Code != http.StatusForbidden {
		t.Errorf("MCP with a limited key: %d %s", rec.Code, rec.Body)
	}
	rec = request{"POST", "/v1/chat/completions", `{"model":"ragcite/alpha","messages":[{"role":"user","content":"When is the beta launch?"}],"ragcite":{"filter":{"doc_ids":["plans"]}}}`, authAs("alpha")}.do(t, h)
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "ninth of March") || strings.Contains(rec.Body.String(), `"doc_id":"plans"`) {
		t.Errorf("chat in alpha names beta's document: %d %s", rec.Code, rec.Body)
	}
}

// TestSlashLeadingIDs: an id that starts with '/' is read and deleted at
// the path the page builds for it ("/v1/documents//etc/notes").
func TestSlashLeadingIDs(t *testing.T) {
	h := newTestServer(t, Config{}).Handler()
	rec := request{"POST", "/v1/documents", `{"documents":[{"id":"/etc/notes","text":"The ferry leaves at seven."}]}`, nil}.do(t, h)
	if rec.Code != http.StatusCreated {
		t.Fatalf("ingest: %d %s", rec.Code, rec.Body)
	}
	if rec := (request{"GET", "/v1/documents//etc/notes", "", nil}).do(t, h); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"id":"/etc/notes"`) {
		t.Errorf("GET //etc/notes: %d %s", rec.Code, rec.Body)
	}
	if rec := (request{"DELETE", "/v1/documents//etc/notes", "", nil}).do(t, h); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE //etc/notes: %d %s", rec.Code, rec.Body)
	}
}
