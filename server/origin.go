package server

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
)

// DefaultAllowedHosts are the Host names a server without API keys
// answers: loopback only, so a page whose own name is rebound to
// 127.0.0.1 (DNS rebinding) cannot read through it.
var DefaultAllowedHosts = []string{"localhost", "*.localhost", "127.0.0.1", "::1"}

// browserGuard protects a server without API keys from web pages: it
// answers only allowed Host names, and refuses requests that change
// anything (every method but GET, HEAD and OPTIONS) from another origin.
// With keys, a browser cannot send one cross-origin without a CORS
// preflight the server never grants, so the guard stands aside.
type browserGuard struct {
	hosts   []string // lowercase names, "*.suffix" or "*" for any
	origins []string // lowercase scheme://host[:port]
}

func newBrowserGuard(hosts, origins []string) browserGuard {
	if hosts == nil {
		hosts = DefaultAllowedHosts
	}
	g := browserGuard{}
	for _, h := range hosts {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			g.hosts = append(g.hosts, strings.Trim(h, "[]"))
		}
	}
	for _, o := range origins {
		if o = strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/")); o != "" {
			g.origins = append(g.origins, o)
		}
	}
	return g
}

// hostAllowed reports whether the request's Host (port aside) is allowed.
func (g browserGuard) hostAllowed(hostport string) bool {
	name := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	name = strings.Trim(name, "[]")
	for _, h := range g.hosts {
		switch {
		case h == "*", h == name:
			return true
		case strings.HasPrefix(h, "*.") && strings.HasSuffix(name, h[1:]):
			return true
		}
	}
	return false
}

// foreignOrigin reports whether a request comes from a page of another
// origin than the server's own (and not from an allowed one).
func (g browserGuard) foreignOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return true
	}
	origin := strings.ToLower(r.Header.Get("Origin"))
	if origin == "" {
		return false // not a browser, or a same-origin GET-like request
	}
	if slices.Contains(g.origins, origin) {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host != strings.ToLower(r.Host)
}

// safeMethod: methods that change nothing.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// withBrowserGuard sets X-Content-Type-Options: nosniff on every reply
// and, without API keys, applies the browser guard (health probes aside,
// which hold nothing and are called by container names).
func (s *Server) withBrowserGuard() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("X-Content-Type-Options", "nosniff")
		if s.keys.enabled() {
			c.Next()
			return
		}
		if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" {
			c.Next()
			return
		}
		if !s.guard.hostAllowed(c.Request.Host) {
			s.fail(c, newAPIError(http.StatusForbidden, "host_not_allowed",
				"Host %q is not one this server answers without API keys: add it to --allowed-hosts (RAGCITE_ALLOWED_HOSTS) or configure keys", c.Request.Host))
			return
		}
		if !safeMethod(c.Request.Method) && s.guard.foreignOrigin(c.Request) {
			s.fail(c, newAPIError(http.StatusForbidden, "cross_origin",
				"a page of another origin may not send %s requests to a server without API keys: add its origin to --allowed-origins (RAGCITE_ALLOWED_ORIGINS) or configure keys", c.Request.Method))
			return
		}
		c.Next()
	}
}
