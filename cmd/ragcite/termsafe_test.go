package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTermSafe(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text\nand a tab\t.", "plain text\nand a tab\t."},
		{"\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"bell\x07 nul\x00 cr\r del\x7f", `bell\x07 nul\x00 cr\x0d del\x7f`},
		{"csi\u009b2J", `csi\u009b2J`},
		{"rtl \u202eevil", `rtl \u202eevil`},
		{"café – ünïcode", "café – ünïcode"},
	}
	for _, tc := range cases {
		if got := termSafe(tc.in); got != tc.want {
			t.Errorf("termSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCLIEscapesControlCharacters: ids, titles and text that carry
// terminal escapes print them escaped in every human-readable output.
func TestCLIEscapesControlCharacters(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	data := t.TempDir()
	file := filepath.Join(t.TempDir(), "evil.jsonl")
	rec := `{"id":"evil\u001b]0;pwned\u0007","title":"\u001b[31mRed title\u0000","text":"The night ferry leaves the harbour at seven.\u001b[2J The ferry is blue."}` + "\n"
	if err := os.WriteFile(file, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runCLI(t, "ingest", "--data", data, file); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	for _, args := range [][]string{
		{"docs", "list", "--data", data},
		{"search", "--data", data, "night ferry harbour"},
		{"ask", "--data", data, "When does the night ferry leave the harbour?"},
		{"summarize", "--data", data, "--doc", "evil\x1b]0;pwned\x07"},
		{"docs", "delete", "--data", data, "evil\x1b]0;pwned\x07"},
	} {
		out, errOut, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, errOut)
		}
		if strings.ContainsAny(out+errOut, "\x1b\x07\x00") {
			t.Errorf("%v printed raw control characters: %q", args[:2], out)
		}
		if !strings.Contains(out, `\x1b`) {
			t.Errorf("%v shows no escaped id or title: %q", args[:2], out)
		}
	}
}
