package chromemstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// A segment file holds one document:
//
//	magic "RCSEG2\n"
//	uint64 header length, JSON header (document without text, hash, chunk
//	offsets, dimension, section lengths, analyser fingerprint)
//	the document text, raw
//	the analysed terms of each chunk, one line per chunk: "length term:tf ..."
//	the vectors, little-endian float32
//
// Raw sections keep reopening a large store fast: no JSON unescaping of the
// text, and no re-analysis when the analyser is unchanged.
// ErrCorruptSegment: a segment file that cannot be read back (truncated,
// not a segment, inconsistent sections). The document it held must be
// ingested again.
var ErrCorruptSegment = errors.New("corrupt segment file")

var segmentMagic = []byte("RCSEG2\n")

type segmentHeader struct {
	Document rag.Document `json:"document"` // Text is stored raw after the header
	Hash     string       `json:"hash"`
	Chunks   []rag.Chunk  `json:"chunks"` // Text omitted: it is Document.Text[Start:End]
	Dim      int          `json:"dim"`
	TextLen  int          `json:"text_len"`
	TermsLen int          `json:"terms_len"`
	Analyser string       `json:"analyser"`
}

func writeSegment(path string, sd *rag.StoredDocument, terms []analysed) error {
	h := segmentHeader{Document: sd.Document, Hash: sd.Hash, Chunks: make([]rag.Chunk, len(sd.Chunks)),
		TextLen: len(sd.Text), Analyser: text.Fingerprint()}
	h.Document.Text = ""
	for i, c := range sd.Chunks {
		c.Text = ""
		h.Chunks[i] = c
	}
	if len(sd.Vectors) > 0 {
		h.Dim = len(sd.Vectors[0])
	}
	var tb strings.Builder
	for _, a := range terms {
		tb.WriteString(strconv.Itoa(a.length))
		for _, t := range a.terms {
			tb.WriteByte(' ')
			tb.WriteString(t.term)
			tb.WriteByte(':')
			tb.WriteString(strconv.Itoa(int(t.tf)))
		}
		tb.WriteByte('\n')
	}
	h.TermsLen = tb.Len()
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode segment: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(len(segmentMagic) + 8 + len(hdr) + len(sd.Text) + tb.Len() + 4*h.Dim*len(sd.Vectors))
	buf.Write(segmentMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint64(len(hdr)))
	buf.Write(hdr)
	buf.WriteString(sd.Text)
	buf.WriteString(tb.String())
	var b [4]byte
	for _, v := range sd.Vectors {
		if len(v) != h.Dim {
			return fmt.Errorf("encode segment: vectors of dimension %d and %d", h.Dim, len(v))
		}
		for _, f := range v {
			binary.LittleEndian.PutUint32(b[:], math.Float32bits(f))
			buf.Write(b[:])
		}
	}
	return writeFileSynced(path, buf.Bytes())
}

// readSegment reads a segment and the analysed terms of its chunks (from
// the file when the analyser is unchanged, else analysed afresh).
func readSegment(path string) (*rag.StoredDocument, []analysed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read segment: %w", err)
	}
	bad := func(err error) (*rag.StoredDocument, []analysed, error) {
		return nil, nil, fmt.Errorf("read segment %s: %w: %w", path, ErrCorruptSegment, err)
	}
	if !bytes.HasPrefix(data, segmentMagic) {
		return bad(errors.New("not a segment file"))
	}
	data = data[len(segmentMagic):]
	if len(data) < 8 {
		return bad(errors.New("truncated header"))
	}
	n := binary.LittleEndian.Uint64(data)
	data = data[8:]
	if n > uint64(len(data)) {
		return bad(errors.New("truncated header"))
	}
	var h segmentHeader
	if err := json.Unmarshal(data[:n], &h); err != nil {
		return bad(err)
	}
	data = data[n:]
	vecBytes := 4 * h.Dim * len(h.Chunks)
	if h.TextLen < 0 || h.TermsLen < 0 || h.Dim < 0 || len(data) != h.TextLen+h.TermsLen+vecBytes {
		return bad(errors.New("section lengths do not match the file"))
	}
	sd := &rag.StoredDocument{Document: h.Document, Hash: h.Hash, Chunks: h.Chunks, Vectors: make([][]float32, len(h.Chunks))}
	sd.Text = string(data[:h.TextLen])
	termData := data[h.TextLen : h.TextLen+h.TermsLen]
	vecData := data[h.TextLen+h.TermsLen:]
	flat := make([]float32, h.Dim*len(h.Chunks))
	for i := range flat {
		flat[i] = math.Float32frombits(binary.LittleEndian.Uint32(vecData[4*i:]))
	}
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		if c.Start < 0 || c.End > len(sd.Text) || c.Start > c.End {
			return bad(fmt.Errorf("chunk %s offsets [%d,%d) outside the text", c.ID, c.Start, c.End))
		}
		c.Text = sd.Text[c.Start:c.End]
		sd.Vectors[i] = flat[i*h.Dim : (i+1)*h.Dim : (i+1)*h.Dim]
	}
	var terms []analysed
	if h.Analyser == text.Fingerprint() {
		terms, err = parseTerms(string(termData), len(sd.Chunks))
		if err != nil {
			return bad(err)
		}
	} else {
		terms = chunkTerms(sd)
	}
	return sd, terms, nil
}

// parseTerms reads the terms section. Terms are substrings of s; the index
// copies the ones it keeps.
func parseTerms(s string, chunks int) ([]analysed, error) {
	out := make([]analysed, 0, chunks)
	for line := range strings.Lines(s) {
		line = strings.TrimSuffix(line, "\n")
		head, rest, _ := strings.Cut(line, " ")
		length, err := strconv.Atoi(head)
		if err != nil {
			return nil, fmt.Errorf("terms line: %w", err)
		}
		a := analysed{length: length, terms: make([]termFreq, 0, strings.Count(rest, " ")+1)}
		for rest != "" {
			var f string
			f, rest, _ = strings.Cut(rest, " ")
			i := strings.LastIndexByte(f, ':')
			if i <= 0 {
				return nil, fmt.Errorf("bad term %q", f)
			}
			tf, err := strconv.Atoi(f[i+1:])
			if err != nil || tf <= 0 || tf > math.MaxUint16 {
				return nil, fmt.Errorf("bad term %q", f)
			}
			a.terms = append(a.terms, termFreq{f[:i], uint16(tf)})
		}
		out = append(out, a)
	}
	if len(out) != chunks {
		return nil, fmt.Errorf("%d terms lines for %d chunks", len(out), chunks)
	}
	return out, nil
}

// writeFileAtomic writes data to path so that a crash leaves either the old
// file or the new one, and syncs the directory so the rename is durable.
func writeFileAtomic(path string, data []byte) error {
	if err := writeFileSynced(path, data); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// writeFileSynced writes a synced temporary file and renames it over path:
// a crash leaves the old file or the new one. The rename itself is durable
// once the directory is synced (syncDir).
func writeFileSynced(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename %s: %w", path, err)
	}
	return nil
}

// syncDir makes the renames and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
