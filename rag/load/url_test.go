package load

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ragcite/ragcite/rag"
)

const articleHTML = `<!doctype html><html><head><title>Tide tables</title></head><body>
<nav><a href="/">Home</a> | <a href="/shop">Shop</a></nav>
<article><h1>Tide tables</h1>
<p>The spring tide at Saint-Malo reached 13.5 metres on 21 March, one of the largest ranges in Europe.</p>
<p>Harbour officials close the causeway to Mont Saint-Michel two hours before each high tide.</p>
<p>Visitors are asked to check the printed tables at the harbour office before walking on the sand.</p>
</article><footer>Copyright Harbour Office</footer></body></html>`

// onlyPort allows the loopback address of one test server and nothing else,
// so a redirect to any other address is refused like a private one.
func onlyPort(srv *httptest.Server) func(netip.AddrPort) bool {
	want := netip.MustParseAddrPort(strings.TrimPrefix(srv.URL, "http://"))
	return func(ap netip.AddrPort) bool { return ap == want }
}

func TestFetchURL(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/news/tides", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(articleHTML))
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("Plain notes.\r\nSecond line."))
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(makePDF(t, "Acme Report", reportPages))
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/tides", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(strings.Repeat("word ", 1000)))
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	allowed := FetchOptions{AllowPrivate: true}

	t.Run("html", func(t *testing.T) {
		d, err := FetchURL(context.Background(), srv.URL+"/news/tides?x=1#top", allowed)
		if err != nil {
			t.Fatal(err)
		}
		if d.Source != srv.URL+"/news/tides?x=1" || d.Title != "Tide tables" || d.ID != strings.TrimPrefix(srv.URL, "http://")+"/news/tides" {
			t.Errorf("source %q title %q id %q", d.Source, d.Title, d.ID)
		}
		if !strings.Contains(d.Text, "reached 13.5 metres on 21 March") || strings.Contains(d.Text, "Shop") {
			t.Errorf("main text not extracted:\n%s", d.Text)
		}
	})
	t.Run("redirect within bounds", func(t *testing.T) {
		d, err := FetchURL(context.Background(), srv.URL+"/moved", allowed)
		if err != nil || !strings.Contains(d.Text, "Saint-Malo") {
			t.Fatalf("%v %q", err, d.Text)
		}
		if d.Source != srv.URL+"/moved" {
			t.Errorf("source = %q, want the URL asked for", d.Source)
		}
	})
	t.Run("plain text", func(t *testing.T) {
		d, err := FetchURL(context.Background(), srv.URL+"/plain", allowed)
		if err != nil || d.Text != "Plain notes.\nSecond line." || d.Title != "Plain notes." {
			t.Fatalf("%v %+v", err, d)
		}
	})
	t.Run("pdf keeps pages", func(t *testing.T) {
		d, err := FetchURL(context.Background(), srv.URL+"/report.pdf", allowed)
		if err != nil || d.Metadata[rag.MetaPages] != "4" {
			t.Fatalf("%v %+v", err, d.Metadata)
		}
	})

	failures := []struct {
		name string
		url  string
		opt  FetchOptions
		want error
		msg  string
	}{
		{"redirect loop", srv.URL + "/loop", allowed, ErrFetch, "redirects"},
		{"too large", srv.URL + "/big", FetchOptions{AllowPrivate: true, MaxBytes: 100}, ErrFetch, "larger than 100 bytes"},
		{"timeout", srv.URL + "/slow", FetchOptions{AllowPrivate: true, Timeout: 200 * time.Millisecond}, ErrFetch, "timed out after 200ms"},
		{"not found", srv.URL + "/missing", allowed, ErrFetch, "404"},
		{"unsupported type", srv.URL + "/image", allowed, rag.ErrUnsupportedFile, "image/png"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FetchURL(context.Background(), tc.url, tc.opt)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

// TestFetchURLRefused checks that requests to loopback, private and other
// non-public addresses are refused before any connection is made, however
// the address is reached: literally, by name, or by redirect.
func TestFetchURLRefused(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("secret internal data"))
	}))
	defer target.Close()
	redirector := func(to string) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, to, http.StatusFound)
		}))
	}
	toTarget := redirector(target.URL + "/")
	defer toTarget.Close()
	toMetadata := redirector("http://169.254.169.254/latest/meta-data/")
	defer toMetadata.Close()
	toPrivate := redirector("http://10.1.2.3/admin")
	defer toPrivate.Close()
	toFile := redirector("file:///etc/passwd")
	defer toFile.Close()
	port := strings.TrimPrefix(target.URL, "http://127.0.0.1")

	tests := []struct {
		name string
		url  string
		opt  FetchOptions
	}{
		{"loopback literal", target.URL + "/", FetchOptions{}},
		{"loopback by name", "http://localhost" + port + "/", FetchOptions{}},
		{"ipv6 loopback", "http://[::1]" + port + "/", FetchOptions{}},
		{"ipv4-mapped loopback", "http://[::ffff:127.0.0.1]" + port + "/", FetchOptions{}},
		{"unspecified", "http://0.0.0.0" + port + "/", FetchOptions{}},
		{"private 10/8", "http://10.0.0.1/", FetchOptions{}},
		{"private 192.168/16", "http://192.168.1.1/", FetchOptions{}},
		{"private 172.16/12", "http://172.16.5.4/", FetchOptions{}},
		{"link-local metadata", "http://169.254.169.254/latest/meta-data/", FetchOptions{}},
		{"carrier-grade nat", "http://100.64.0.1/", FetchOptions{}},
		{"ipv6 unique local", "http://[fd00::1]/", FetchOptions{}},
		{"redirect to loopback", toTarget.URL + "/", FetchOptions{allowAddr: onlyPort(toTarget)}},
		{"redirect to link-local", toMetadata.URL + "/", FetchOptions{allowAddr: onlyPort(toMetadata)}},
		{"redirect to private", toPrivate.URL + "/", FetchOptions{allowAddr: onlyPort(toPrivate)}},
		{"redirect to file", toFile.URL + "/", FetchOptions{AllowPrivate: true}},
		{"file scheme", "file:///etc/passwd", FetchOptions{AllowPrivate: true}},
		{"ftp scheme", "ftp://example.com/x", FetchOptions{AllowPrivate: true}},
		{"gopher scheme", "gopher://127.0.0.1:70/", FetchOptions{AllowPrivate: true}},
		{"no host", "http:///path", FetchOptions{AllowPrivate: true}},
		{"credentials", "http://user:pw@" + strings.TrimPrefix(target.URL, "http://") + "/", FetchOptions{AllowPrivate: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := FetchURL(context.Background(), tc.url, tc.opt)
			if !errors.Is(err, ErrURLNotAllowed) {
				t.Fatalf("err = %v (text %q), want ErrURLNotAllowed", err, d.Text)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the internal server was reached %d times", n)
	}
}

// TestFetchURLRefusalNamesNoAddress: a refused fetch says the host is not
// a public address without naming what it resolved or redirected to.
func TestFetchURLRefusalNamesNoAddress(t *testing.T) {
	toPrivate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.1.2.3/admin", http.StatusFound)
	}))
	defer toPrivate.Close()
	for _, tc := range []struct {
		name, url string
		opt       FetchOptions
		hidden    []string
	}{
		{"name resolving to loopback", "http://localhost:9/", FetchOptions{}, []string{"127.0.0.1", "::1"}},
		{"redirect to a private address", toPrivate.URL + "/", FetchOptions{allowAddr: onlyPort(toPrivate)}, []string{"10.1.2.3", "admin"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FetchURL(context.Background(), tc.url, tc.opt)
			if !errors.Is(err, ErrURLNotAllowed) || !strings.Contains(err.Error(), "not a public address") {
				t.Fatalf("err = %v, want one saying \"not a public address\"", err)
			}
			for _, h := range tc.hidden {
				if strings.Contains(err.Error(), h) {
					t.Errorf("the error names %q: %v", h, err)
				}
			}
		})
	}
}

func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "2606:2800:220:1:248:1893:25c8:1946": true, "8.8.8.8": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.31.255.255": false, "192.168.0.1": false,
		"169.254.169.254": false, "100.64.0.1": false, "0.0.0.0": false, "255.255.255.255": false,
		"::1": false, "fe80::1": false, "fd12::1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false,
		"224.0.0.1": false, "ff02::1": false, "198.18.0.1": false,
	} {
		if got := publicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("publicAddr(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestIsURL(t *testing.T) {
	for s, want := range map[string]bool{"https://a.b/c": true, "HTTP://x": true, "docs/a.txt": false, "ftp://x": false, "http.txt": false} {
		if IsURL(s) != want {
			t.Errorf("IsURL(%q) = %v", s, !want)
		}
	}
}
