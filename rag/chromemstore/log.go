package chromemstore

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/ragcite/ragcite/rag"
)

// The store's log is a directory of batch files, DIR/log/SEQ.batch, one per
// committed write (a Put of any number of documents, or a Delete):
//
//	header: "RCLOG1\n" and a flags byte (1: a base, holding every live
//	        document; older files are obsolete)
//	records (see record.go)
//	footer: each record's offset (uint64), the record count (uint64), the
//	        CRC-32C of both (uint32), "RCEND1\n\x00"
//
// A batch is written to a temporary file, synced, and renamed into place,
// then the directory is synced: the rename is the commit, so a batch is all
// there or not at all, with one file sync per batch however many documents
// it holds. Replaying the files in sequence order gives the store; a later
// record of an id replaces an earlier one.
const (
	logDirName  = "log"
	batchExt    = ".batch"
	fileMagic   = "RCLOG1\n"
	footerMagic = "RCEND1\n\x00"
	headerSize  = len(fileMagic) + 1
	flagBase    = 1
)

// batchFile is one committed file of the log.
type batchFile struct {
	seq  uint64
	size int64
	base bool
}

// recLoc is where a document's live record is.
type recLoc struct {
	seq       uint64
	off, size int64
}

func batchName(seq uint64) string { return fmt.Sprintf("%016x%s", seq, batchExt) }

// batchWriter writes one batch file.
type batchWriter struct {
	dir, tmp string
	seq      uint64
	f        *os.File
	w        *bufio.Writer
	off      int64
	offsets  []int64
}

// newBatch starts batch file seq in dir. wrap, when set, wraps the file
// (tests use it to simulate a full disk).
func newBatch(dir string, seq uint64, base bool, wrap func(io.Writer) io.Writer) (*batchWriter, error) {
	f, err := os.CreateTemp(dir, batchName(seq)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("new batch: %w", err)
	}
	var out io.Writer = f
	if wrap != nil {
		out = wrap(f)
	}
	b := &batchWriter{dir: dir, tmp: f.Name(), seq: seq, f: f, w: bufio.NewWriterSize(out, 1<<20)}
	flags := byte(0)
	if base {
		flags = flagBase
	}
	b.w.WriteString(fileMagic)
	b.w.WriteByte(flags)
	b.off = int64(headerSize)
	return b, nil
}

// add records that a record of size n was written.
func (b *batchWriter) add(n int64) recLoc {
	loc := recLoc{seq: b.seq, off: b.off, size: n}
	b.offsets = append(b.offsets, b.off)
	b.off += n
	return loc
}

// raw copies a checked record.
func (b *batchWriter) raw(rec []byte) (recLoc, error) {
	if _, err := b.w.Write(rec); err != nil {
		return recLoc{}, fmt.Errorf("write batch: %w", err)
	}
	return b.add(int64(len(rec))), nil
}

// copyRecord copies the record at loc in f into the batch through buf, a
// piece at a time (a large document's record is never in memory whole),
// checking its length and checksum on the way (readRecord); on a mismatch
// the batch must be aborted.
func (b *batchWriter) copyRecord(f io.ReaderAt, loc recLoc, buf []byte) (recLoc, error) {
	err := readRecord(f, loc.off, loc.size, buf, func(p []byte) error {
		if _, err := b.w.Write(p); err != nil {
			return fmt.Errorf("write batch: %w", err)
		}
		return nil
	})
	if err != nil {
		return recLoc{}, err
	}
	return b.add(loc.size), nil
}

// commit writes the footer, syncs and renames the file into place, and
// syncs the directory. It returns the file's size.
func (b *batchWriter) commit() (int64, error) {
	foot := make([]byte, 0, 8*len(b.offsets)+20)
	for _, o := range b.offsets {
		foot = binary.LittleEndian.AppendUint64(foot, uint64(o))
	}
	foot = binary.LittleEndian.AppendUint64(foot, uint64(len(b.offsets)))
	foot = binary.LittleEndian.AppendUint32(foot, crc32.Checksum(foot, castagnoli))
	foot = append(foot, footerMagic...)
	b.w.Write(foot)
	size := b.off + int64(len(foot))
	err := b.w.Flush()
	if err == nil {
		err = b.f.Sync()
	}
	if cerr := b.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(b.tmp, filepath.Join(b.dir, batchName(b.seq)))
	}
	if err == nil {
		err = syncDir(b.dir)
	}
	if err != nil {
		os.Remove(b.tmp)
		return 0, fmt.Errorf("commit batch: %w", err)
	}
	return size, nil
}

// abort drops an uncommitted batch.
func (b *batchWriter) abort() {
	b.f.Close()
	os.Remove(b.tmp)
}

// listBatches returns the committed batch files of dir in sequence order
// and removes temporary files left by a crash.
func listBatches(dir string) ([]batchFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list log: %w", err)
	}
	var out []batchFile
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".tmp"):
			os.Remove(filepath.Join(dir, name)) // a batch cut short: never committed
		case strings.HasSuffix(name, batchExt):
			seq, err := strconv.ParseUint(strings.TrimSuffix(name, batchExt), 16, 64)
			if err != nil {
				continue
			}
			info, err := e.Info()
			if err != nil {
				return nil, fmt.Errorf("list log: %w", err)
			}
			out = append(out, batchFile{seq: seq, size: info.Size()})
		}
	}
	slices.SortFunc(out, func(a, b batchFile) int { return cmpUint(a.seq, b.seq) })
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mappedBatch is a batch file mapped into memory with its records' spans.
type mappedBatch struct {
	file    batchFile
	data    []byte
	spans   [][2]int // [offset, end) of each record
	problem string   // a damaged footer, "" when sound
}

// mapBatch maps a batch file and finds its records: from the footer, or,
// when the footer is damaged, by following the records' lengths.
func mapBatch(path string, bf batchFile) (*mappedBatch, error) {
	m := &mappedBatch{file: bf}
	if bf.size > 0 {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read log: %w", err)
		}
		m.data, err = syscall.Mmap(int(f.Fd()), 0, int(bf.size), syscall.PROT_READ, syscall.MAP_SHARED)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("map %s: %w", path, err)
		}
	}
	m.parse()
	return m, nil
}

// parse finds the records of m.data.
func (m *mappedBatch) parse() {
	d := m.data
	if len(d) < headerSize || string(d[:len(fileMagic)]) != fileMagic {
		m.problem = "not a batch file (bad header)"
		return
	}
	m.file.base = d[len(fileMagic)]&flagBase != 0
	if m.footerSpans() {
		return
	}
	m.problem = "damaged footer: records found by their lengths"
	for off := headerSize; off+12 <= len(d); {
		size := binary.LittleEndian.Uint64(d[off:])
		if size > uint64(len(d)-off-12) {
			break
		}
		end := off + 12 + int(size)
		m.spans = append(m.spans, [2]int{off, end})
		off = end
	}
}

// footerSpans reads the record spans from a sound footer.
func (m *mappedBatch) footerSpans() bool {
	d := m.data
	if len(d) < headerSize+20 || string(d[len(d)-8:]) != footerMagic {
		return false
	}
	count := binary.LittleEndian.Uint64(d[len(d)-20:])
	if count > uint64(len(d))/8 {
		return false
	}
	start := len(d) - 20 - 8*int(count)
	if start < headerSize || crc32.Checksum(d[start:len(d)-12], castagnoli) != binary.LittleEndian.Uint32(d[len(d)-12:]) {
		return false
	}
	for i := range int(count) {
		off := int(binary.LittleEndian.Uint64(d[start+8*i:]))
		end := start
		if i+1 < int(count) {
			end = int(binary.LittleEndian.Uint64(d[start+8*i+8:]))
		}
		if off < headerSize || end > start || off > end {
			return false
		}
		m.spans = append(m.spans, [2]int{off, end})
	}
	return true
}

// release lets the mapped pages of [from, to) go from this process's
// memory; reading them again reads the file (the page cache).
func (m *mappedBatch) release(from, to int) {
	page := os.Getpagesize()
	from = from / page * page
	if m.data != nil && from < to {
		_ = syscall.Madvise(m.data[from:to], syscall.MADV_DONTNEED)
	}
}

func (m *mappedBatch) unmap() {
	if m.data != nil {
		syscall.Munmap(m.data)
		m.data = nil
	}
}

// put streams sd's record into the batch.
func (b *batchWriter) put(sd *rag.StoredDocument, terms termPieces) (recLoc, error) {
	n, err := writeRecord(b.w, sd, terms)
	if err != nil {
		return recLoc{}, fmt.Errorf("write %q: %w", sd.ID, err)
	}
	return b.add(n), nil
}

// del writes a deletion record for id.
func (b *batchWriter) del(id string) (recLoc, error) {
	n, err := writeDelete(b.w, id)
	if err != nil {
		return recLoc{}, fmt.Errorf("write deletion of %q: %w", id, err)
	}
	return b.add(n), nil
}
