package server

import (
	"net/http"
	"strings"
	"testing"
)

func TestAuthMatrix(t *testing.T) {
	const writeKey, readKey = "w-secret-key", "r-secret-key"
	s := newTestServer(t, Config{WriteKeys: []string{writeKey, "another"}, ReadKeys: []string{readKey}})
	type route struct {
		method, path, body string
		write              bool
		okStatus           int
	}
	routes := []route{
		{"GET", "/v1/documents", "", false, 200},
		{"GET", "/v1/documents/000_bc28017ad2dcc5a8", "", false, 200},
		{"POST", "/v1/search", `{"query":"Amazon"}`, false, 200},
		{"POST", "/v1/ask", `{"question":"Amazon?"}`, false, 200},
		{"POST", "/v1/summarize", `{"query":"Amazon"}`, false, 200},
		{"POST", "/v1/documents", `{"documents":[{"id":"auth-doc","text":"Text."}]}`, true, 201},
		{"DELETE", "/v1/documents/auth-doc", "", true, 204},
	}
	bearer := func(k string) map[string]string { return map[string]string{"Authorization": "Bearer " + k} }
	var cases []routeCase
	for _, r := range routes {
		name := r.method + " " + r.path
		cases = append(cases,
			routeCase{name: name + " no key", method: r.method, path: r.path, body: r.body, wantStatus: 401, wantBodyContains: []string{`"unauthorized"`}},
			routeCase{name: name + " unknown key", method: r.method, path: r.path, body: r.body, header: bearer("nope"), wantStatus: 401},
			routeCase{name: name + " key prefix", method: r.method, path: r.path, body: r.body, header: bearer(writeKey[:5]), wantStatus: 401},
			routeCase{name: name + " basic scheme", method: r.method, path: r.path, body: r.body, header: map[string]string{"Authorization": "Basic " + writeKey}, wantStatus: 401},
		)
		readWant := r.okStatus
		var readBody []string
		if r.write {
			readWant, readBody = 403, []string{`"forbidden"`, "read-only"}
		}
		cases = append(cases, routeCase{name: name + " read key", method: r.method, path: r.path, body: r.body, header: bearer(readKey), wantStatus: readWant, wantBodyContains: readBody})
		cases = append(cases, routeCase{name: name + " write key", method: r.method, path: r.path, body: r.body, header: bearer(writeKey), wantStatus: r.okStatus})
	}
	cases = append(cases, routeCase{name: "lower-case scheme", method: "GET", path: "/v1/documents", header: map[string]string{"Authorization": "bearer " + readKey}, wantStatus: 200})
	for _, open := range []string{"/", "/app.js", "/style.css", "/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
		cases = append(cases, routeCase{name: "open " + open, method: "GET", path: open, wantStatus: 200})
	}
	runRouteCases(t, s.Handler(), cases)

	rec := request{"GET", "/v1/documents", "", nil}.do(t, s.Handler())
	if h := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("401 without WWW-Authenticate: %q", h)
	}
}

func TestNoKeysMeansOpen(t *testing.T) {
	s := newTestServer(t, Config{WriteKeys: []string{" ", ""}})
	rec := request{"DELETE", "/v1/documents/000_bc28017ad2dcc5a8", "", nil}.do(t, s.Handler())
	if rec.Code != http.StatusNoContent {
		t.Fatalf("blank keys should leave the API open: %d %s", rec.Code, rec.Body)
	}
}

func TestKeyringLookup(t *testing.T) {
	k := newKeyring([]string{"alpha"}, []string{"beta"})
	for key, want := range map[string]role{"alpha": roleWrite, "beta": roleRead, "gamma": roleNone, "": roleNone, "alph": roleNone, "alphaa": roleNone} {
		if got := k.lookup(key); got != want {
			t.Errorf("lookup(%q) = %v, want %v", key, got, want)
		}
	}
}
