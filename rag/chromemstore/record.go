package chromemstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"sort"
	"unicode/utf8"
	"unsafe"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// A record is everything stored for one document, or a deletion:
//
//	uint64 payload length
//	payload:
//	  kind (1 put, 2 delete), id
//	  put only: title, source, hash, metadata pairs, analyser fingerprint,
//	  chunk count, dimension, each chunk's id, index, start and end, each
//	  chunk's analysed terms (length, then term and count pairs), the text,
//	  the vectors (little-endian float32)
//	uint32 CRC-32C of the length and the payload
//
// Strings are a uvarint length and the bytes. The checksum covers every
// byte stored for the document, so a flipped bit anywhere is found on open.
// Records are streamed to the batch file: a large document is never
// encoded whole in memory.
const (
	kindPut    = 1
	kindDelete = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// crcWriter writes to w and keeps the CRC-32C of what it wrote.
type crcWriter struct {
	w   *bufio.Writer
	crc uint32
	n   int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.crc = crc32.Update(c.crc, castagnoli, p)
	c.n += int64(len(p))
	return c.w.Write(p)
}

// writeString writes s through a small buffer, never copying it whole.
func writeString(w io.Writer, s string) {
	var buf [64 << 10]byte
	for len(s) > 0 {
		n := copy(buf[:], s)
		w.Write(buf[:n])
		s = s[n:]
	}
}

func putUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }

func putString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// termPieces is the record encoding of a document's analysed chunk terms,
// in chunk order, cut into pieces so that the chunks of one large document
// are analysed on every core: per chunk, its term count, its number of
// distinct terms, then each term and its count.
type termPieces [][]byte

// appendTerms appends the record encoding of one chunk's terms to b.
func appendTerms(b []byte, a analysed) []byte {
	b = putUvarint(b, uint64(a.length))
	b = putUvarint(b, uint64(len(a.terms)))
	for _, t := range a.terms {
		b = putString(b, t.term)
		b = putUvarint(b, uint64(t.tf))
	}
	return b
}

// encodeTerms analyses chunks [from, to) of sd and returns their encoding.
// Only the encoding is kept: a few bytes per distinct term rather than a
// string and a slice entry each.
func encodeTerms(sd *rag.StoredDocument, from, to int) []byte {
	var b []byte
	for _, c := range sd.Chunks[from:to] {
		b = appendTerms(b, analyse(sd.Text[c.Start:c.End]))
	}
	return b
}

// size is the number of bytes of the encoding.
func (p termPieces) size() int {
	n := 0
	for _, b := range p {
		n += len(b)
	}
	return n
}

// termReader decodes termPieces chunk by chunk.
type termReader struct {
	rest termPieces
	d    decoder
}

// next decodes the next chunk's terms as ids of dict.
func (r *termReader) next(dict *termDict) analysed {
	for len(r.d.b) == 0 && len(r.rest) > 0 {
		r.d.b = r.rest[0]
		r.rest[0] = nil // let the piece go once decoded
		r.rest = r.rest[1:]
	}
	return r.d.terms(dict)
}

// encodeHead encodes a record's payload up to the chunk terms.
func encodeHead(sd *rag.StoredDocument, dim int) []byte {
	b := []byte{kindPut}
	b = putString(b, sd.ID)
	b = putString(b, sd.Title)
	b = putString(b, sd.Source)
	b = putString(b, sd.Hash)
	b = putUvarint(b, uint64(len(sd.Metadata)))
	keys := make([]string, 0, len(sd.Metadata))
	for k := range sd.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = putString(b, k)
		b = putString(b, sd.Metadata[k])
	}
	b = putString(b, text.Fingerprint())
	b = putUvarint(b, uint64(len(sd.Chunks)))
	b = putUvarint(b, uint64(dim))
	for _, c := range sd.Chunks {
		b = putString(b, c.ID)
		b = putUvarint(b, uint64(c.Index))
		b = putUvarint(b, uint64(c.Start))
		b = putUvarint(b, uint64(c.End))
	}
	return b
}

// writeRecord streams one put record of sd, whose chunk terms are terms
// (see encodeTerms), to w and returns its size.
func writeRecord(w *bufio.Writer, sd *rag.StoredDocument, terms termPieces) (int64, error) {
	dim := 0
	if len(sd.Vectors) > 0 {
		dim = len(sd.Vectors[0])
	}
	head := encodeHead(sd, dim)
	textLen := binary.AppendUvarint(nil, uint64(len(sd.Text)))
	size := uint64(len(head)) + uint64(terms.size()) + uint64(len(textLen)) + uint64(len(sd.Text)) + 4*uint64(dim*len(sd.Vectors))
	cw := &crcWriter{w: w}
	var lenb [8]byte
	binary.LittleEndian.PutUint64(lenb[:], size)
	cw.Write(lenb[:])
	cw.Write(head)
	for _, p := range terms {
		cw.Write(p)
	}
	cw.Write(textLen)
	writeString(cw, sd.Text)
	vb := make([]byte, 4*dim)
	for _, v := range sd.Vectors {
		for j, f := range v {
			binary.LittleEndian.PutUint32(vb[4*j:], math.Float32bits(f))
		}
		cw.Write(vb)
	}
	var crcb [4]byte
	binary.LittleEndian.PutUint32(crcb[:], cw.crc)
	if _, err := w.Write(crcb[:]); err != nil {
		return 0, err
	}
	if uint64(cw.n) != 8+size {
		return 0, fmt.Errorf("encode %q: wrote %d bytes, want %d", sd.ID, cw.n, 8+size)
	}
	return cw.n + 4, nil
}

// writeDelete writes a deletion record for id and returns its size.
func writeDelete(w *bufio.Writer, id string) (int64, error) {
	payload := putString([]byte{kindDelete}, id)
	cw := &crcWriter{w: w}
	var lenb [8]byte
	binary.LittleEndian.PutUint64(lenb[:], uint64(len(payload)))
	cw.Write(lenb[:])
	cw.Write(payload)
	var crcb [4]byte
	binary.LittleEndian.PutUint32(crcb[:], cw.crc)
	_, err := w.Write(crcb[:])
	return cw.n + 4, err
}

// littleEndianHost is whether float32s are stored in memory as the record
// stores them, so vectors decode with one copy.
var littleEndianHost = binary.NativeEndian.Uint32([]byte{1, 0, 0, 0}) == 1

// decodeFloats decodes n little-endian float32s from b (4n bytes).
func decodeFloats(b []byte, n int) []float32 {
	out := make([]float32, n)
	if littleEndianHost && n > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&out[0])), 4*n), b)
		return out
	}
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

// errCorrupt marks a record whose checksum or structure is wrong.
var errCorrupt = errors.New("corrupt record")

// checkRecord verifies the framing and checksum of one record.
func checkRecord(rec []byte) error {
	if len(rec) < 12 || binary.LittleEndian.Uint64(rec) != uint64(len(rec)-12) {
		return fmt.Errorf("%w: length does not match its place in the file", errCorrupt)
	}
	n := len(rec) - 4
	if crc32.Checksum(rec[:n], castagnoli) != binary.LittleEndian.Uint32(rec[n:]) {
		return fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	return nil
}

// recordID reads the kind and the id from a record's payload without
// decoding the rest; ok is false when they are not readable.
func recordID(rec []byte) (kind byte, id string, ok bool) {
	if len(rec) < 10 {
		return 0, "", false
	}
	d := decoder{b: rec[8 : len(rec)-4]}
	kind = d.byte()
	id = d.string()
	if d.err != nil || (kind != kindPut && kind != kindDelete) || !utf8.ValidString(id) {
		return 0, "", false
	}
	return kind, id, true
}

// decoder reads a payload; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = fmt.Errorf("%w: structure", errCorrupt)
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

// int reads a uvarint that must be at most max.
func (d *decoder) int(max uint64) int {
	v := d.uvarint()
	if v > max {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

// terms decodes one chunk's terms (see appendTerms): as ids from dict, or
// as strings when dict is nil.
func (d *decoder) terms(dict termInterner) analysed {
	var a analysed
	a.length = d.int(math.MaxInt32)
	nt := d.int(uint64(len(d.b)))
	if dict != nil {
		a.ids = make([]idFreq, nt)
		for j := range a.ids {
			b := d.bytes()
			if d.err != nil {
				break
			}
			a.ids[j] = idFreq{dict.intern(b), uint16(d.int(math.MaxUint16))}
		}
		return a
	}
	a.terms = make([]termFreq, nt)
	for j := range a.terms {
		a.terms[j] = termFreq{d.string(), uint16(d.int(math.MaxUint16))}
	}
	return a
}

// decodeRecord decodes a checked put record: the document and the analysed
// terms of its chunks (analysed afresh when the analyser changed since it
// was written).
func decodeRecord(rec []byte) (*rag.StoredDocument, []analysed, error) {
	return decodeRecordDict(rec, nil)
}

// decodeRecordDict is decodeRecord that, when dict is not nil, gives the
// stored terms as ids of dict: a term already known costs a lookup and no
// allocation. It reads the record's fields in the order encodeHead and
// writeRecord write them, so the two can be checked side by side; split, that order
// would be spread over several functions.
func decodeRecordDict(rec []byte, dict termInterner) (*rag.StoredDocument, []analysed, error) {
	d := decoder{b: rec[8 : len(rec)-4]}
	if d.byte() != kindPut {
		return nil, nil, fmt.Errorf("%w: not a document", errCorrupt)
	}
	sd := &rag.StoredDocument{}
	sd.ID = d.string()
	sd.Title = d.string()
	sd.Source = d.string()
	sd.Hash = d.string()
	nmeta := d.int(uint64(len(d.b)))
	sd.Metadata = make(map[string]string, nmeta)
	for range nmeta {
		k := d.string()
		sd.Metadata[k] = d.string()
	}
	sameAnalyser := string(d.bytes()) == text.Fingerprint()
	n := d.int(uint64(len(d.b)))
	dim := d.int(1 << 16)
	sd.Chunks = make([]rag.Chunk, n)
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		c.ID, c.DocID = d.string(), sd.ID
		c.Index = d.int(math.MaxInt32)
		c.Start = d.int(math.MaxInt32)
		c.End = d.int(math.MaxInt32)
	}
	terms := make([]analysed, n)
	for i := range terms {
		if !sameAnalyser {
			d.terms(nil) // skipped: analysed afresh below
			continue
		}
		terms[i] = d.terms(dict)
	}
	sd.Text = d.string()
	if d.err != nil {
		return nil, nil, d.err
	}
	if len(d.b) != 4*n*dim {
		return nil, nil, fmt.Errorf("%w: %d bytes of vectors for %d chunks of dimension %d", errCorrupt, len(d.b), n, dim)
	}
	flat := decodeFloats(d.b, n*dim)
	sd.Vectors = make([][]float32, n)
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		if c.Start > c.End || c.End > len(sd.Text) {
			return nil, nil, fmt.Errorf("%w: chunk %s offsets [%d,%d) outside the text", errCorrupt, c.ID, c.Start, c.End)
		}
		c.Text = sd.Text[c.Start:c.End]
		sd.Vectors[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	if !sameAnalyser {
		terms = chunkTerms(sd)
	}
	return sd, terms, nil
}
