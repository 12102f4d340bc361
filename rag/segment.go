package rag

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
)

// A segment file holds one document: magic, a JSON header (document,
// hash, chunk offsets), then the vectors as little-endian float32.
var segmentMagic = []byte("RCSEG1\n")

type segmentHeader struct {
	Document Document `json:"document"`
	Hash     string   `json:"hash"`
	Chunks   []Chunk  `json:"chunks"` // Text omitted: it is Document.Text[Start:End]
	Dim      int      `json:"dim"`
}

func writeSegment(path string, sd *StoredDocument) error {
	h := segmentHeader{Document: sd.Document, Hash: sd.Hash, Chunks: make([]Chunk, len(sd.Chunks))}
	for i, c := range sd.Chunks {
		c.Text = ""
		h.Chunks[i] = c
	}
	if len(sd.Vectors) > 0 {
		h.Dim = len(sd.Vectors[0])
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode segment: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(len(segmentMagic) + 8 + len(hdr) + 4*h.Dim*len(sd.Vectors))
	buf.Write(segmentMagic)
	_ = binary.Write(&buf, binary.LittleEndian, uint64(len(hdr)))
	buf.Write(hdr)
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
	return writeFileAtomic(path, buf.Bytes())
}

func readSegment(path string) (*StoredDocument, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read segment: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	bad := func(err error) (*StoredDocument, error) {
		return nil, fmt.Errorf("read segment %s: %w (delete the file and ingest the document again)", path, err)
	}
	magic := make([]byte, len(segmentMagic))
	if _, err := io.ReadFull(r, magic); err != nil || !bytes.Equal(magic, segmentMagic) {
		return bad(errors.New("not a segment file"))
	}
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil || n > 1<<34 {
		return bad(errors.New("bad header length"))
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return bad(err)
	}
	var h segmentHeader
	if err := json.Unmarshal(hdr, &h); err != nil {
		return bad(err)
	}
	sd := &StoredDocument{Document: h.Document, Hash: h.Hash, Chunks: h.Chunks, Vectors: make([][]float32, len(h.Chunks))}
	raw := make([]byte, 4*h.Dim*len(h.Chunks))
	if _, err := io.ReadFull(r, raw); err != nil {
		return bad(err)
	}
	flat := make([]float32, h.Dim*len(h.Chunks))
	for i := range flat {
		flat[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		if c.Start < 0 || c.End > len(sd.Text) || c.Start > c.End {
			return bad(fmt.Errorf("chunk %s offsets [%d,%d) outside the text", c.ID, c.Start, c.End))
		}
		c.Text = sd.Text[c.Start:c.End]
		sd.Vectors[i] = flat[i*h.Dim : (i+1)*h.Dim : (i+1)*h.Dim]
	}
	return sd, nil
}

// writeFileAtomic writes data to path so that a crash leaves either the old
// file or the new one: a synced temporary file renamed over path.
func writeFileAtomic(path string, data []byte) error {
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
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
