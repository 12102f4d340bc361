package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ragcite/ragcite/eval"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// hint says what the user can do about err on the command line, or "".
// Library errors say what happened; the flags and commands to fix it are
// the CLI's to name.
func hint(err error) string {
	var mismatch *rag.EmbedderMismatchError
	switch {
	case errors.As(err, &mismatch):
		return fmt.Sprintf("use --embedder %s, or ingest into a new --data directory (or delete this one) to switch",
			embedderFlag(mismatch.Stored))
	case errors.Is(err, chromemstore.ErrCorruptSegment):
		return "delete the file and ingest the document again"
	case errors.Is(err, eval.ErrNotRecorded):
		return "run once without --replay-only to record it"
	case errors.Is(err, eval.ErrCorruptRecording):
		return "delete the recording to record the exchange again"
	}
	return ""
}

// embedderFlag is the --embedder value that selects the embedder named
// name ("local-v1-384" -> "local", "openai:text-embedding-3-small" -> "openai").
func embedderFlag(name string) string {
	if i := strings.IndexAny(name, ":-"); i > 0 {
		return name[:i]
	}
	return name
}
