package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/ragcite/ragcite/rag"
)

// pdfPage is one generated page: lines written top to bottom.
type pdfPage []string

// makePDF writes a PDF with a running header and a "Page N of M" footer on
// every page, and the given lines as the body of each page.
func makePDF(t testing.TB, title string, pages []pdfPage) []byte {
	t.Helper()
	f := fpdf.New("P", "mm", "A4", "")
	f.SetTitle(title, true)
	f.SetHeaderFunc(func() {
		f.SetFont("Helvetica", "I", 9)
		f.Text(20, 12, "Acme Annual Report 2025")
	})
	f.SetFooterFunc(func() {
		f.SetFont("Helvetica", "", 9)
		f.Text(95, 285, fmt.Sprintf("Page %d of %d", f.PageNo(), len(pages)))
	})
	for _, p := range pages {
		f.AddPage()
		f.SetFont("Helvetica", "", 11)
		for i, line := range p {
			f.Text(20, 30+float64(i)*6, line)
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reportPages is a four-page report: each page states one fact, and page 2
// hyphenates a word across a line end.
var reportPages = []pdfPage{
	{"Introduction", "The company was founded in Oslo in 1987 by two engineers."},
	{"Products", "The main product line consists of solar pack-", "ages for remote weather stations."},
	{"Finance", "The finance team is based in Trondheim near the old harbour."},
	{"Outlook", "The board expects a new factory in Bergen to open in 2027."},
}

func TestParsePDF(t *testing.T) {
	data := makePDF(t, "Acme Report", reportPages)
	d, err := ParsePDF(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != "Acme Report" {
		t.Errorf("title = %q, want the PDF's title", d.Title)
	}
	if d.Metadata[rag.MetaPages] != "4" {
		t.Errorf("pages = %q, want 4", d.Metadata[rag.MetaPages])
	}
	for _, gone := range []string{"Acme Annual Report", "Page 1 of 4", "of 4"} {
		if strings.Contains(d.Text, gone) {
			t.Errorf("running header/footer %q kept:\n%s", gone, d.Text)
		}
	}
	if !strings.Contains(d.Text, "solar packages for remote") {
		t.Errorf("hyphenated word not joined:\n%s", d.Text)
	}
	for i, want := range []string{"founded in Oslo", "solar packages", "team is based in Trondheim", "factory in Bergen"} {
		off := strings.Index(d.Text, want)
		if off < 0 {
			t.Fatalf("text lacks %q:\n%s", want, d.Text)
		}
		if got := rag.PageAt(d, off); got != i+1 {
			t.Errorf("PageAt(%q) = %d, want %d", want, got, i+1)
		}
	}
}

func TestParsePDFBad(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"scanned page", imagePDF(t), ErrNoTextLayer},
		{"not a pdf", []byte("%PDF-1.7\nthis is not really a pdf"), rag.ErrUnsupportedFile},
		{"empty", nil, rag.ErrUnsupportedFile},
		{"truncated", makePDF(t, "x", reportPages)[:400], rag.ErrUnsupportedFile},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParsePDF(context.Background(), tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v (text %q), want %v", err, d.Text, tc.want)
			}
		})
	}
}

// imagePDF is a one-page PDF holding only a picture, like a scan.
func imagePDF(t testing.TB) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 32))
	for x := range 64 {
		img.Set(x, x%32, color.Gray{Y: 200})
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.AddPage()
	f.RegisterImageOptionsReader("scan", fpdf.ImageOptions{ImageType: "PNG"}, &pngBuf)
	f.ImageOptions("scan", 10, 10, 180, 90, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCleanPDFText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"crlf and spaces", "a  b\r\n\r\n c \r\n", "a b\nc"},
		{"line-end hyphen joined", "solar pack-\r\nages here", "solar packages here"},
		{"hyphen before capital kept", "the S-\nPlus system", "the S-\nPlus system"},
		{"pdfium soft hyphen joined", "pack\x02ages", "packages"},
		{"pdfium soft hyphen before capital", "S\x02Plus", "S-Plus"},
		{"control characters dropped", "a\x01b\x00c", "abc"},
		{"dash line kept", "-\nitem", "-\nitem"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := cleanPDFText(tc.in); got != tc.want {
				t.Errorf("cleanPDFText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDropRunningLines(t *testing.T) {
	pages := []string{
		"Report 2025\nBody one\nmore\n1",
		"Report 2025\nBody two\nmore\n2",
		"Report 2025\nBody three\nmore\n3",
		"Report 2025\nBody four\nmore\n4",
	}
	got := dropRunningLines(pages)
	// "more" is in the bottom lines of every page too: repeated text at the
	// edges is indistinguishable from a footer, and goes.
	want := []string{"Body one", "Body two", "Body three", "Body four"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("page %d = %q, want %q", i+1, got[i], want[i])
		}
	}
	short := []string{"Same\nx", "Same\ny"}
	if got := dropRunningLines(short); got[0] != short[0] || got[1] != short[1] {
		t.Errorf("two pages changed: %q", got)
	}
}

func FuzzParsePDF(f *testing.F) {
	f.Add(makePDF(f, "seed", reportPages[:2]))
	f.Add([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParsePDF(context.Background(), data)
		if err != nil {
			if !errors.Is(err, rag.ErrUnsupportedFile) {
				t.Fatalf("error not marked unsupported: %v", err)
			}
			return
		}
		if strings.TrimSpace(d.Text) == "" {
			t.Fatal("empty text without an error")
		}
		n := strings.Count(d.Metadata[rag.MetaPageStarts], ",") + 1
		if got := d.Metadata[rag.MetaPages]; got != fmt.Sprint(n) {
			t.Fatalf("pages %s but %d page starts", got, n)
		}
		if p := rag.PageAt(d, len(d.Text)-1); p < 1 || p > n {
			t.Fatalf("last byte on page %d of %d", p, n)
		}
	})
}

func TestDropRunningLinesChapterHeads(t *testing.T) {
	// Printed numbers lag the page index by one; the head changes per chapter.
	pages := []string{
		"Title page\nby someone",
		"i\nContents",
		"1\nIntroduction starts here\nwith 42 words",
		"Chapter 1: Intro 2\nSecond page text\nends on 7",
		"Chapter 2: Methods 3\nThird page text\nmore",
		"4\nChapter 3: Results\nand 12 results",
	}
	got := dropRunningLines(pages)
	want := []string{
		"Title page\nby someone",
		"i\nContents",
		"Introduction starts here\nwith 42 words",
		"Second page text\nends on 7",
		"Third page text\nmore",
		"Chapter 3: Results\nand 12 results",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("page %d = %q, want %q", i+1, got[i], want[i])
		}
	}
}
