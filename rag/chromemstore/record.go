package chromemstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime"
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

// termSource is a document's encoded chunk terms as a record writes them:
// their size first, then the bytes.
type termSource interface {
	size() int
	writeTo(w io.Writer)
}

// size is the number of bytes of the encoding.
func (p termPieces) size() int {
	n := 0
	for _, b := range p {
		n += len(b)
	}
	return n
}

func (p termPieces) writeTo(w io.Writer) {
	for _, b := range p {
		w.Write(b)
	}
}

// lazyTerms is a large document's termSource that never holds all its
// encoded terms (a few bytes per distinct term and chunk: about the size of
// the text): the chunks are analysed once to size the encoding and again,
// a few pieces at a time, while it is written. It trades that second
// analysis for memory.
type lazyTerms struct {
	sd    *rag.StoredDocument
	sizes []int // of each piece of pieceChunks chunks
}

// sizeTerms analyses sd's chunks on every core and returns their lazy
// encoding.
func sizeTerms(sd *rag.StoredDocument) *lazyTerms {
	lt := &lazyTerms{sd: sd, sizes: make([]int, (len(sd.Chunks)+pieceChunks-1)/pieceChunks)}
	parallel(len(lt.sizes), func(p int) { lt.sizes[p] = len(lt.piece(p)) })
	return lt
}

func (lt *lazyTerms) piece(p int) []byte {
	from := p * pieceChunks
	return encodeTerms(lt.sd, from, min(from+pieceChunks, len(lt.sd.Chunks)))
}

func (lt *lazyTerms) size() int {
	n := 0
	for _, s := range lt.sizes {
		n += s
	}
	return n
}

// writeTo encodes and writes the pieces, as many at once as cores. The
// record's length check (finish) catches an encoding whose size changed.
func (lt *lazyTerms) writeTo(w io.Writer) {
	group := make([][]byte, runtime.GOMAXPROCS(0))
	for from := 0; from < len(lt.sizes); from += len(group) {
		n := min(len(group), len(lt.sizes)-from)
		parallel(n, func(k int) { group[k] = lt.piece(from + k) })
		for k := range n {
			w.Write(group[k])
			group[k] = nil
		}
	}
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
func writeRecord(w *bufio.Writer, sd *rag.StoredDocument, terms termSource) (int64, error) {
	dim := 0
	if len(sd.Vectors) > 0 {
		dim = len(sd.Vectors[0])
	}
	rw := startRecord(w, sd, dim, terms)
	if err := rw.vectors(sd.Vectors); err != nil {
		return 0, err
	}
	return rw.finish()
}

// Errors of vectors that do not fit a record's chunks.
var (
	errVectorCount = errors.New("vectors do not match the chunks")
	errDimension   = errors.New("vectors of different dimensions")
)

// recordWriter writes one put record whose vectors arrive in pieces: its
// length, head, terms and text first (startRecord), then the vectors in
// chunk order (vectors), then the checksum (finish). A large document's
// vectors are thus never all in memory.
type recordWriter struct {
	w      *bufio.Writer
	cw     *crcWriter
	id     string
	n, dim int // chunks, dimension
	given  int // vectors written
	size   uint64
	vb     []byte
}

// startRecord writes a put record of sd up to its vectors: n chunks of
// dimension dim follow through vectors.
func startRecord(w *bufio.Writer, sd *rag.StoredDocument, dim int, terms termSource) *recordWriter {
	n := len(sd.Chunks)
	if n == 0 {
		dim = 0
	}
	head := encodeHead(sd, dim)
	textLen := binary.AppendUvarint(nil, uint64(len(sd.Text)))
	size := uint64(len(head)) + uint64(terms.size()) + uint64(len(textLen)) + uint64(len(sd.Text)) + 4*uint64(dim*n)
	rw := &recordWriter{w: w, cw: &crcWriter{w: w}, id: sd.ID, n: n, dim: dim, size: size, vb: make([]byte, 4*dim)}
	var lenb [8]byte
	binary.LittleEndian.PutUint64(lenb[:], size)
	rw.cw.Write(lenb[:])
	rw.cw.Write(head)
	terms.writeTo(rw.cw)
	rw.cw.Write(textLen)
	writeString(rw.cw, sd.Text)
	return rw
}

// vectors writes the next vectors, in chunk order.
func (rw *recordWriter) vectors(vs [][]float32) error {
	if rw.given+len(vs) > rw.n {
		return fmt.Errorf("encode %q: %w: %d vectors for %d chunks", rw.id, errVectorCount, rw.given+len(vs), rw.n)
	}
	for _, v := range vs {
		if len(v) != rw.dim {
			return fmt.Errorf("encode %q: %w: %d and %d", rw.id, errDimension, rw.dim, len(v))
		}
		for j, f := range v {
			binary.LittleEndian.PutUint32(rw.vb[4*j:], math.Float32bits(f))
		}
		rw.cw.Write(rw.vb)
	}
	rw.given += len(vs)
	return nil
}

// finish writes the checksum once every vector is written and returns the
// record's size.
func (rw *recordWriter) finish() (int64, error) {
	if rw.given != rw.n {
		return 0, fmt.Errorf("encode %q: %w: %d vectors for %d chunks", rw.id, errVectorCount, rw.given, rw.n)
	}
	var crcb [4]byte
	binary.LittleEndian.PutUint32(crcb[:], rw.cw.crc)
	if _, err := rw.w.Write(crcb[:]); err != nil {
		return 0, err
	}
	if uint64(rw.cw.n) != 8+rw.size {
		return 0, fmt.Errorf("encode %q: wrote %d bytes, want %d", rw.id, rw.cw.n, 8+rw.size)
	}
	return rw.cw.n + 4, nil
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

// checkRecordAt is checkRecord for the record of size bytes at off in r,
// read through buf a piece at a time: a large record's pages are never
// mapped into this process (a write-only store checks them so).
func checkRecordAt(r io.ReaderAt, off, size int64, buf []byte) error {
	return readRecord(r, off, size, buf, nil)
}

// readRecord reads the record of size bytes at off in r through buf, a
// piece at a time, hands each piece to fn (nil: none) and checks the
// record's length and checksum on the way, so a large record is never in
// memory whole. A piece fn was given may belong to a damaged record: the
// error comes after the last piece.
func readRecord(r io.ReaderAt, off, size int64, buf []byte, fn func(piece []byte) error) error {
	var head [8]byte
	if size >= 12 {
		if _, err := r.ReadAt(head[:], off); err != nil {
			return fmt.Errorf("read record: %w", err)
		}
	}
	if size < 12 || binary.LittleEndian.Uint64(head[:]) != uint64(size-12) {
		return fmt.Errorf("%w: length does not match its place in the file", errCorrupt)
	}
	var crc uint32
	for pos := int64(0); pos < size; {
		k, err := r.ReadAt(buf[:min(int64(len(buf)), size-pos)], off+pos)
		if k == 0 {
			return fmt.Errorf("read record: %w", err)
		}
		p := buf[:k]
		crc = crc32.Update(crc, castagnoli, p[:max(0, min(int64(k), size-4-pos))]) // not the checksum itself
		if fn != nil {
			if err := fn(p); err != nil {
				return err
			}
		}
		pos += int64(k)
	}
	var tail [4]byte
	if _, err := r.ReadAt(tail[:], off+size-4); err != nil {
		return fmt.Errorf("read record: %w", err)
	}
	if crc != binary.LittleEndian.Uint32(tail[:]) {
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

// recordHead is what a put record holds before its chunk terms.
type recordHead struct {
	sd           *rag.StoredDocument
	sameAnalyser bool
	n, dim       int
}

// head decodes a put record's payload up to the chunk terms (see
// encodeHead). With chunks false the chunk entries are skipped without
// allocating (sd.Chunks stays nil).
func (d *decoder) head(chunks bool) recordHead {
	if d.byte() != kindPut {
		if d.err == nil {
			d.err = fmt.Errorf("%w: not a document", errCorrupt)
		}
		d.b = nil
		return recordHead{sd: &rag.StoredDocument{}}
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
	h := recordHead{sd: sd, sameAnalyser: string(d.bytes()) == text.Fingerprint()}
	h.n = d.int(uint64(len(d.b)))
	h.dim = d.int(1 << 16)
	if !chunks {
		for range h.n {
			d.bytes()
			d.uvarint()
			d.uvarint()
			d.uvarint()
		}
		return h
	}
	sd.Chunks = make([]rag.Chunk, h.n)
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		c.ID, c.DocID = d.string(), sd.ID
		c.Index = d.int(math.MaxInt32)
		c.Start = d.int(math.MaxInt32)
		c.End = d.int(math.MaxInt32)
	}
	return h
}

// skipTerms skips n chunks' terms (see appendTerms).
func (d *decoder) skipTerms(n int) {
	for range n {
		d.uvarint()
		nt := d.int(uint64(len(d.b)))
		for range nt {
			d.bytes()
			d.uvarint()
		}
		if d.err != nil {
			return
		}
	}
}

// decodeInfo decodes the registry entry of a checked put record without
// its chunks, terms, text or vectors (a write-only store keeps no more).
func decodeInfo(rec []byte) (rag.DocumentInfo, error) {
	d := decoder{b: rec[8 : len(rec)-4]}
	h := d.head(false)
	d.skipTerms(h.n)
	textLen := len(d.bytes())
	if d.err != nil {
		return rag.DocumentInfo{}, d.err
	}
	if len(d.b) != 4*h.n*h.dim {
		return rag.DocumentInfo{}, fmt.Errorf("%w: %d bytes of vectors for %d chunks of dimension %d", errCorrupt, len(d.b), h.n, h.dim)
	}
	sd := h.sd
	return rag.DocumentInfo{ID: sd.ID, Title: sd.Title, Source: sd.Source, Chunks: h.n, Bytes: textLen,
		Metadata: sd.Metadata, Hash: sd.Hash}, nil
}

// decodeText decodes a checked put record without its terms and vectors:
// the document, its hash and its chunks with their text.
func decodeText(rec []byte) (*rag.StoredDocument, error) {
	d := decoder{b: rec[8 : len(rec)-4]}
	h := d.head(true)
	d.skipTerms(h.n)
	sd := h.sd
	sd.Text = d.string()
	if d.err != nil {
		return nil, d.err
	}
	for i := range sd.Chunks {
		c := &sd.Chunks[i]
		if c.Start > c.End || c.End > len(sd.Text) {
			return nil, fmt.Errorf("%w: chunk %s offsets [%d,%d) outside the text", errCorrupt, c.ID, c.Start, c.End)
		}
		c.Text = sd.Text[c.Start:c.End]
	}
	return sd, nil
}

// decodeRecordDict is decodeRecord that, when dict is not nil, gives the
// stored terms as ids of dict: a term already known costs a lookup and no
// allocation. It reads the record's fields in the order head, writeRecord
// and startRecord write them.
func decodeRecordDict(rec []byte, dict termInterner) (*rag.StoredDocument, []analysed, error) {
	d := decoder{b: rec[8 : len(rec)-4]}
	h := d.head(true)
	if d.err != nil {
		return nil, nil, d.err
	}
	sd, n, dim := h.sd, h.n, h.dim
	terms := make([]analysed, n)
	for i := range terms {
		if !h.sameAnalyser {
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
	if !h.sameAnalyser {
		terms = chunkTerms(sd)
	}
	return sd, terms, nil
}
