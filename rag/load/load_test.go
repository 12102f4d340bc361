package load

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ragcite/ragcite/rag"
)

func TestParseFile(t *testing.T) {
	page := `<!doctype html><html><head><title>Harbour news</title><script>var tracking = "do not index";</script>
<style>p { color: red }</style></head><body>
<nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
<article><h1>Harbour news</h1>
<p>The harbour master counted <b>17 ships</b> in May, the most since records began in 1921.</p>
<p>Fishing crews said the new breakwater made the winter storms far easier to ride out, and the council
plans to extend it by another forty metres next year if the budget allows it.</p>
<p>Visitors can tour the lighthouse on Saturdays; the keeper logged 42 storms in 1911 alone.</p></article>
<footer>Copyright 2024 Harbour Gazette. All rights reserved.</footer></body></html>`
	tests := []struct {
		name, file, data  string
		wantID, wantTitle string
		wantIn, wantOut   []string
		wantErr           error
	}{
		{name: "txt", file: "a/b.txt", data: "\ufeffFirst line title\r\nBody text.\r\n", wantID: "a/b", wantTitle: "First line title",
			wantIn: []string{"First line title\nBody text."}, wantOut: []string{"\r", "\ufeff"}},
		{name: "markdown", file: "notes.md", data: "# Heading\n\nSome *text*.", wantID: "notes", wantTitle: "Heading", wantIn: []string{"Some *text*."}},
		{name: "html", file: "news.html", data: page, wantID: "news", wantTitle: "Harbour news",
			wantIn:  []string{"17 ships in May", "keeper logged 42 storms"},
			wantOut: []string{"tracking", "color: red", "About us", "<p>"}},
		{name: "binary", file: "x.txt", data: "PK\x00\x03", wantErr: rag.ErrUnsupportedFile},
		{name: "latin-1", file: "x.txt", data: "caf\xe9", wantErr: rag.ErrUnsupportedFile},
		{name: "unknown extension", file: "x.xlsx", data: "PK", wantErr: rag.ErrUnsupportedFile},
		{name: "broken pdf", file: "x.pdf", data: "%PDF", wantErr: rag.ErrUnsupportedFile},
		{name: "broken docx", file: "x.docx", data: "PK", wantErr: rag.ErrUnsupportedFile},
		{name: "empty", file: "x.txt", data: " \n ", wantErr: rag.ErrUnsupportedFile},
		{name: "jsonl bad line", file: "x.jsonl", data: `{"id":"a","text":"ok"}` + "\n{", wantErr: rag.ErrUnsupportedFile},
		{name: "jsonl unknown field", file: "x.jsonl", data: `{"id":"a","text":"ok","body":"x"}`, wantErr: rag.ErrUnsupportedFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := ParseFile(tc.file, "src/"+tc.file, []byte(tc.data))
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(docs) != 1 {
				t.Fatalf("ParseFile = %+v, %v", docs, err)
			}
			d := docs[0]
			if d.ID != tc.wantID || d.Title != tc.wantTitle || d.Source != "src/"+tc.file {
				t.Errorf("id %q title %q source %q", d.ID, d.Title, d.Source)
			}
			for _, s := range tc.wantIn {
				if !strings.Contains(d.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, d.Text)
				}
			}
			for _, s := range tc.wantOut {
				if strings.Contains(d.Text, s) {
					t.Errorf("text has %q:\n%s", s, d.Text)
				}
			}
		})
	}
}

func TestParseJSONL(t *testing.T) {
	data := `{"id":"a","title":"A","text":"Alpha text.","source":"s","metadata":{"k":"v"}}` + "\n\n" + `{"text":"No id here."}` + "\n"
	docs, err := parseJSONL(strings.NewReader(data), "file", "src")
	if err != nil || len(docs) != 2 {
		t.Fatalf("%+v %v", docs, err)
	}
	if docs[0].Metadata["k"] != "v" || docs[0].Source != "s" || docs[1].ID != "file/3" || docs[1].Source != "src" || docs[1].Title != "No id here." {
		t.Errorf("docs %+v", docs)
	}
	if _, err := parseJSONL(strings.NewReader(`{"id":"a#1","text":"x"}`), "f", "s"); !errors.Is(err, rag.ErrInvalidArgument) {
		t.Errorf("bad id: %v", err)
	}
}

// FuzzParseFile: any input is either a clear error or documents whose text
// is valid UTF-8 and passes validation, never a panic.
func FuzzParseFile(f *testing.F) {
	f.Add("a.txt", "Hello. World.")
	f.Add("a.html", "<html><body><p>Hi <b>there</b></p><script>x</script></body></html>")
	f.Add("a.jsonl", `{"id":"a","text":"t"}`+"\n"+`{"text":"u"}`)
	f.Add("a.md", "# T\n\nBody")
	f.Fuzz(func(t *testing.T, name, data string) {
		docs, err := ParseFile(name, "src", []byte(data))
		if err != nil {
			return
		}
		for _, d := range docs {
			if !utf8.ValidString(d.Text) {
				t.Fatalf("invalid UTF-8 text from %q", name)
			}
			if err := rag.ValidateDocument(d); err != nil {
				t.Fatalf("document from %q fails validation: %v", name, err)
			}
		}
	})
}

// A document's source is its path relative to the ingested root, so the
// server's file system layout is not shown to readers.
func TestPathsSourceRelativeToRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"a.txt": "Alpha text.", "sub/b.md": "# B\n\nBeta text."} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		paths []string
		want  map[string]string // id -> source
	}{
		{"directory", []string{root}, map[string]string{"a": "a.txt", "sub/b": "sub/b.md"}},
		{"file", []string{filepath.Join(root, "sub", "b.md")}, map[string]string{"b": "b.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs, _, err := Paths(tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range docs {
				got[d.ID] = d.Source
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("sources %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseHTMLHeadings(t *testing.T) {
	page := `<html><head><title>Port guide</title></head><body><article>
<h1>Port guide</h1><p>The port opened in 1850 and has served ferries ever since, through wars and storms alike.</p>
<h2>Fees</h2><p>Mooring costs 40 euros a night for boats under ten metres, payable at the harbour office.</p>
<h3> </h3><p>An empty heading is dropped and leaves no mark in the text at all, as the test checks.</p>
<h2>Hours</h2><p>The office opens at eight in the morning and closes at six in the evening every day.</p>
</article></body></html>`
	d, err := parseHTML(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(d.Text, 0) {
		t.Fatalf("heading marks left in the text: %q", d.Text)
	}
	var got []string
	for _, h := range strings.Split(d.Metadata[rag.MetaHeadings], ",") {
		off, level, _ := strings.Cut(h, ":")
		n := 0
		fmt.Sscan(off, &n)
		line, _, _ := strings.Cut(d.Text[n:], "\n")
		got = append(got, level+" "+line)
	}
	want := []string{"2 Fees", "2 Hours"}
	if strings.Contains(d.Text, "Port guide\n") {
		want = append([]string{"1 Port guide"}, want...)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("headings = %q, want %q\n%s", got, want, d.Text)
	}
}
