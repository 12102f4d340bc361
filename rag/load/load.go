package load

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/ragcite/ragcite/rag"
)

// MaxFileBytes is the largest file the loader reads.
const MaxFileBytes = 64 << 20

// Warning names a file that was skipped and why.
type Warning struct {
	Path string
	Err  error
}

func (w Warning) String() string { return fmt.Sprintf("skipped %s: %v", w.Path, w.Err) }

// Paths loads every supported file under paths (files or directories,
// recursively). A file's document id is its path relative to the ingested
// root without extension; a file given directly is its own root ("a/b.txt"
// -> "b"). Unsupported, binary and non-UTF-8 files are skipped with a
// warning, never half-loaded. A path that does not exist is an error.
func Paths(paths []string) ([]rag.Document, []Warning, error) {
	var docs []rag.Document
	var warns []Warning
	ids := map[string]string{}
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			return nil, nil, fmt.Errorf("load %s: %w", root, err)
		}
		var files []string
		base := filepath.Dir(root)
		if st.IsDir() {
			base = root
			err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					warns = append(warns, Warning{p, err})
					return nil
				}
				if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				if d.Type().IsRegular() && !strings.HasPrefix(d.Name(), ".") {
					files = append(files, p)
				}
				return nil
			})
			if err != nil {
				return nil, nil, fmt.Errorf("load %s: %w", root, err)
			}
		} else {
			files = []string{root}
		}
		sort.Strings(files)
		for i, r := range loadFiles(base, files) {
			f := files[i]
			if r.err != nil {
				warns = append(warns, Warning{f, r.err})
				continue
			}
			for _, d := range r.docs {
				if prev, dup := ids[d.ID]; dup {
					warns = append(warns, Warning{f, fmt.Errorf("document id %q already loaded from %s", d.ID, prev)})
					continue
				}
				ids[d.ID] = f
				docs = append(docs, d)
			}
		}
	}
	return docs, warns, nil
}

// loaded is one file's documents, or why it was skipped.
type loaded struct {
	docs []rag.Document
	err  error
}

// loadFiles reads and parses files (under base) on as many goroutines as
// cores; the results are in the order of files.
func loadFiles(base string, files []string) []loaded {
	out := make([]loaded, len(files))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(files); i = int(next.Add(1) - 1) {
				rel, err := filepath.Rel(base, files[i])
				if err != nil {
					rel = filepath.Base(files[i])
				}
				out[i].docs, out[i].err = loadFile(files[i], filepath.ToSlash(rel))
			}
		}()
	}
	wg.Wait()
	return out
}

func loadFile(path, rel string) ([]rag.Document, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("%w: %d bytes is over the %d byte limit", rag.ErrUnsupportedFile, st.Size(), MaxFileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// The source is the path relative to the ingested root, never the
	// server's absolute path: readers of every answer see it.
	return ParseFile(rel, rel, data)
}

// ParseFile turns one file's bytes into documents. name is the file's path
// relative to its root (it gives the id); source is recorded as the
// document's source. Supported: .txt, .md, .markdown, .html, .htm, .jsonl,
// .pdf (see ParsePDF) and .docx (see ParseDOCX).
func ParseFile(name, source string, data []byte) ([]rag.Document, error) {
	return ParseFileContext(context.Background(), name, source, data)
}

// ParseFileContext is ParseFile whose slow formats (PDF) stop when ctx ends.
func ParseFileContext(ctx context.Context, name, source string, data []byte) ([]rag.Document, error) {
	return ParseFileLimit(ctx, name, source, data, MaxFileBytes)
}

// ErrTextLimit: a file's extracted text passed the limit it was read under.
var ErrTextLimit = errors.New("extracted text over the limit")

// ParseFileLimit is ParseFileContext that fails with ErrTextLimit once the
// text of the file's documents passes maxText bytes (at most MaxFileBytes).
// Formats that inflate (DOCX, PDF) stop extracting there, so a small
// archive never costs more memory than the limit.
func ParseFileLimit(ctx context.Context, name, source string, data []byte, maxText int) ([]rag.Document, error) {
	maxText = min(max(maxText, 0), MaxFileBytes)
	docs, err := parseFile(ctx, name, source, data, maxText)
	if err != nil {
		return nil, err
	}
	total := 0
	for _, d := range docs {
		if err := rag.ValidateDocument(d); err != nil {
			return nil, fmt.Errorf("%w: %v", rag.ErrUnsupportedFile, err)
		}
		if total += len(d.Text); total > maxText {
			return nil, fmt.Errorf("%w of %d bytes", ErrTextLimit, maxText)
		}
	}
	return docs, nil
}

func parseFile(ctx context.Context, name, source string, data []byte, maxText int) ([]rag.Document, error) {
	ext := strings.ToLower(filepath.Ext(name))
	// '#' separates a document id from a chunk number, so a file name's '#' becomes '_'.
	id := strings.ReplaceAll(strings.TrimSuffix(name, filepath.Ext(name)), "#", "_")
	switch ext {
	case ".pdf", ".docx":
		var d rag.Document
		var err error
		if ext == ".pdf" {
			d, err = parsePDF(ctx, data, maxText)
		} else {
			d, err = parseDOCX(data, maxText)
		}
		if err != nil {
			return nil, err
		}
		d.ID, d.Source = id, source
		if d.Title == "" {
			d.Title = firstLineTitle(d.Text, id)
		}
		return []rag.Document{d}, nil
	}
	if err := checkText(data); err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	switch ext {
	case ".txt", ".md", ".markdown", ".text":
		text := normaliseNewlines(string(data))
		if strings.TrimSpace(text) == "" {
			return nil, fmt.Errorf("%w: the file is empty", rag.ErrUnsupportedFile)
		}
		return []rag.Document{{ID: id, Title: firstLineTitle(text, id), Text: text, Source: source}}, nil
	case ".html", ".htm":
		d, err := parseHTML(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		d.ID, d.Source = id, source
		if d.Title == "" {
			d.Title = firstLineTitle(d.Text, id)
		}
		return []rag.Document{d}, nil
	case ".jsonl", ".ndjson":
		return parseJSONL(bytes.NewReader(data), id, source)
	}
	return nil, fmt.Errorf("%w: unknown extension %q (want .txt, .md, .html, .jsonl, .pdf or .docx)", rag.ErrUnsupportedFile, ext)
}

// checkText rejects binary and non-UTF-8 content.
func checkText(data []byte) error {
	head := data[:min(len(data), 8192)]
	if bytes.IndexByte(head, 0) >= 0 {
		return fmt.Errorf("%w: binary content (NUL bytes)", rag.ErrUnsupportedFile)
	}
	if !utf8.Valid(data) {
		return fmt.Errorf("%w: not valid UTF-8", rag.ErrUnsupportedFile)
	}
	return nil
}

func normaliseNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// firstLineTitle is the first non-empty line without Markdown heading
// marks; a line longer than a headline is cut at a word boundary.
func firstLineTitle(text, fallback string) string {
	const maxTitle = 100
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(line), "#"))
		if line == "" {
			continue
		}
		if len(line) > maxTitle {
			cut := strings.LastIndexByte(line[:maxTitle], ' ')
			if cut <= 0 {
				cut = maxTitle
				for cut > 0 && !utf8.RuneStart(line[cut]) {
					cut--
				}
			}
			line = strings.TrimRight(line[:cut], " ,;:") + "…"
		}
		return line
	}
	return fallback
}

// jsonlRecord is one line of a .jsonl file.
type jsonlRecord struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Text     string            `json:"text"`
	Source   string            `json:"source"`
	Metadata map[string]string `json:"metadata"`
}

// parseJSONL reads one document per line: {"id","title","text","source","metadata"}.
// A line without id gets "<fileID>/<line number>"; blank lines are skipped.
// Any malformed line fails the whole file, naming the line.
func parseJSONL(r io.Reader, fileID, source string) ([]rag.Document, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), MaxFileBytes)
	var docs []rag.Document
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec jsonlRecord
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("%w: line %d: %v", rag.ErrUnsupportedFile, n, err)
		}
		if rec.ID == "" {
			rec.ID = fmt.Sprintf("%s/%d", fileID, n)
		}
		if rec.Source == "" {
			rec.Source = source
		}
		d := rag.Document{ID: rec.ID, Title: rec.Title, Text: normaliseNewlines(rec.Text), Source: rec.Source, Metadata: rec.Metadata}
		if d.Title == "" {
			d.Title = firstLineTitle(d.Text, d.ID)
		}
		if err := rag.ValidateDocument(d); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		docs = append(docs, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", rag.ErrUnsupportedFile, err)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("%w: no documents in the file", rag.ErrUnsupportedFile)
	}
	return docs, nil
}

// errNoText: an HTML page with no readable text.
var errNoText = errors.New("no readable text")
