package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/eval"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

func TestErrorHints(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // "" means no hint
	}{
		{"embedder mismatch", fmt.Errorf("open: %w", &rag.EmbedderMismatchError{Stored: "local-v1-384", StoredDim: 384, Want: "openai:text-embedding-3-small", WantDim: 1536}),
			"use --embedder local, or ingest into a new --data directory"},
		{"openai store", &rag.EmbedderMismatchError{Stored: "openai:text-embedding-3-large", Want: "local-v1-384"}, "use --embedder openai,"},
		{"corrupt segment", fmt.Errorf("open store: read segment d.seg: %w: %w", chromemstore.ErrCorruptSegment, errors.New("truncated")),
			"delete the file and ingest the document again"},
		{"not recorded", fmt.Errorf("ask: %w: POST /v1/chat/completions", eval.ErrNotRecorded), "run once without --replay-only"},
		{"corrupt recording", fmt.Errorf("replay: x.json: %w: %w", eval.ErrCorruptRecording, errors.New("bad json")), "delete the recording"},
		{"other", errors.New("boom"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			exitCodeTo(tc.err, &stderr)
			out := stderr.String()
			if !strings.HasPrefix(out, "ragcite: "+tc.err.Error()) {
				t.Errorf("stderr %q does not start with the error", out)
			}
			if tc.want == "" {
				if out != "ragcite: "+tc.err.Error()+"\n" {
					t.Errorf("stderr %q has a hint", out)
				}
				return
			}
			if !strings.Contains(out, "; "+tc.want) {
				t.Errorf("stderr %q lacks the hint %q", out, tc.want)
			}
		})
	}
}
