package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestKeylessBrowserGuard(t *testing.T) {
	h := newTestServer(t, Config{AllowedOrigins: []string{"http://tools.internal:3000"}}).Handler()
	docs := `{"documents":[{"id":"x","text":"The ferry leaves at seven."}]}`
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name       string
		method     string
		path, body string
		host       string
		header     map[string]string
		want       int
	}{
		{"loopback name reads", "GET", "/v1/documents", "", "localhost:8080", nil, 200},
		{"loopback address reads", "GET", "/v1/documents", "", "127.0.0.1:8080", nil, 200},
		{"IPv6 loopback reads", "GET", "/v1/documents", "", "[::1]:8080", nil, 200},
		{"rebound name may not read", "GET", "/v1/documents", "", "evil.example:8080", nil, 403},
		{"rebound name may not load the page", "GET", "/", "", "evil.example", nil, 403},
		{"health probe by container name", "GET", "/healthz", "", "ragcite:8080", nil, 200},
		{"same origin writes", "POST", "/v1/documents", docs, "localhost:8080", with("Origin", "http://localhost:8080", "Sec-Fetch-Site", "same-origin"), 201},
		{"no origin (curl) writes", "POST", "/v1/documents", docs, "localhost:8080", nil, 201},
		{"foreign origin may not write", "POST", "/v1/documents", docs, "localhost:8080", with("Origin", "https://evil.example"), 403},
		{"null origin may not write", "POST", "/v1/documents", docs, "localhost:8080", with("Origin", "null"), 403},
		{"another port is another origin", "DELETE", "/v1/documents/x", "", "localhost:8080", with("Origin", "http://localhost:9999"), 403},
		{"cross-site fetch may not write", "POST", "/v1/documents", docs, "localhost:8080", with("Sec-Fetch-Site", "cross-site"), 403},
		{"cross-site MCP", "POST", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, "localhost:8080", with("Origin", "https://evil.example"), 403},
		{"cross-site chat", "POST", "/v1/chat/completions", `{"model":"ragcite","messages":[{"role":"user","content":"hi"}]}`, "localhost:8080", with("Origin", "https://evil.example"), 403},
		{"allowed origin writes", "POST", "/v1/documents", docs, "localhost:8080", with("Origin", "http://tools.internal:3000"), 201},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := guardRequest(h, tc.method, tc.path, tc.body, tc.host, tc.header)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body)
			}
			if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
		})
	}
}

func TestBrowserGuardWithKeys(t *testing.T) {
	h := newTestServer(t, Config{WriteKeys: []string{"k"}}).Handler()
	rec := guardRequest(h, "GET", "/v1/documents", "", "rag.example.com", map[string]string{"Authorization": "Bearer k"})
	if rec.Code != 200 {
		t.Errorf("with keys, any Host name: %d %s", rec.Code, rec.Body)
	}
	rec = guardRequest(h, "GET", "/v1/documents", "", "rag.example.com", nil)
	if rec.Code != 401 || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("a 401 without nosniff: %d %v", rec.Code, rec.Header())
	}
}

func TestAllowedHostsConfig(t *testing.T) {
	h := newTestServer(t, Config{AllowedHosts: []string{"rag.internal", "*.corp.example"}}).Handler()
	for host, want := range map[string]int{"rag.internal:8080": 200, "a.corp.example": 200, "localhost": 403, "corp.example.evil": 403} {
		if rec := guardRequest(h, "GET", "/v1/collections", "", host, nil); rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}

func guardRequest(h http.Handler, method, path, body, host string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if body != "" {
		req = httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	req.Host = host
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestSlowBodyEveryRoute: a body trickled in slower than the body timeout
// is cut off on every route, refusals included, not only on the JSON API.
func TestSlowBodyEveryRoute(t *testing.T) {
	s := newTestServer(t, Config{BodyTimeout: 300 * time.Millisecond, WriteKeys: []string{"k"}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	for _, tc := range []struct{ name, path, auth string }{
		{"chat", "/v1/chat/completions", "Bearer k"},
		{"mcp", "/mcp", "Bearer k"},
		{"ask", "/v1/ask", "Bearer k"},
		{"refused key", "/v1/documents", "Bearer wrong"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			status, err := trickle(ts.Listener.Addr().String(), tc.path, tc.auth)
			if err != nil {
				t.Fatalf("no response to a slow body: %v", err)
			}
			if el := time.Since(start); el > 4*time.Second || status < 400 {
				t.Errorf("slow body: status %d after %s", status, el)
			}
		})
	}
}

// trickle sends a request whose body comes a byte per 100 ms and returns
// the status of the reply (within 10 s).
func trickle(addr, path, auth string) (int, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: localhost\r\nAuthorization: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{", path, auth)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 100 {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
