package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIExitCodesGolden records the exit code and the message of every
// kind of command line mistake in testdata/exit-codes.txt: usage errors
// exit 2 with one line naming the problem; run-time errors exit 1.
func TestCLIExitCodesGolden(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	empty := filepath.Join(t.TempDir(), "empty")
	if _, _, err := runCLI(t, "docs", "list", "--data", empty); err != nil { // creates an empty store
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "no-such-store")
	data := t.TempDir()
	if _, _, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatal(err)
	}
	tests := [][]string{
		{"lst"},
		{"docs", "lst"},
		{"docs"},
		{"ask", "--data", data, "-k", "0", "Who is the CEO of OpenAI?"},
		{"search", "--data", data, "--top-k", "0", "OpenAI"},
		{"summarize", "--data", data, "--doc", "003_17dd2cfb5a48fc5b", "--max-sentences", "0"},
		{"ask", "--data", data, "--nope", "x"},
		{"ask", "--data", data},
		{"ask", "--data", data, "--mode", "poetry", "x"},
		{"ask", "--data", missing, "Who is the CEO of OpenAI?"},
		{"ask", "--data", empty, "Who is the CEO of OpenAI?"},
		{"search", "--data", empty, "OpenAI"},
		{"summarize", "--data", empty, "--query", "OpenAI"},
		{"eval"},
		{"eval", "--suite", "a.yaml", "--wikiqa", "b.tsv"},
		{"eval", "--suite", "../../testdata/eval/seed.yaml", "--dump", "x.jsonl"},
		{"eval", "--wikiqa", "../../testdata/wikiqa-sample.tsv", "--baseline", "r.json"},
		{"eval", "--suite", "testdata/no-such-suite.yaml"},
		{"eval", "--suite", "testdata/bad-suite.yaml"},
	}
	var got strings.Builder
	for _, args := range tests {
		_, _, err := runCLI(t, args...)
		var stderr bytes.Buffer
		code := exitCodeTo(err, &stderr)
		msg := strings.NewReplacer(data, "DATA", empty, "EMPTY", missing, "MISSING").Replace(stderr.String())
		fmt.Fprintf(&got, "$ ragcite %s\nexit %d: %s\n", strings.NewReplacer(data, "DATA", empty, "EMPTY", missing, "MISSING").Replace(strings.Join(args, " ")), code, msg)
		if code == 2 && strings.Count(strings.TrimSpace(msg), "\n") > 0 {
			t.Errorf("%v: a usage error of more than one line:\n%s", args, msg)
		}
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("ask created the store %s it was pointed at by mistake", missing)
	}
	golden(t, "exit-codes.txt", got.String())
}

func TestCLIVersion(t *testing.T) {
	out, _, err := runCLI(t, "--version")
	if err != nil || !strings.HasPrefix(out, "ragcite ") || !strings.Contains(out, "go1.") {
		t.Errorf("--version: %q %v", out, err)
	}
}

// A suite without gates fails when any case fails; min_pass_rate relaxes it.
func TestCLIEvalNoGatesEveryCaseMustPass(t *testing.T) {
	dir := t.TempDir()
	articles, _ := filepath.Abs("../../testdata/articles")
	cases := "cases:\n" +
		"  - id: ceo\n    question: Who is the CEO of OpenAI?\n    expect: {facts: [[Sam Altman]]}\n" +
		"  - id: wrong-ceo\n    question: Who is the CEO of OpenAI?\n    expect: {facts: [[Satya Nadella]]}\n"
	for _, tc := range []struct {
		name, gates string
		wantCode    int
	}{
		{"no gates", "", 1},
		{"relaxed", "gates: {min_pass_rate: 0.5}\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			suite := filepath.Join(dir, tc.name+".yaml")
			body := "name: x\ndocuments: [" + articles + "]\n" + cases + tc.gates
			if err := os.WriteFile(suite, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			out, _, err := runCLI(t, "eval", "--suite", suite)
			if code := exitCodeTo(err, &bytes.Buffer{}); code != tc.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tc.wantCode, out)
			}
		})
	}
}

// Every eval mode writes every report format it is asked for.
func TestCLIEvalEveryModeWritesEveryReport(t *testing.T) {
	modes := map[string][]string{
		"suite":       {"--suite", "../../testdata/eval/seed.yaml"},
		"wikiqa":      {"--wikiqa", "../../testdata/wikiqa-sample.tsv"},
		"attribution": {"--attribution", "../../eval/testdata/attribution-small.jsonl"},
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			out := func(f string) string { return filepath.Join(dir, f) }
			args := append([]string{"eval"}, mode...)
			args = append(args, "--json", out("r.json"), "--junit", out("r.xml"), "--markdown", out("r.md"), "--html", out("r.html"))
			if stdout, _, err := runCLI(t, args...); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, stdout)
			}
			read := func(f string) []byte {
				b, err := os.ReadFile(out(f))
				if err != nil || len(b) == 0 {
					t.Fatalf("%s: %v (%d bytes)", f, err, len(b))
				}
				return b
			}
			var js map[string]any
			if err := json.Unmarshal(read("r.json"), &js); err != nil {
				t.Errorf("JSON report: %v", err)
			}
			if err := xml.Unmarshal(read("r.xml"), new(struct {
				XMLName xml.Name `xml:"testsuites"`
			})); err != nil {
				t.Errorf("JUnit report: %v", err)
			}
			if md := read("r.md"); !bytes.HasPrefix(md, []byte("## ")) {
				t.Errorf("Markdown report: %q", md)
			}
			if html := read("r.html"); !bytes.Contains(html, []byte("</html>")) {
				t.Errorf("HTML report is not a page")
			}
		})
	}
}
