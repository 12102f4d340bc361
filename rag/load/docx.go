package load

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ragcite/ragcite/rag"
)

// docxMaxXML bounds how many bytes of XML one part of a .docx may inflate
// to, so a small archive cannot expand without limit.
const docxMaxXML = 256 << 20

// wordNS is the WordprocessingML main namespace.
const wordNS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

// ParseDOCX extracts a Word document's text: paragraphs and headings in
// document order, one per line, and each table row as one line of its cell
// texts joined by " | ". Deleted tracked changes, comments and headers are
// left out. The title is the document's core "title" property, else "".
func ParseDOCX(data []byte) (rag.Document, error) {
	return parseDOCX(data, MaxFileBytes)
}

// parseDOCX is ParseDOCX that stops reading once the text passes maxText
// bytes, failing with ErrTextLimit: the text held never exceeds the limit
// by more than a paragraph, however far the archive would inflate.
func parseDOCX(data []byte, maxText int) (rag.Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return rag.Document{}, fmt.Errorf("%w: docx: not a zip archive: %v", rag.ErrUnsupportedFile, err)
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[f.Name] = f
	}
	body, ok := parts["word/document.xml"]
	if !ok {
		return rag.Document{}, fmt.Errorf("%w: docx: no word/document.xml", rag.ErrUnsupportedFile)
	}
	var text docxContent
	_, err = withPart(body, func(dec *xml.Decoder) (string, error) {
		var err error
		text, err = docxText(dec, maxText)
		return "", err
	})
	if errors.Is(err, ErrTextLimit) {
		return rag.Document{}, fmt.Errorf("docx: %w", err)
	}
	if err != nil {
		return rag.Document{}, fmt.Errorf("%w: docx: %v", rag.ErrUnsupportedFile, err)
	}
	if strings.TrimSpace(text.text) == "" {
		return rag.Document{}, fmt.Errorf("%w: docx: no text", rag.ErrUnsupportedFile)
	}
	title := ""
	if core, ok := parts["docProps/core.xml"]; ok {
		title, _ = withPart(core, coreTitle) // a broken property part costs only the title
	}
	d := rag.Document{Title: title, Text: text.text}
	if text.headings != "" {
		d.Metadata = map[string]string{rag.MetaHeadings: text.headings}
	}
	return d, nil
}

// withPart opens one archive member and hands its bounded XML to read.
func withPart(f *zip.File, read func(*xml.Decoder) (string, error)) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("open %s: %w", f.Name, err)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, docxMaxXML))
	dec.Strict = false
	s, err := read(dec)
	if err != nil {
		return "", fmt.Errorf("%s: %w", f.Name, err)
	}
	return s, nil
}

// coreTitle reads dc:title from docProps/core.xml.
func coreTitle(dec *xml.Decoder) (string, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "title" {
			var s string
			if err := dec.DecodeElement(&s, &se); err != nil {
				return "", err
			}
			return strings.Join(strings.Fields(s), " "), nil
		}
	}
}

// docxWriter collects text while walking document.xml. Tables nest (a
// table in a cell): rows is a stack, one entry per open table.
type docxWriter struct {
	out   strings.Builder
	para  strings.Builder
	rows  [][]string // per open table: the cells of its current row
	inT   bool       // inside <w:t>
	skip  int        // depth inside an element whose text is not shown
	limit int
	level int      // heading level of the open paragraph, 0 for body text
	heads []string // "offset:level" of each heading line written
}

// docxContent is the text of document.xml and its headings as a
// rag.MetaHeadings value.
type docxContent struct{ text, headings string }

// docxText walks document.xml and returns its text.
func docxText(dec *xml.Decoder, maxText int) (docxContent, error) {
	w := &docxWriter{limit: maxText}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return docxContent{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			w.start(t)
		case xml.EndElement:
			w.end(t)
		case xml.CharData:
			if w.inT && w.skip == 0 {
				w.para.Write(t)
			}
		}
		if w.out.Len()+w.para.Len() > w.limit {
			return docxContent{}, fmt.Errorf("%w of %d bytes", ErrTextLimit, w.limit)
		}
	}
	return docxContent{strings.TrimRight(w.out.String(), "\n"), strings.Join(w.heads, ",")}, nil
}

// headingLevel is the level of a paragraph style that marks a heading
// ("Heading2", "heading 2" -> 2; "Title" -> 1), or 0.
func headingLevel(style string) int {
	s := strings.ToLower(strings.ReplaceAll(style, " ", ""))
	if s == "title" {
		return 1
	}
	if rest, ok := strings.CutPrefix(s, "heading"); ok && len(rest) == 1 && rest[0] >= '1' && rest[0] <= '9' {
		return min(int(rest[0]-'0'), 6)
	}
	return 0
}

func (w *docxWriter) start(t xml.StartElement) {
	if t.Name.Space != wordNS {
		return
	}
	switch t.Name.Local {
	case "del", "delText", "instrText", "commentReference", "footnoteReference":
		w.skip++
	case "t":
		w.inT = true
	case "pStyle", "outlineLvl":
		if len(w.rows) > 0 {
			break // headings inside tables stay cell text
		}
		for _, a := range t.Attr {
			if a.Name.Local != "val" {
				continue
			}
			if t.Name.Local == "pStyle" {
				w.level = headingLevel(a.Value)
			} else if n, err := strconv.Atoi(a.Value); err == nil && n >= 0 && n < 6 {
				w.level = n + 1
			}
		}
	case "tab", "br", "cr":
		if w.skip == 0 {
			w.para.WriteByte(' ')
		}
	case "tbl":
		w.flushPara()
		w.rows = append(w.rows, nil)
	case "tr":
		if n := len(w.rows); n > 0 {
			w.rows[n-1] = w.rows[n-1][:0]
		}
	}
}

func (w *docxWriter) end(t xml.EndElement) {
	if t.Name.Space != wordNS {
		return
	}
	switch t.Name.Local {
	case "del", "delText", "instrText", "commentReference", "footnoteReference":
		w.skip--
	case "t":
		w.inT = false
	case "p":
		w.flushPara()
	case "tc":
		if n := len(w.rows); n > 0 {
			cell := strings.Join(strings.Fields(w.para.String()), " ")
			w.para.Reset()
			w.rows[n-1] = append(w.rows[n-1], cell)
		}
	case "tr":
		if n := len(w.rows); n > 0 {
			w.emit(strings.Join(w.rows[n-1], " | "))
		}
	case "tbl":
		if n := len(w.rows); n > 0 {
			w.rows = w.rows[:n-1]
		}
	}
}

// flushPara ends a paragraph: outside tables it becomes a line; inside a
// cell it stays in the cell's text, separated by a space.
func (w *docxWriter) flushPara() {
	if len(w.rows) > 0 {
		w.para.WriteByte(' ')
		return
	}
	if w.level > 0 && strings.TrimSpace(w.para.String()) != "" {
		w.heads = append(w.heads, fmt.Sprintf("%d:%d", w.out.Len(), w.level))
	}
	w.level = 0
	w.emit(w.para.String())
	w.para.Reset()
}

// emit writes one line of text, spaces collapsed; blank lines are dropped.
// A row of a table nested in a cell joins that cell's text.
func (w *docxWriter) emit(line string) {
	line = strings.Join(strings.Fields(line), " ")
	if strings.Trim(line, " |") == "" {
		return
	}
	if len(w.rows) > 1 {
		w.para.WriteString(" " + line + " ")
		return
	}
	w.out.WriteString(line)
	w.out.WriteByte('\n')
}
