package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	headerRequestID = "X-Request-ID"
	ctxRequestID    = "ragcite.request_id"
)

// withRequestID takes the client's X-Request-ID when it is sane (1-128
// printable ASCII bytes) or generates one, and echoes it in the response.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerRequestID)
		if !validRequestID(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Header(headerRequestID, id)
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// requestID returns the request's id set by withRequestID.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// routeLabel is the matched route pattern, or "unmatched" for a 404 of the
// router, so metrics and logs never carry unbounded raw paths.
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// withLogging logs one structured line per request.
func withLogging(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if c.Request.Context().Err() == context.Canceled && status >= 500 {
			// The client went away (the server never cancels on its own):
			// whatever the handler made of it, nothing reached the client.
			status, level = StatusClientClosedRequest, slog.LevelInfo
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method),
			slog.String("route", routeLabel(c)),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("latency", time.Since(start)),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("request_id", requestID(c)))
	}
}

// withRecovery turns a panic into a logged 500 with the JSON error body,
// keeping the server up.
func (s *Server) withRecovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		s.log.Error("panic", slog.String("request_id", requestID(c)), slog.String("route", routeLabel(c)),
			slog.String("panic", fmt.Sprint(rec)))
		if c.Writer.Written() {
			c.Abort()
			return
		}
		c.AbortWithStatusJSON(http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal", Message: "internal error"}})
	})
}

// withTimeout bounds the request's context; handlers pass it to rag, which
// stops when it expires (mapped to 504 by errorStatus).
func withTimeout(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// withBodyLimit caps request bodies at n bytes: a declared Content-Length
// over it is refused at once, and reading past it fails with
// *http.MaxBytesError (413).
func (s *Server) withBodyLimit(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			s.fail(c, &http.MaxBytesError{Limit: n})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}

// withBodyDeadline bounds the time to receive a request body: a client that
// sends it too slowly gets 408 body_timeout once d has passed instead of
// holding a connection and a handler. The deadline is lifted once the body
// is read, so it never cuts a slow answer short.
func withBodyDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 || c.Request.Body == nil || c.Request.Body == http.NoBody {
			c.Next()
			return
		}
		rc := http.NewResponseController(c.Writer)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err != nil {
			c.Next() // not a network connection (a test recorder)
			return
		}
		c.Request.Body = &deadlineBody{ReadCloser: c.Request.Body, lift: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		c.Next()
	}
}

// deadlineBody lifts the connection's read deadline at the end of the body.
type deadlineBody struct {
	io.ReadCloser
	lift   func()
	lifted bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.lifted {
		b.lifted = true
		b.lift()
	}
	return n, err
}
