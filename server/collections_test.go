package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestCollectionsAndKeys(t *testing.T) {
	s := newTestServer(t, Config{
		WriteKeys:      []string{"admin", "north-writer"},
		ReadKeys:       []string{"south-reader", "both-reader"},
		KeyCollections: map[string][]string{"north-writer": {"north"}, "south-reader": {"south"}, "both-reader": {"north", "south"}},
	})
	h := s.Handler()
	auth := func(key string) map[string]string { return map[string]string{"Authorization": "Bearer " + key} }
	ingest := func(key, query, body string) *http.Response {
		rec := request{"POST", "/v1/documents" + query, body, auth(key)}.do(t, h)
		return rec.Result()
	}
	if r := ingest("north-writer", "", `{"documents":[{"id":"n1","text":"The northern harbour master counted 17 ships in May."}]}`); r.StatusCode != 201 {
		t.Fatalf("north-writer ingest without collection: %d", r.StatusCode)
	}
	if r := ingest("admin", "?collection=south", `{"documents":[{"id":"s1","text":"The southern harbour master counted 42 ships in May."}]}`); r.StatusCode != 201 {
		t.Fatalf("admin ingest into south: %d", r.StatusCode)
	}
	ask := `{"question":"How many ships did the harbour master count in May?","collection":"south"}`
	runRouteCases(t, h, []routeCase{
		{name: "north writer may not write south", method: "POST", path: "/v1/documents", header: auth("north-writer"),
			body: `{"documents":[{"id":"x","text":"x y z","collection":"south"}]}`, wantStatus: 403, wantBodyContains: []string{`collection \"south\"`}},
		{name: "south reader asks south", method: "POST", path: "/v1/ask", header: auth("south-reader"), body: ask,
			wantStatus: 200, wantBodyContains: []string{`"doc_id":"s1"`}},
		{name: "south reader asks north", method: "POST", path: "/v1/ask", header: auth("south-reader"),
			body: strings.Replace(ask, "south", "north", 1), wantStatus: 403},
		{name: "south reader via filter", method: "POST", path: "/v1/search", header: auth("south-reader"),
			body: `{"query":"ships","filter":{"collection":"north"}}`, wantStatus: 403},
		{name: "south reader defaults to south", method: "POST", path: "/v1/search", header: auth("south-reader"),
			body: `{"query":"harbour master ships"}`, wantStatus: 200, wantBodyContains: []string{`"doc_id":"s1"`}},
		{name: "two-collection key must name one", method: "POST", path: "/v1/search", header: auth("both-reader"),
			body: `{"query":"ships"}`, wantStatus: 400, wantBodyContains: []string{"name one"}},
		{name: "south reader reads a north document", method: "GET", path: "/v1/documents/n1", header: auth("south-reader"), wantStatus: 404},
		{name: "south reader summarizes north", method: "POST", path: "/v1/summarize", header: auth("south-reader"),
			body: `{"doc_ids":["n1"]}`, wantStatus: 404},
		{name: "south reader verifies against south", method: "POST", path: "/v1/verify", header: auth("south-reader"),
			body: `{"claims":["The harbour master counted 42 ships."],"doc_ids":["s1"]}`, wantStatus: 200, wantBodyContains: []string{`"doc_id":"s1"`}},
		{name: "south reader verifies against north", method: "POST", path: "/v1/verify", header: auth("south-reader"),
			body: `{"claims":["The harbour master counted 17 ships."],"doc_ids":["n1"]}`, wantStatus: 404},
		{name: "south reader names north to verify", method: "POST", path: "/v1/verify", header: auth("south-reader"),
			body: `{"claims":["x"],"doc_ids":["n1"],"collection":"north"}`, wantStatus: 403},
		{name: "limited key on another collection's model", method: "POST", path: "/v1/chat/completions", header: auth("south-reader"),
			body: `{"model":"ragcite/north","messages":[{"role":"user","content":"ships?"}]}`, wantStatus: 403},
		{name: "limited key on MCP", method: "POST", path: "/mcp", header: auth("south-reader"),
			body: `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, wantStatus: 403},
		{name: "north writer deletes south", method: "DELETE", path: "/v1/collections/south", header: auth("north-writer"), wantStatus: 403},
		{name: "bad collection name", method: "POST", path: "/v1/ask", header: auth("admin"), body: `{"question":"ships?","collection":"../x"}`, wantStatus: 400},
	})

	var list struct {
		Documents []struct {
			ID, Collection string
		} `json:"documents"`
	}
	rec := request{"GET", "/v1/documents", "", auth("south-reader")}.do(t, h)
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Documents) != 1 || list.Documents[0].Collection != "south" {
		t.Errorf("south reader's list: %s", rec.Body)
	}
	rec = request{"GET", "/v1/collections", "", auth("admin")}.do(t, h)
	if !strings.Contains(rec.Body.String(), `{"name":"north","documents":1}`) || !strings.Contains(rec.Body.String(), `{"name":"south","documents":1}`) {
		t.Errorf("collections: %s", rec.Body)
	}
	rec = request{"DELETE", "/v1/collections/north", "", auth("north-writer")}.do(t, h)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"deleted":1`) {
		t.Fatalf("delete north: %d %s", rec.Code, rec.Body)
	}
	rec = request{"GET", "/v1/documents/n1", "", auth("admin")}.do(t, h)
	if rec.Code != 404 {
		t.Errorf("north document after its collection was deleted: %d", rec.Code)
	}
}
