package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIVerify(t *testing.T) {
	dir := t.TempDir()
	passage := filepath.Join(dir, "deal.txt")
	if err := os.WriteFile(passage, []byte("Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "verify", "--passage", passage, "Amazon is in talks to invest at least $10 billion in OpenAI. Amazon will buy Google for $900 billion.")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "verify.txt", strings.ReplaceAll(out, dir, "DIR"))

	data := t.TempDir()
	if _, _, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "verify", "--data", data, "--json", "--doc", "000_bc28017ad2dcc5a8", "--claim", "Amazon is reportedly considering an investment in OpenAI.")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"doc_id": "000_bc28017ad2dcc5a8"`) || !strings.Contains(out, `"support": "`) {
		t.Errorf("verify --doc --json printed %s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no passages", []string{"verify", "Amazon invests."}, "passages or doc_ids"},
		{"missing file", []string{"verify", "--passage", filepath.Join(dir, "none.txt"), "x"}, "none.txt"},
		{"text and claim", []string{"verify", "--passage", passage, "--claim", "a", "b"}, "not both"},
		{"bad verifier", []string{"verify", "--verifier", "oracle", "--passage", passage, "a"}, "--verifier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			var ue *usageError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want a usage error containing %q", err, tc.want)
			}
		})
	}
}
