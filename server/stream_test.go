package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	name string
	data string
}

// readEvents parses an event stream until EOF.
func readEvents(t *testing.T, r io.Reader) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.name != "" || cur.data != "" {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			cur.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			cur.data += strings.TrimPrefix(line, "data: ")
		default:
			t.Fatalf("unexpected line in event stream: %q", line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// postStream POSTs body to a live server and returns the parsed events.
func postStream(t *testing.T, url, body string) (*http.Response, []sseEvent) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res, readEvents(t, res.Body)
}

// deltasAndDone checks the stream shape (deltas, then exactly one done, last)
// and returns the concatenated deltas and the done payload.
func deltasAndDone(t *testing.T, evs []sseEvent) (string, []byte) {
	t.Helper()
	if len(evs) < 2 {
		t.Fatalf("got %d events, want deltas and a done: %+v", len(evs), evs)
	}
	var text strings.Builder
	for i, ev := range evs {
		switch {
		case ev.name == "delta" && i < len(evs)-1:
			var d struct{ Text string }
			if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
				t.Fatalf("delta %d: %v: %s", i, err, ev.data)
			}
			text.WriteString(d.Text)
		case ev.name == "done" && i == len(evs)-1:
		default:
			t.Fatalf("event %d is %q; want deltas then one done last", i, ev.name)
		}
	}
	return text.String(), []byte(evs[len(evs)-1].data)
}

func TestAskStream(t *testing.T) {
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	res, evs := postStream(t, ts.URL+"/v1/ask", `{"question":"`+amazonQuestion+`","stream":true}`)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("status %d content type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	text, done := deltasAndDone(t, evs)
	var ans rag.Answer
	if err := json.Unmarshal(done, &ans); err != nil {
		t.Fatal(err)
	}
	if text != ans.Answer {
		t.Errorf("deltas concatenate to\n%q\nbut done.answer is\n%q", text, ans.Answer)
	}
	if len(ans.Citations) == 0 || !strings.Contains(ans.Answer, "[1]") {
		t.Errorf("streamed answer has no citations: %+v", ans)
	}
	if len(ans.Sentences) == 0 {
		t.Errorf("the done event lists no sentences: %+v", ans)
	}
	plainText := regexp.MustCompile(`\s*\[\d+\]`).ReplaceAllString(ans.Answer, "")
	for _, sn := range ans.Sentences {
		if !strings.Contains(plainText, sn.Text) || sn.Support == "" {
			t.Errorf("done sentence %+v is not a graded sentence of the answer", sn)
		}
	}
	// The streamed reply is the JSON reply.
	rec := request{"POST", "/v1/ask", `{"question":"` + amazonQuestion + `"}`, nil}.do(t, s.Handler())
	var plain rag.Answer
	if err := json.Unmarshal(rec.Body.Bytes(), &plain); err != nil {
		t.Fatal(err)
	}
	if plain.Answer != ans.Answer || len(plain.Citations) != len(ans.Citations) {
		t.Errorf("streamed and plain answers differ:\n%q\n%q", ans.Answer, plain.Answer)
	}
}

func TestSummarizeStream(t *testing.T) {
	s := newTestServer(t, Config{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	_, evs := postStream(t, ts.URL+"/v1/summarize", `{"doc_ids":["000_bc28017ad2dcc5a8"],"stream":true}`)
	text, done := deltasAndDone(t, evs)
	var sum rag.Summary
	if err := json.Unmarshal(done, &sum); err != nil {
		t.Fatal(err)
	}
	if text != sum.Summary || len(sum.Citations) == 0 {
		t.Errorf("deltas %q, summary %q, %d citations", text, sum.Summary, len(sum.Citations))
	}
	if len(sum.Sentences) == 0 {
		t.Errorf("the done event lists no sentences: %+v", sum)
	}
}

// streamServer serves s.stream(produce) at POST /stream.
func streamServer(t *testing.T, produce produceFunc) *httptest.Server {
	t.Helper()
	s := newTestServer(t, Config{Engine: newEngine(t)})
	s.router.POST("/stream", func(c *gin.Context) { s.stream(c, produce) })
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func TestStreamErrorAfterFirstByte(t *testing.T) {
	ts := streamServer(t, func(ctx context.Context, emit func(string) error) (any, error) {
		if err := emit("partial "); err != nil {
			return nil, err
		}
		return nil, errors.New("store exploded")
	})
	res, evs := postStream(t, ts.URL+"/stream", `{}`)
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if len(evs) != 2 || evs[0].name != "delta" || evs[1].name != "error" {
		t.Fatalf("events %+v, want delta then error", evs)
	}
	var e errorBody
	if err := json.Unmarshal([]byte(evs[1].data), &e); err != nil || e.Error.Code != "internal" {
		t.Fatalf("error event %q: %v", evs[1].data, err)
	}
	if strings.Contains(evs[1].data, "exploded") {
		t.Errorf("internal detail leaked to the client: %s", evs[1].data)
	}
}

func TestStreamErrorBeforeFirstByte(t *testing.T) {
	ts := streamServer(t, func(ctx context.Context, emit func(string) error) (any, error) {
		return nil, rag.ErrNotFound
	})
	res, err := http.Post(ts.URL+"/stream", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), `"not_found"`) {
		t.Fatalf("status %d type %q body %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
}

// TestStreamClientDisconnect: a client that goes away cancels the work.
func TestStreamClientDisconnect(t *testing.T) {
	canceled := make(chan error, 1)
	ts := streamServer(t, func(ctx context.Context, emit func(string) error) (any, error) {
		if err := emit("first "); err != nil {
			return nil, err
		}
		<-ctx.Done()
		canceled <- ctx.Err()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/stream", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(res.Body).ReadString('\n')
	if err != nil || line != "event: delta\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	cancel()
	res.Body.Close()
	select {
	case err := <-canceled:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("work ended with %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the work was not canceled when the client went away")
	}
}
