package load

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// makeDOCX writes a minimal .docx whose body is the given WordprocessingML.
func makeDOCX(t testing.TB, title, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"word/document.xml":   `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="` + wordNS + `"><w:body>` + body + `</w:body></w:document>`,
	}
	if title != "" {
		files["docProps/core.xml"] = `<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>` + title + `</dc:title></cp:coreProperties>`
	}
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func para(style, text string) string {
	ppr := ""
	if style != "" {
		ppr = `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return `<w:p>` + ppr + `<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r></w:p>`
}

func cell(text string) string { return `<w:tc>` + para("", text) + `</w:tc>` }

var docxBody = `<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Fleet report</w:t></w:r></w:p>` +
	`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Ships</w:t></w:r></w:p>` +
	`<w:p><w:r><w:t xml:space="preserve">The fleet has </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>twelve</w:t></w:r>` +
	`<w:del><w:r><w:delText> eleven</w:delText></w:r></w:del><w:r><w:t xml:space="preserve"> ships.</w:t></w:r></w:p>` +
	`<w:tbl><w:tr>` + `<w:tc>` + para("", "Name") + `</w:tc>` + `<w:tc>` + para("", "Tonnage") + `</w:tc></w:tr>` +
	`<w:tr><w:tc>` + para("", "Aurora") + `</w:tc><w:tc>` + para("", "5,400 t") + `</w:tc></w:tr></w:tbl>` +
	`<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Crew</w:t></w:r></w:p>` +
	`<w:p><w:r><w:t>About 300</w:t></w:r><w:r><w:tab/><w:t>sailors.</w:t></w:r></w:p>` +
	`<w:p/>`

func TestParseDOCX(t *testing.T) {
	d, err := ParseDOCX(makeDOCX(t, "Fleet &amp; crew", docxBody))
	if err != nil {
		t.Fatal(err)
	}
	want := "Fleet report\nShips\nThe fleet has twelve ships.\nName | Tonnage\nAurora | 5,400 t\nCrew\nAbout 300 sailors."
	if d.Text != want {
		t.Errorf("text =\n%s\nwant\n%s", d.Text, want)
	}
	if d.Title != "Fleet & crew" {
		t.Errorf("title = %q", d.Title)
	}
	// Title and Heading1 are level 1, Heading2 level 2; offsets start lines.
	want = fmt.Sprintf("0:1,%d:1,%d:2", strings.Index(d.Text, "Ships"), strings.Index(d.Text, "Crew"))
	if got := d.Metadata[rag.MetaHeadings]; got != want {
		t.Errorf("headings = %q, want %q", got, want)
	}
}

func TestParseDOCXNestedTable(t *testing.T) {
	inner := `<w:tbl><w:tr>` + cell("x1") + cell("y1") + `</w:tr></w:tbl>`
	body := `<w:tbl><w:tr>` + cell("left") + `<w:tc>` + para("", "right") + inner + `</w:tc></w:tr></w:tbl>` + para("", "After.")
	d, err := ParseDOCX(makeDOCX(t, "", body))
	if err != nil {
		t.Fatal(err)
	}
	if want := "left | right x1 | y1\nAfter."; d.Text != want {
		t.Errorf("text = %q, want %q", d.Text, want)
	}
}

func TestParseDOCXBad(t *testing.T) {
	var noDoc bytes.Buffer
	zw := zip.NewWriter(&noDoc)
	w, _ := zw.Create("word/other.xml")
	w.Write([]byte("<x/>"))
	zw.Close()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"not zip", []byte("plain text"), "not a zip"},
		{"no document part", noDoc.Bytes(), "no word/document.xml"},
		{"no text", makeDOCX(t, "", `<w:p/>`), "no text"},
		{"broken xml", makeDOCX(t, "", `<w:p><w:r><w:t>x</w:r>`), "docx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDOCX(tc.data)
			if !errors.Is(err, rag.ErrUnsupportedFile) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want unsupported file mentioning %q", err, tc.want)
			}
		})
	}
}

func FuzzParseDOCX(f *testing.F) {
	f.Add(makeDOCX(f, "t", docxBody))
	f.Add(makeDOCX(f, "", `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDOCX(data)
		if err != nil {
			if !errors.Is(err, rag.ErrUnsupportedFile) {
				t.Fatalf("error not marked unsupported: %v", err)
			}
			return
		}
		if strings.TrimSpace(d.Text) == "" {
			t.Fatal("empty text without an error")
		}
	})
}
