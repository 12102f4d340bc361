package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	goldenfile "github.com/ragcite/ragcite/internal/golden"
)

// elapsed matches the run-dependent parts of CLI output.
var elapsed = regexp.MustCompile(`(; )\d+(\.\d+)?(ms|s|µs)\b|("timing_ms": )[0-9.e+-]+`)

func normalise(s string) string {
	return elapsed.ReplaceAllString(s, "${1}${4}ELAPSED")
}

// golden compares got with testdata/name (go test -update rewrites it).
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.Assert(t, filepath.Join("testdata", name), got)
}

// runCLI runs the command line in-process.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestCLIGolden(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	data := t.TempDir()
	steps := []struct {
		name string
		args []string
	}{
		{"ingest.txt", []string{"ingest", "--data", data, "../../testdata/articles"}},
		{"reingest.txt", []string{"ingest", "--data", data, "../../testdata/articles"}},
		{"ask.txt", []string{"ask", "--data", data, "How much is Amazon reportedly considering investing in OpenAI?"}},
		{"ask.json", []string{"ask", "--data", data, "--json", "-k", "6", "Which AI chips would OpenAI use under the Amazon deal?"}},
		{"ask-abstain.txt", []string{"ask", "--data", data, "What is the boiling point of liquid nitrogen?"}},
		{"summarize.txt", []string{"summarize", "--data", data, "--doc", "003_17dd2cfb5a48fc5b", "--max-sentences", "3"}},
		{"docs-list.txt", []string{"docs", "list", "--data", data}},
	}
	for _, s := range steps {
		out, stderr, err := runCLI(t, s.args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, stderr)
		}
		golden(t, s.name, normalise(out))
	}
}

func TestCLIErrors(t *testing.T) {
	data := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"unknown flag", []string{"ask", "--nope", "x"}, 2, "unknown flag"},
		{"no question", []string{"ask", "--data", data}, 2, "requires at least 1 arg"},
		{"empty question", []string{"ask", "--data", data, "  "}, 2, "question is empty"},
		{"zero top-k", []string{"ask", "--data", data, "-k", "0", "x"}, 2, "--top-k 0: must be 1 or more"},
		{"negative top-k", []string{"ask", "--data", data, "-k", "-3", "x"}, 2, "--top-k -3"},
		{"bad chunk size", []string{"ingest", "--data", data, "--chunk-tokens", "4", "../../testdata/articles"}, 2, "chunk size"},
		{"missing path", []string{"ingest", "--data", data, "no/such/dir"}, 1, "no such file"},
		{"unknown doc", []string{"docs", "delete", "--data", data, "nope"}, 1, "not found"},
		{"bad embedder", []string{"ask", "--data", data, "--embedder", "magic", "x"}, 2, "--embedder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runCLI(t, tc.args...)
			var stderr bytes.Buffer
			code := exitCodeTo(err, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit code %d (%v), want %d", code, err, tc.wantCode)
			}
			if !strings.Contains(stderr.String(), tc.wantMsg) {
				t.Errorf("stderr %q does not contain %q", stderr.String(), tc.wantMsg)
			}
		})
	}
}

func TestCLIIngestSkipsBadFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"good.txt":      "A perfectly good sentence about zebras.",
		"sub/nested.md": "# Nested\nZebras live in Africa.",
		"binary.txt":    "PK\x00\x03\x04 binary",
		"latin1.txt":    "caf\xe9 au lait",
		"image.png":     "\x89PNG",
		"docs.jsonl":    `{"id":"j1","title":"J","text":"Zebras run fast."}` + "\n",
		"broken.jsonl":  `{"id":"x","text":` + "\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	out, stderr, err := runCLI(t, "ingest", "--data", data, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "3 created") || !strings.Contains(out, "4 skipped") {
		t.Errorf("summary %q, want 3 created and 4 skipped", out)
	}
	for _, name := range []string{"binary.txt", "latin1.txt", "image.png", "broken.jsonl"} {
		if !strings.Contains(stderr, name) {
			t.Errorf("no warning naming %s in %q", name, stderr)
		}
	}
	list, _, err := runCLI(t, "docs", "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"good", "sub/nested", "j1"} {
		if !strings.Contains(list, id+"\t") {
			t.Errorf("docs list %q lacks %s", list, id)
		}
	}
}

func TestCLIEvalGate(t *testing.T) {
	dir := t.TempDir()
	articles, _ := filepath.Abs("../../testdata/articles")
	suite := filepath.Join(dir, "impossible.yaml")
	body := "name: impossible\ndocuments: [" + articles + "]\ncases:\n" +
		"  - id: ceo\n    question: Who is the CEO of OpenAI?\n    expect: {facts: [[Sam Altman]]}\n" +
		"  - id: impossible-ceo\n    question: Who is the CEO of OpenAI?\n    expect: {facts: [[Satya Nadella]]}\n" +
		"gates: {min_pass_rate: 1}\n"
	if err := os.WriteFile(suite, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(dir, "junit.xml")
	report := filepath.Join(dir, "report.json")
	out, _, err := runCLI(t, "eval", "--suite", suite, "--junit", junit, "--json", report)
	var stderr bytes.Buffer
	if code := exitCodeTo(err, &stderr); code != 1 {
		t.Fatalf("exit code %d (%v), want 1\n%s", code, err, out)
	}
	x, _ := os.ReadFile(junit)
	if !strings.Contains(string(x), `<testcase name="impossible-ceo"`) || !strings.Contains(string(x), `<failure message="missing fact: Satya Nadella"`) {
		t.Errorf("JUnit report does not name the failing case:\n%s", x)
	}
	// The same suite compared with its own report as baseline still fails on
	// its gate, and a missing suite is a setup error (exit 2).
	_, _, err = runCLI(t, "eval", "--suite", suite, "--baseline", report)
	if code := exitCodeTo(err, &stderr); code != 1 {
		t.Errorf("with baseline: exit code %d, want 1", code)
	}
	_, _, err = runCLI(t, "eval", "--suite", filepath.Join(dir, "missing.yaml"))
	if code := exitCodeTo(err, &stderr); code != 2 {
		t.Errorf("missing suite: exit code %d, want 2", code)
	}
	_, _, err = runCLI(t, "eval")
	if code := exitCodeTo(err, &stderr); code != 2 {
		t.Errorf("no suite: exit code %d, want 2", code)
	}
}

func TestCLIEvalSeedSuitePasses(t *testing.T) {
	out, _, err := runCLI(t, "eval", "--suite", "../../testdata/eval/seed.yaml")
	if err != nil {
		t.Fatalf("seed suite: %v\n%s", err, out)
	}
}

func TestIngestFailsWhenEverythingSkipped(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blob.bin"), []byte{0, 1, 2, 3}, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.txt"), []byte{0xff, 0xfe, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := runCLI(t, "ingest", "--data", t.TempDir(), dir)
	if err == nil || !strings.Contains(err.Error(), "skipped") {
		t.Fatalf("ingest of only unusable files: err %v, want an error saying all were skipped", err)
	}
	if !strings.Contains(stderr, "warning:") {
		t.Errorf("no warnings printed: %q", stderr)
	}
}

func TestCheckFindsAndRepairsDamage(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	data := t.TempDir()
	if _, stderr, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	out, _, err := runCLI(t, "check", "--data", data)
	if err != nil || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check of a sound store: %v\n%s", err, out)
	}
	logs, _ := filepath.Glob(filepath.Join(data, "log", "*.batch"))
	if len(logs) == 0 {
		t.Fatal("no batch files")
	}
	b, err := os.ReadFile(logs[0])
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	if err := os.WriteFile(logs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "check", "--data", data)
	if err == nil || !strings.Contains(out, "damaged:") {
		t.Fatalf("check of a damaged store: err %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "check", "--data", data, "--repair")
	if err != nil || !strings.Contains(out, "repaired") {
		t.Fatalf("check --repair: %v\n%s", err, out)
	}
	if out, _, err = runCLI(t, "check", "--data", data); err != nil || !strings.HasSuffix(out, "ok\n") {
		t.Fatalf("check after repair: %v\n%s", err, out)
	}
}

// TestIngestIntoExistingStore: ingest opens the store write-only (its
// registry, not its index); adding to, updating and deleting from an
// existing store that way leaves what ask then serves.
func TestIngestIntoExistingStore(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	data, src := t.TempDir(), t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(src, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ferry.md", "# Ferry\n\nThe ferry to Valmora leaves at seven every morning.\n")
	write("light.md", "# Light\n\nThe harbour light was first lit in 1871.\n")
	write("gone.md", "# Gone\n\nA note that is deleted later.\n")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"ingest", "--data", data, src}, "3 created, 0 updated, 0 unchanged"},
		{[]string{"docs", "delete", "--data", data, "gone"}, "deleted gone"},
		{[]string{"ingest", "--data", data, filepath.Join(src, "ferry.md"), filepath.Join(src, "light.md"), filepath.Join(src, "mill.md")}, "1 created, 1 updated, 1 unchanged"},
		{[]string{"docs", "list", "--data", data}, "mill\t1 chunks"},
		{[]string{"ask", "--data", data, "When does the ferry to Valmora leave?"}, "eight"},
		{[]string{"ask", "--data", data, "Who built the windmill?"}, "Anna Berg"},
	}
	for i, s := range steps {
		if i == 2 {
			write("ferry.md", "# Ferry\n\nThe ferry to Valmora now leaves at eight every morning.\n")
			write("mill.md", "# Mill\n\nThe windmill was built by Anna Berg in 1902.\n")
		}
		out, stderr, err := runCLI(t, s.args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", s.args, err, stderr)
		}
		if !strings.Contains(out, s.want) {
			t.Fatalf("%v:\n%s\nwant it to contain %q", s.args, out, s.want)
		}
	}
	out, _, _ := runCLI(t, "docs", "list", "--data", data)
	if strings.Contains(out, "gone\t") {
		t.Fatalf("a deleted document is listed:\n%s", out)
	}
}
