package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryTransport retries requests that fail with 429 or a 5xx status, or
// with a network error, backing off exponentially with full jitter and
// honouring Retry-After (seconds or an HTTP date). It never retries other
// statuses (a 400 or 401 will not get better) and stops as soon as the
// request's context is done. It sits under the go-openai client, so chat
// completions, streams (before their first byte) and embeddings share it.
type RetryTransport struct {
	Next       http.RoundTripper // nil: http.DefaultTransport
	MaxRetries int               // retries after the first attempt
	BaseDelay  time.Duration     // first backoff; doubles each retry
	MaxDelay   time.Duration     // cap on one wait, Retry-After included
}

// NewRetryTransport returns a RetryTransport with 3 retries from 500 ms up
// to 20 s over next.
func NewRetryTransport(next http.RoundTripper) *RetryTransport {
	return &RetryTransport{Next: next, MaxRetries: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 20 * time.Second}
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	next := t.Next
	if next == nil {
		next = http.DefaultTransport
	}
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, fmt.Errorf("retry: read request body: %w", err)
		}
		req.Body.Close()
	}
	for attempt := 0; ; attempt++ {
		r := req.Clone(req.Context())
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		resp, err := next.RoundTrip(r)
		if attempt >= t.MaxRetries || !retryable(resp, err) || req.Context().Err() != nil {
			return resp, err
		}
		wait := t.backoff(attempt, resp)
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if err := sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// retryable: 429, 5xx, and network failures (a refused or reset
// connection, a timeout); not errors a transport below made up.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		var ne net.Error
		return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
}

// backoff is Retry-After when the server gave one, else full jitter over an
// exponentially growing window; both capped at MaxDelay.
func (t *RetryTransport) backoff(attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return min(d, t.MaxDelay)
		}
	}
	window := t.BaseDelay << attempt
	if window <= 0 || window > t.MaxDelay {
		window = t.MaxDelay
	}
	return time.Duration(rand.Int64N(int64(window) + 1))
}

func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
