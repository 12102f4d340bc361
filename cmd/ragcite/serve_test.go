package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeCommand runs `ragcite serve` in-process: it ingests the sample
// articles, becomes ready, answers, and on cancellation (what SIGTERM does
// through main's signal.NotifyContext) shuts down and flushes the store.
func TestServeCommand(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	var logs lockedBuffer
	go func() {
		err := run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--ingest", "../../testdata/articles",
			"--api-key", "wkey", "--read-key", "rkey", "--log-level", "info"}, pw, &logs)
		pw.Close()
		done <- err
	}()
	lines := bufio.NewScanner(pr)
	var base string
	for lines.Scan() {
		if _, rest, ok := strings.Cut(lines.Text(), "serving on "); ok {
			base = strings.Fields(rest)[0]
			break
		}
	}
	if base == "" {
		t.Fatalf("serve printed no address; it returned %v", <-done)
	}
	go io.Copy(io.Discard, pr)

	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("serve never became ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
	ask := func(key string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", base+"/v1/ask", strings.NewReader(`{"question":"How much is Amazon reportedly considering investing in OpenAI?"}`))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body map[string]any
		json.NewDecoder(res.Body).Decode(&body)
		return res.StatusCode, body
	}
	if code, _ := ask(""); code != http.StatusUnauthorized {
		t.Errorf("ask without a key: %d, want 401", code)
	}
	if code, body := ask("rkey"); code != http.StatusOK || !strings.Contains(body["answer"].(string), "[1]") {
		t.Errorf("ask with the read key: %d %v", code, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}

	// A --data directory that did not exist is a new store, and the log says so.
	if l := logs.String(); !strings.Contains(l, `msg="created a new store" data=`+data) {
		t.Errorf("serve did not log the new store:\n%s", l)
	}
	// Keys given as flags show in ps: serve says so and names the variable.
	for _, want := range []string{"warning: --api-key", "RAGCITE_API_KEYS", "warning: --read-key", "RAGCITE_READ_KEYS"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("serve with key flags does not warn %q", want)
		}
	}

	// The store was flushed: the documents are there for the next run.
	var out strings.Builder
	if err := run(context.Background(), []string{"docs", "list", "--data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 5 {
		t.Errorf("%d documents after restart, want 5:\n%s", n, out.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for a concurrent writer and reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
