package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// role is what an API key may do.
type role int

const (
	roleNone  role = iota
	roleRead       // search, ask, summarize, list and read documents
	roleWrite      // everything, including adding and deleting documents
)

const ctxRole = "ragcite.role"

// keyring holds SHA-256 digests of the configured keys, so comparing a
// presented key takes the same time whatever its length or content.
type keyring struct {
	write, read [][sha256.Size]byte
}

func newKeyring(write, read []string) *keyring {
	k := &keyring{}
	for _, w := range write {
		if w = strings.TrimSpace(w); w != "" {
			k.write = append(k.write, sha256.Sum256([]byte(w)))
		}
	}
	for _, r := range read {
		if r = strings.TrimSpace(r); r != "" {
			k.read = append(k.read, sha256.Sum256([]byte(r)))
		}
	}
	return k
}

func (k *keyring) enabled() bool { return len(k.write)+len(k.read) > 0 }

// lookup returns the role of key, comparing against every configured key in
// constant time.
func (k *keyring) lookup(key string) role {
	sum := sha256.Sum256([]byte(key))
	var w, r int
	for _, d := range k.write {
		w |= subtle.ConstantTimeCompare(sum[:], d[:])
	}
	for _, d := range k.read {
		r |= subtle.ConstantTimeCompare(sum[:], d[:])
	}
	switch {
	case w == 1:
		return roleWrite
	case r == 1:
		return roleRead
	}
	return roleNone
}

// withAuth requires "Authorization: Bearer KEY" with a known key when keys
// are configured (401 otherwise) and records the key's role.
func (s *Server) withAuth() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !s.keys.enabled() {
			c.Set(ctxRole, roleWrite)
			c.Next()
			return
		}
		h := c.GetHeader("Authorization")
		scheme, key, ok := strings.Cut(h, " ")
		key = strings.TrimSpace(key)
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			c.Header("WWW-Authenticate", `Bearer realm="ragcite"`)
			s.fail(c, newAPIError(http.StatusUnauthorized, "unauthorized", "missing API key: send Authorization: Bearer KEY"))
			return
		}
		r := s.keys.lookup(key)
		if r == roleNone {
			c.Header("WWW-Authenticate", `Bearer realm="ragcite", error="invalid_token"`)
			s.fail(c, newAPIError(http.StatusUnauthorized, "unauthorized", "unknown API key"))
			return
		}
		c.Set(ctxRole, r)
		digest := sha256.Sum256([]byte(key))
		c.Set(ctxKeyDigest, digest)
		if colls, ok := s.limits[digest]; ok {
			c.Set(ctxCollections, colls)
		}
		c.Next()
	}
}

// requireWrite refuses read-only keys (403) on routes that change the store.
func (s *Server) requireWrite() gin.HandlerFunc {
	return func(c *gin.Context) {
		if r, _ := c.Get(ctxRole); r != roleWrite {
			s.fail(c, newAPIError(http.StatusForbidden, "forbidden", "this API key is read-only: it may search, ask and summarize but not change documents"))
			return
		}
		c.Next()
	}
}
