package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestServeGracefulShutdown: once Serve's context is done, a request in
// flight still completes, new connections are refused, and Serve returns nil.
func TestServeGracefulShutdown(t *testing.T) {
	s := newTestServer(t, Config{ShutdownTimeout: 10 * time.Second})
	started := make(chan struct{})
	s.router.POST("/slow", func(c *gin.Context) {
		s.stream(c, func(ctx context.Context, emit func(string) error) (any, error) {
			close(started)
			time.Sleep(300 * time.Millisecond)
			if err := emit("finished "); err != nil {
				return nil, err
			}
			return map[string]string{"answer": "finished "}, nil
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()

	type reply struct {
		events []sseEvent
		err    error
	}
	replies := make(chan reply, 1)
	go func() {
		res, err := http.Post(url+"/slow", "application/json", strings.NewReader(`{}`))
		if err != nil {
			replies <- reply{err: err}
			return
		}
		defer res.Body.Close()
		replies <- reply{events: readEvents(t, res.Body)}
	}()
	<-started
	cancel()

	r := <-replies
	if r.err != nil {
		t.Fatalf("in-flight request failed during shutdown: %v", r.err)
	}
	if len(r.events) != 2 || r.events[1].name != "done" {
		t.Fatalf("in-flight request got %+v, want delta and done", r.events)
	}
	var done map[string]string
	if err := json.Unmarshal([]byte(r.events[1].data), &done); err != nil || done["answer"] != "finished " {
		t.Fatalf("done event %q: %v", r.events[1].data, err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
	if rec := (request{"GET", "/readyz", "", nil}).do(t, s.Handler()); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("readyz after shutdown: %d, want 503", rec.Code)
	}
}
