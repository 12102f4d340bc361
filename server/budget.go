package server

import (
	"crypto/sha256"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Defaults of the upload budgets, for Config fields left zero.
const (
	// DefaultMaxRequestText is the text one ingest request may hold once
	// its files are extracted: a few thousand pages.
	DefaultMaxRequestText = 16 << 20
	// DefaultMaxRequestChunks is how many chunks one ingest request may
	// be split into (about what DefaultMaxRequestText gives).
	DefaultMaxRequestChunks = 40000
	// DefaultMaxKeyText is the text one API key (or, without keys, the
	// whole server) may ingest per DefaultTextWindow.
	DefaultMaxKeyText = 128 << 20
	// DefaultTextWindow is the window of the per-key text budget.
	DefaultTextWindow = time.Hour
)

// ctxKeyDigest holds the SHA-256 of the request's API key ([32]byte), the
// zero digest without keys.
const ctxKeyDigest = "ragcite.key_digest"

// textBudget bounds the extracted text ingest requests may hold: per
// request, and per key over a fixed window. Text is reserved before files
// are extracted, so concurrent requests of one key never overshoot, and
// what a request did not use is given back.
type textBudget struct {
	perRequest int64
	maxChunks  int
	perKey     int64
	window     time.Duration
	now        func() time.Time

	mu   sync.Mutex
	used map[[sha256.Size]byte]*keyUsage // guarded by mu
}

type keyUsage struct {
	start time.Time
	used  int64
}

func newTextBudget(perRequest int64, maxChunks int, perKey int64, window time.Duration) *textBudget {
	b := &textBudget{perRequest: perRequest, maxChunks: maxChunks, perKey: perKey, window: window,
		now: time.Now, used: map[[sha256.Size]byte]*keyUsage{}}
	if b.perRequest == 0 {
		b.perRequest = DefaultMaxRequestText
	}
	if b.maxChunks == 0 {
		b.maxChunks = DefaultMaxRequestChunks
	}
	if b.perKey == 0 {
		b.perKey = DefaultMaxKeyText
	}
	if b.window <= 0 {
		b.window = DefaultTextWindow
	}
	// A negative limit turns that limit off.
	if b.perRequest < 0 {
		b.perRequest = math.MaxInt64
	}
	if b.maxChunks < 0 {
		b.maxChunks = math.MaxInt
	}
	if b.perKey < 0 {
		b.perKey = math.MaxInt64
	}
	return b
}

// grant is text reserved for one request.
type grant struct {
	key   [sha256.Size]byte
	start time.Time // the window the bytes were taken from
	bytes int64
	// byKey: the grant is smaller than the per-request limit because the
	// key's window budget is nearly spent.
	byKey bool
	// retry is when the key's window starts afresh.
	retry time.Time
}

// reserve sets aside up to the per-request limit of the key's remaining
// budget; a key with none left gets a *budgetError (429).
func (b *textBudget) reserve(key [sha256.Size]byte) (grant, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	u := b.used[key]
	if u == nil || now.Sub(u.start) >= b.window {
		u = &keyUsage{start: now}
		b.used[key] = u
	}
	g := grant{key: key, start: u.start, bytes: min(b.perRequest, b.perKey-u.used), retry: u.start.Add(b.window)}
	g.byKey = g.bytes < b.perRequest
	if g.bytes <= 0 {
		return grant{}, &budgetError{perKey: b.perKey, window: b.window, retry: g.retry.Sub(now)}
	}
	u.used += g.bytes
	return g, nil
}

// settle gives back the part of g the request did not use. The text a
// refused request extracted stays spent: it was work done.
func (b *textBudget) settle(g grant, used int64) {
	if g.bytes == 0 || used >= g.bytes {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if u := b.used[g.key]; u != nil && u.start.Equal(g.start) {
		u.used = max(u.used-(g.bytes-used), 0)
	}
}

// exceeded is the error for a request whose text passed g: 413 when the
// per-request limit was the binding one, 429 when the key's budget was.
func (b *textBudget) exceeded(g grant) error {
	if g.byKey {
		return &budgetError{perKey: b.perKey, window: b.window, retry: time.Until(g.retry)}
	}
	return newAPIError(http.StatusRequestEntityTooLarge, "text_too_large",
		"the documents of this request hold more than %d bytes of text, the limit per request (--max-request-text): send fewer or smaller files", b.perRequest)
}

// checkChunks refuses a request that would be split into too many chunks.
func (b *textBudget) checkChunks(n int) error {
	if n <= b.maxChunks {
		return nil
	}
	return newAPIError(http.StatusRequestEntityTooLarge, "too_many_chunks",
		"the documents of this request would be split into %d chunks, over the limit of %d per request (--max-request-chunks): send fewer or smaller documents", n, b.maxChunks)
}

// budgetError: the key's text budget for the window is spent (429).
type budgetError struct {
	perKey int64
	window time.Duration
	retry  time.Duration
}

func (e *budgetError) Error() string {
	return fmt.Sprintf("this API key has ingested its %d bytes of text for the %s window (--max-key-text); try again in %s",
		e.perKey, e.window, e.retry.Round(time.Second))
}

// retryAfter is the Retry-After value, whole seconds, at least 1.
func (e *budgetError) retryAfter() string {
	return strconv.Itoa(max(int(math.Ceil(e.retry.Seconds())), 1))
}

// keyDigest is the request's key digest set by withAuth.
func keyDigest(c *gin.Context) [sha256.Size]byte {
	d, _ := c.Get(ctxKeyDigest)
	sum, _ := d.([sha256.Size]byte)
	return sum
}
