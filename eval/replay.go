package eval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// ErrNotRecorded: replay-only mode met a request that was never recorded.
var ErrNotRecorded = errors.New("request not recorded")

// ErrCorruptRecording: a recorded exchange that cannot be decoded.
var ErrCorruptRecording = errors.New("corrupt recording")

// Replay is an http.RoundTripper that records every exchange in Dir the
// first time and replays it byte for byte afterwards, keyed by method, URL
// path and a hash of the canonical request body (headers such as
// Authorization are not part of the key, so a recording made with a key
// replays without one). With ReplayOnly, a request missing from Dir fails
// with ErrNotRecorded instead of reaching the network.
type Replay struct {
	Dir        string
	ReplayOnly bool
	// Next sends requests that are not recorded yet; nil means http.DefaultTransport.
	Next http.RoundTripper
}

var _ http.RoundTripper = (*Replay)(nil)

// recording is one stored exchange: the raw HTTP response.
type recording struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Request  string `json:"request"`
	Response []byte `json:"response"` // the whole HTTP/1.1 response, as on the wire
}

// RoundTrip implements http.RoundTripper.
func (r *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("replay: read request: %w", err)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	key := replayKey(req.Method, req.URL.Path, body)
	path := filepath.Join(r.Dir, key+".json")
	if data, err := os.ReadFile(path); err == nil {
		var rec recording
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, fmt.Errorf("replay: %s: %w: %w", path, ErrCorruptRecording, err)
		}
		return http.ReadResponse(bufio.NewReader(bytes.NewReader(rec.Response)), req)
	}
	if r.ReplayOnly {
		return nil, fmt.Errorf("%w: %s %s (key %s, body %d bytes) is not in %s",
			ErrNotRecorded, req.Method, req.URL.Path, key, len(body), r.Dir)
	}
	next := r.Next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	raw, err := dumpResponse(resp)
	if err != nil {
		return nil, err
	}
	rec := recording{Method: req.Method, Path: req.URL.Path, Request: string(body), Response: raw}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(path, data); err != nil {
		return nil, fmt.Errorf("replay: record: %w", err)
	}
	return http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), req)
}

// dumpResponse reads resp whole and returns it as HTTP/1.1 bytes.
func dumpResponse(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("replay: read response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.TransferEncoding = nil
	resp.Header.Del("Content-Length")
	var buf bytes.Buffer
	if err := resp.Write(&buf); err != nil {
		return nil, fmt.Errorf("replay: encode response: %w", err)
	}
	return buf.Bytes(), nil
}

// replayKey hashes method, path and the canonical body (JSON re-encoded
// with sorted keys, so field order does not matter).
func replayKey(method, path string, body []byte) string {
	canon := body
	var v any
	if json.Unmarshal(body, &v) == nil {
		if b, err := json.Marshal(v); err == nil {
			canon = b
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(canon)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// writeFileAtomic writes a file through a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
