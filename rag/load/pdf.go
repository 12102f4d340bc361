package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klippa-app/go-pdfium"
	pdfiumerr "github.com/klippa-app/go-pdfium/errors"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/ragcite/ragcite/rag"
)

// ErrNoTextLayer: a PDF whose pages carry no text (a scan or images only).
// Text recognition is not attempted.
var ErrNoTextLayer = errors.New("pdf has no text layer (scanned or image-only pages; OCR is not supported)")

// pdfWorkers bounds how many PDFs are read at once; each worker is a PDFium
// WebAssembly instance with its own memory.
const pdfWorkers = 2

// pdfPool starts PDFium, compiled to WebAssembly and run by wazero (no cgo,
// no system library), once per process on first use, and shares it:
// compiling the module takes seconds (over a minute under the race
// detector), so the machine code is cached in the user's cache directory
// (ragcite/wazero) when there is one. The module gets no file system.
var pdfPool = sync.OnceValues(func() (pdfium.Pool, error) {
	// The bundled module needs exception handling (its setjmp/longjmp).
	rc := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
	if dir, err := os.UserCacheDir(); err == nil {
		if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "ragcite", "wazero")); err == nil {
			rc = rc.WithCompilationCache(cache)
		}
	}
	pool, err := webassembly.Init(webassembly.Config{
		MinIdle:       0,
		MaxIdle:       pdfWorkers,
		MaxTotal:      pdfWorkers,
		FSConfig:      wazero.NewFSConfig(),
		RuntimeConfig: rc,
		Stdout:        io.Discard, // PDFium's own messages never reach ours
		Stderr:        io.Discard,
	})
	if err != nil {
		return nil, fmt.Errorf("start pdf reader: %w", err)
	}
	return pool, nil
})

// ParsePDF extracts a PDF's text page by page, in PDFium's reading order.
// Words hyphenated across line ends are joined and running headers and
// footers (lines repeated at the top or bottom of many pages, page numbers
// aside) are dropped. Pages are separated by a blank line; the document's
// metadata records the page count ("pages") and where each page starts in
// Text ("page_starts", see rag.PageAt), so citations can name their page.
// A PDF without any text gives ErrNoTextLayer.
func ParsePDF(ctx context.Context, data []byte) (rag.Document, error) {
	return parsePDF(ctx, data, MaxFileBytes)
}

// parsePDF is ParsePDF that stops reading pages once their text passes
// maxText bytes, failing with ErrTextLimit.
func parsePDF(ctx context.Context, data []byte, maxText int) (rag.Document, error) {
	pages, title, err := pdfPages(ctx, data, maxText)
	if err != nil {
		return rag.Document{}, err
	}
	pages = dropRunningLines(pages)
	var b strings.Builder
	starts := make([]int, len(pages))
	for i, p := range pages {
		if p == "" {
			starts[i] = -1 // an empty page starts where the next one does
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		starts[i] = b.Len()
		b.WriteString(p)
	}
	text := b.String()
	next := len(text)
	field := make([]string, len(pages))
	for i := len(starts) - 1; i >= 0; i-- {
		if starts[i] < 0 {
			starts[i] = next
		}
		next = starts[i]
		field[i] = strconv.Itoa(starts[i])
	}
	if len(field) > 0 {
		field[0] = "0"
	}
	if strings.TrimSpace(text) == "" {
		return rag.Document{}, fmt.Errorf("%w: %w", rag.ErrUnsupportedFile, ErrNoTextLayer)
	}
	return rag.Document{Title: title, Text: text, Metadata: map[string]string{
		rag.MetaPages:      strconv.Itoa(len(pages)),
		rag.MetaPageStarts: strings.Join(field, ","),
	}}, nil
}

// pdfPages returns each page's cleaned text and the document's title.
func pdfPages(ctx context.Context, data []byte, maxText int) (pages []string, title string, err error) {
	pool, err := pdfPool()
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	inst, err := pool.GetInstanceWithContext(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("pdf reader: %w", err)
	}
	defer inst.Close()
	doc, err := inst.OpenDocument(&requests.OpenDocument{File: &data})
	switch {
	case errors.Is(err, pdfiumerr.ErrPassword):
		return nil, "", fmt.Errorf("%w: pdf is encrypted with a password", rag.ErrUnsupportedFile)
	case err != nil:
		return nil, "", fmt.Errorf("%w: not a readable pdf: %v", rag.ErrUnsupportedFile, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	n, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: doc.Document})
	if err != nil {
		return nil, "", fmt.Errorf("%w: pdf page count: %v", rag.ErrUnsupportedFile, err)
	}
	size := 0
	for i := range n.PageCount {
		if err := ctx.Err(); err != nil {
			return nil, "", fmt.Errorf("read pdf: %w", err)
		}
		r, err := inst.GetPageText(&requests.GetPageText{Page: requests.Page{
			ByIndex: &requests.PageByIndex{Document: doc.Document, Index: i}}})
		if err != nil {
			return nil, "", fmt.Errorf("%w: pdf page %d: %v", rag.ErrUnsupportedFile, i+1, err)
		}
		pages = append(pages, cleanPDFText(r.Text))
		if size += len(pages[len(pages)-1]); size > maxText {
			return nil, "", fmt.Errorf("pdf: %w of %d bytes", ErrTextLimit, maxText)
		}
	}
	if m, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: doc.Document, Tag: "Title"}); err == nil {
		title = strings.Join(strings.Fields(cleanPDFText(m.Value)), " ")
	}
	return pages, title, nil
}

// cleanPDFText normalises one page's text: line ends become \n, control
// characters go, spaces within a line collapse, blank lines go, and a word
// hyphenated at a line end is joined ("pack-\nages" -> "packages").
// PDFium marks a hyphen it found at a line end with U+0002 and has already
// joined the two lines; that hyphen is kept only before a capital or digit
// ("S-Plus"), where it is likely part of the word.
func cleanPDFText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\f", "\n", "\u00ad\n", "", "\ufffe", "", "\ufeff", "").Replace(s)
	var lines []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" {
			lines = append(lines, line)
		}
	}
	var b strings.Builder
	for i, line := range lines {
		if i > 0 {
			prev := lines[i-1]
			next, _ := utf8.DecodeRuneInString(line)
			if strings.HasSuffix(prev, "-") && len(prev) > 1 && unicode.IsLower(next) &&
				unicode.IsLetter(lastRune(prev[:len(prev)-1])) {
				// Joined: drop the hyphen already written.
				cut := b.String()[:b.Len()-1]
				b.Reset()
				b.WriteString(cut)
			} else {
				b.WriteByte('\n')
			}
		}
		b.WriteString(line)
	}
	return joinSoftHyphens(b.String())
}

// joinSoftHyphens resolves PDFium's U+0002 line-end hyphen marks.
func joinSoftHyphens(s string) string {
	if !strings.ContainsRune(s, 2) {
		return stripControl(s)
	}
	var b strings.Builder
	for i, r := range s {
		if r != 2 {
			b.WriteRune(r)
			continue
		}
		next, _ := utf8.DecodeRuneInString(s[i+1:])
		if unicode.IsUpper(next) || unicode.IsDigit(next) {
			b.WriteByte('-')
		}
	}
	return stripControl(b.String())
}

func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// runningLines is how many lines at the top and at the bottom of a page are
// checked for running headers and footers.
const runningLines = 2

// dropRunningLines removes running headers and footers from the first and
// last runningLines lines of each page: a line whose shape (digits ignored)
// recurs at a page edge on at least 3 pages and a twentieth of them, and a
// short line that starts or ends with the printed page number (a running
// head that changes per chapter, "Chapter 2: Vectors 9"). Printed numbers
// are recognised when the same offset from the page's index recurs on at
// least 3 pages and a third of them. Documents of fewer than 3 pages are
// left alone.
func dropRunningLines(pages []string) []string {
	if len(pages) < 3 {
		return pages
	}
	lines := make([][]string, len(pages))
	shapes := map[string]int{}
	offsets := map[int]int{}
	for i, p := range pages {
		if p != "" {
			lines[i] = strings.Split(p, "\n")
		}
		seenShape, seenOff := map[string]bool{}, map[int]bool{}
		for _, j := range edgeLines(len(lines[i])) {
			if k := lineShape(lines[i][j]); !seenShape[k] {
				seenShape[k] = true
				shapes[k]++
			}
			for _, n := range edgeNumbers(lines[i][j]) {
				if off := n - i; !seenOff[off] {
					seenOff[off] = true
					offsets[off]++
				}
			}
		}
	}
	pageOff, votes := 0, 0
	for off, v := range offsets {
		if v > votes || (v == votes && off < pageOff) {
			pageOff, votes = off, v
		}
	}
	numbered := votes >= max(3, (len(pages)+2)/3)
	minShape := max(3, len(pages)/20)
	out := make([]string, len(pages))
	for i, ls := range lines {
		drop := map[int]bool{}
		for _, j := range edgeLines(len(ls)) {
			if shapes[lineShape(ls[j])] >= minShape {
				drop[j] = true
			}
			if numbered && len(strings.Fields(ls[j])) <= 12 && slices.Contains(edgeNumbers(ls[j]), i+pageOff) {
				drop[j] = true
			}
		}
		kept := ls[:0:0]
		for j, l := range ls {
			if !drop[j] {
				kept = append(kept, l)
			}
		}
		out[i] = strings.Join(kept, "\n")
	}
	return out
}

// edgeNumbers are the integers a line starts or ends with ("3", "Page 3",
// "3 Results"), the candidates for a printed page number.
func edgeNumbers(line string) []int {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	var out []int
	for _, w := range []string{f[0], f[len(f)-1]} {
		if n, err := strconv.Atoi(w); err == nil && n >= 0 && n < 100000 {
			out = append(out, n)
		}
	}
	return out
}

// edgeLines are the indexes of a page's first and last runningLines lines.
func edgeLines(n int) []int {
	var idx []int
	for j := 0; j < n; j++ {
		if j < runningLines || j >= n-runningLines {
			idx = append(idx, j)
		}
	}
	return idx
}

// lineShape is a line in lower case with every run of digits replaced by
// '#', so "Page 3 of 9" and "Page 4 of 9" match.
func lineShape(line string) string {
	var b strings.Builder
	digits := false
	for _, r := range strings.ToLower(line) {
		if unicode.IsDigit(r) {
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(r)
	}
	return b.String()
}
