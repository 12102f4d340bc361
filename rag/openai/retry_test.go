package openai

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type countingTransport struct {
	calls int
	err   error
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls++
	return nil, c.err
}

func TestRetryTransportErrors(t *testing.T) {
	// A refused connection is retried; an error a lower transport made up is not.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rt := &RetryTransport{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	client := &http.Client{Transport: rt}
	start := time.Now()
	if _, err := client.Post(url, "application/json", strings.NewReader("{}")); err == nil {
		t.Fatal("refused connection: want an error")
	}
	if time.Since(start) > 5*time.Second {
		t.Error("retries did not honour MaxDelay")
	}
	made := &countingTransport{err: errors.New("not recorded")}
	rt.Next = made
	if _, err := client.Get("http://example.invalid/"); err == nil || made.calls != 1 {
		t.Errorf("made-up error: %v after %d calls, want 1 call", err, made.calls)
	}
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{{"3", 3 * time.Second, true}, {"0.5", 500 * time.Millisecond, true}, {"", 0, false}, {"soon", 0, false}, {"-1", 0, false}} {
		got, ok := retryAfter(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
