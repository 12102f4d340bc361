package load

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/go-shiori/go-readability"
	"golang.org/x/net/html"

	"github.com/ragcite/ragcite/rag"
)

// parseHTML extracts the main text of a page (readability's article
// extraction: navigation, scripts and boilerplate dropped), with block
// elements on their own lines. The document's Title is the page title.
func parseHTML(r io.Reader) (rag.Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileBytes))
	if err != nil {
		return rag.Document{}, fmt.Errorf("read html: %w", err)
	}
	art, err := readability.FromReader(bytes.NewReader(data), nil)
	var node *html.Node
	title := ""
	if err == nil && art.Node != nil {
		node, title = art.Node, art.Title
	} else {
		// Not article-like: fall back to the whole body.
		node, err = html.Parse(bytes.NewReader(data))
		if err != nil {
			return rag.Document{}, fmt.Errorf("%w: html: %v", rag.ErrUnsupportedFile, err)
		}
	}
	var b strings.Builder
	renderText(&b, node)
	text, heads := markedHeadings(tidyLines(b.String()))
	if text == "" {
		return rag.Document{}, fmt.Errorf("%w: html: %v", rag.ErrUnsupportedFile, errNoText)
	}
	d := rag.Document{Title: strings.TrimSpace(title), Text: text}
	if heads != "" {
		d.Metadata = map[string]string{rag.MetaHeadings: heads}
	}
	return d, nil
}

// headingMark starts a heading's line while rendering: NUL, the level
// digit, NUL (the HTML parser never yields NUL in text).
const headingMark = "\x00"

// markedHeadings removes the heading marks from text and returns them as a
// rag.MetaHeadings value; a heading left with no text is dropped.
func markedHeadings(text string) (string, string) {
	if !strings.Contains(text, headingMark) {
		return text, ""
	}
	var out, heads []string
	off := 0
	for _, line := range strings.Split(text, "\n") {
		level := 0
		for len(line) >= 3 && line[0] == 0 && line[2] == 0 && line[1] >= '1' && line[1] <= '6' {
			level = int(line[1] - '0')
			line = strings.TrimSpace(line[3:])
		}
		line = strings.ReplaceAll(line, headingMark, "")
		if line == "" {
			continue
		}
		if level > 0 {
			heads = append(heads, fmt.Sprintf("%d:%d", off, level))
		}
		out = append(out, line)
		off += len(line) + 1
	}
	return strings.Join(out, "\n"), strings.Join(heads, ",")
}

var blockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true, "table": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"section": true, "article": true, "header": true, "footer": true, "pre": true, "figure": true,
	"figcaption": true, "dt": true, "dd": true, "hr": true, "main": true,
}

var skipTags = map[string]bool{"script": true, "style": true, "noscript": true, "nav": true, "template": true, "svg": true, "head": true}

func renderText(b *strings.Builder, n *html.Node) {
	switch n.Type {
	case html.TextNode:
		d := n.Data
		if strings.TrimSpace(d) == "" {
			b.WriteString(" ")
			return
		}
		if strings.TrimLeft(d, " \t\r\n") != d {
			b.WriteString(" ")
		}
		b.WriteString(strings.Join(strings.Fields(d), " "))
		if strings.TrimRight(d, " \t\r\n") != d {
			b.WriteString(" ")
		}
		return
	case html.ElementNode:
		if skipTags[n.Data] {
			return
		}
	}
	block := n.Type == html.ElementNode && blockTags[n.Data]
	if block {
		b.WriteString("\n")
		if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
			b.WriteString(headingMark + n.Data[1:] + headingMark)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		renderText(b, c)
	}
	if block {
		b.WriteString("\n")
	}
}

// tidyLines trims every line, collapses inner spaces and drops empty lines.
func tidyLines(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
