package rag

import (
	"sort"
	"strconv"
	"strings"
)

// MetaHeadings is the metadata key where a loader records the headings it
// found (HTML h1-h6, Word heading styles): comma-separated "offset:level"
// pairs, each offset the start of a heading's line in Text, level 1-6.
// Without it, Markdown "#" heading lines of the text are used.
const MetaHeadings = "headings"

// heading is one heading line of a document.
type heading struct {
	start, level int
	text         string
}

// headingsOf returns a document's headings in text order: those its loader
// recorded, else its Markdown ATX headings.
func headingsOf(d Document) []heading {
	if spec := d.Metadata[MetaHeadings]; spec != "" {
		var hs []heading
		for _, p := range strings.Split(spec, ",") {
			o, l, ok := strings.Cut(p, ":")
			off, err1 := strconv.Atoi(o)
			level, err2 := strconv.Atoi(l)
			if !ok || err1 != nil || err2 != nil || off < 0 || off >= len(d.Text) || level < 1 || level > 6 {
				return nil // a damaged record: no sections rather than wrong ones
			}
			hs = append(hs, heading{start: off, level: level, text: lineAt(d.Text, off)})
		}
		sort.SliceStable(hs, func(i, j int) bool { return hs[i].start < hs[j].start })
		return hs
	}
	var hs []heading
	inFence := false
	for off := 0; off < len(d.Text); {
		line := lineAt(d.Text, off)
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") {
			inFence = !inFence
		}
		if level := atxLevel(t); level > 0 && !inFence {
			hs = append(hs, heading{start: off, level: level, text: strings.TrimSpace(strings.Trim(t, "#"))})
		}
		off += len(line) + 1
	}
	return hs
}

// atxLevel is the level of a Markdown heading line ("## Methods" -> 2), or 0.
func atxLevel(line string) int {
	n := 0
	for n < len(line) && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n == len(line) || line[n] != ' ' || strings.TrimSpace(line[n:]) == "" {
		return 0
	}
	return n
}

func lineAt(text string, off int) string {
	line := text[off:]
	if i := strings.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// sectionPath is the path of headings in force at byte offset off
// ("Results > Costs"): the last heading of each level before off, each
// dropping the deeper ones before it. "" when off precedes every heading.
func sectionPath(hs []heading, off int) string {
	var path []heading
	for _, h := range hs {
		if h.start > off {
			break
		}
		for len(path) > 0 && path[len(path)-1].level >= h.level {
			path = path[:len(path)-1]
		}
		path = append(path, h)
	}
	parts := make([]string, 0, len(path))
	for _, h := range path {
		if h.text != "" {
			parts = append(parts, h.text)
		}
	}
	return strings.Join(parts, " > ")
}

// chunkContext is what is embedded ahead of a chunk's text: the document
// title and the section the chunk starts in ("Report > Results > Costs"),
// or "" for a document without headings, whose chunks embed as they are.
func chunkContext(d Document, hs []heading, c Chunk) string {
	sec := sectionPath(hs, c.Start)
	if sec == "" {
		return ""
	}
	if d.Title != "" && !strings.HasPrefix(sec, d.Title) {
		return d.Title + " > " + sec
	}
	return sec
}
