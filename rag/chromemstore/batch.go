package chromemstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/ragcite/ragcite/rag"
)

// A write-only store (Options.WriteOnly) is what a process that only adds
// documents needs (ragcite ingest): it keeps the registry (each document's
// entry and where its record is) and builds neither chromem-go nor the
// BM25 index, so opening a large store reads each record's head only and
// nothing of the vectors stays in memory. It takes batches document by
// document (BeginBatch): each record is streamed to the batch file as its
// vectors are computed.

// errWriteOnly answers the queries a write-only store cannot.
var errWriteOnly = errors.New("store opened write-only: no index to query")

var _ rag.BatchStore = (*Store)(nil)

// BeginBatch implements rag.BatchStore for a write-only store on disk; a
// store with an in-memory index answers errors.ErrUnsupported. The batch
// is written to a temporary file without any lock held; Commit takes the
// writer lock, names and syncs the file, and updates the registry.
func (s *Store) BeginBatch(context.Context) (rag.Batch, error) {
	if !s.writeOnly || s.dir == "" {
		return nil, fmt.Errorf("begin batch: %w: the store keeps an in-memory index", errors.ErrUnsupported)
	}
	if s.isClosed() {
		return nil, rag.ErrClosed
	}
	b, err := newBatch(filepath.Join(s.dir, logDirName), 0, false, s.wrapFile)
	if err != nil {
		return nil, err
	}
	return &streamBatch{s: s, b: b}, nil
}

// lazyTermsChunks is the number of chunks past which a document's encoded
// terms are not held whole while its record is written (see lazyTerms):
// about 3 MB of text.
const lazyTermsChunks = 4 * pieceChunks

// streamBatch is a batch of a write-only store.
type streamBatch struct {
	s     *Store
	mu    sync.Mutex // one record at a time; guards the fields below
	b     *batchWriter
	infos []rag.DocumentInfo
	locs  []recLoc
	err   error // the first failure: only Abort is left
	ended bool
}

// Add implements rag.Batch. The chunks are analysed before the batch is
// locked, so another document's record can be written meanwhile.
func (sb *streamBatch) Add(_ context.Context, sd rag.StoredDocument, more func() ([][]float32, error)) error {
	if err := validateChunks(&sd); err != nil {
		return err
	}
	var terms termSource
	if len(sd.Chunks) > lazyTermsChunks {
		terms = sizeTerms(&sd)
	} else {
		terms = analyseAll([]rag.StoredDocument{sd})[0]
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	switch {
	case sb.ended:
		return errors.New("add: the batch has ended")
	case sb.err != nil:
		return fmt.Errorf("add: the batch failed earlier: %w", sb.err)
	}
	loc, err := sb.write(&sd, terms, more)
	if err != nil {
		sb.err = fmt.Errorf("put %q: %w", sd.ID, err)
		return sb.err
	}
	sb.infos = append(sb.infos, infoOf(&sd))
	sb.locs = append(sb.locs, loc)
	return nil
}

// write streams sd's record: vectors are pulled from more as they are
// needed. Callers hold sb.mu.
func (sb *streamBatch) write(sd *rag.StoredDocument, terms termSource, more func() ([][]float32, error)) (recLoc, error) {
	vecs := sd.Vectors
	sd.Vectors = nil
	next := func() error {
		if more == nil {
			return fmt.Errorf("%w: fewer vectors than chunks", errVectorCount)
		}
		var err error
		if vecs, err = more(); err != nil {
			return err
		}
		if len(vecs) == 0 {
			return fmt.Errorf("%w: fewer vectors than chunks", errVectorCount)
		}
		return nil
	}
	if len(vecs) == 0 && len(sd.Chunks) > 0 {
		if err := next(); err != nil { // the dimension comes first in the record
			return recLoc{}, err
		}
	}
	dim := 0
	if len(vecs) > 0 {
		dim = len(vecs[0])
	}
	rw := startRecord(sb.b.w, sd, dim, terms)
	for {
		if err := rw.vectors(vecs); err != nil {
			return recLoc{}, err
		}
		if rw.given == rw.n {
			break
		}
		if err := next(); err != nil {
			return recLoc{}, err
		}
	}
	n, err := rw.finish()
	if err != nil {
		return recLoc{}, fmt.Errorf("write batch: %w", err)
	}
	return sb.b.add(n), nil
}

// Commit implements rag.Batch.
func (sb *streamBatch) Commit(context.Context) error {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.ended {
		return errors.New("commit: the batch has ended")
	}
	sb.ended = true
	if sb.err != nil {
		sb.b.abort()
		return fmt.Errorf("commit: %w", sb.err)
	}
	if len(sb.infos) == 0 {
		sb.b.abort()
		return nil
	}
	s := sb.s
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.isClosed() {
		sb.b.abort()
		return rag.ErrClosed
	}
	sb.b.seq = s.nextSeq
	if err := s.commit(sb.b); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.mu.Lock()
	for _, info := range sb.infos {
		s.unindex(context.Background(), info.ID)
		s.docs[info.ID] = &storedEntry{info: info}
		s.ids.add(info.ID)
	}
	s.mu.Unlock()
	for i, loc := range sb.locs {
		loc.seq = sb.b.seq
		s.setLoc(sb.infos[i].ID, loc)
	}
	return s.maybeCompact()
}

// Abort implements rag.Batch.
func (sb *streamBatch) Abort() {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if !sb.ended {
		sb.ended = true
		sb.b.abort()
	}
}

// readLive decodes id's live record from disk without its terms and
// vectors, after checking its checksum: how a write-only store answers
// Document and Chunks.
func (s *Store) readLive(id string) (*rag.StoredDocument, error) {
	s.wmu.Lock() // compaction moves records under it
	defer s.wmu.Unlock()
	loc, ok := s.locs[id]
	if !ok {
		return nil, fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	f, err := os.Open(filepath.Join(s.dir, logDirName, batchName(loc.seq)))
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	if loc.off+loc.size > st.Size() {
		return nil, fmt.Errorf("read %q: %w: record past the end of its file", id, errCorrupt)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	defer syscall.Munmap(data)
	// The checksum is computed by reading the file, so of the mapping
	// only the pages decoded (not the vectors) are touched.
	if err := checkRecordAt(f, loc.off, loc.size, make([]byte, min(loc.size, int64(largeRecord)))); err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	rec := data[loc.off : loc.off+loc.size]
	sd, err := decodeText(rec)
	if err != nil {
		return nil, fmt.Errorf("read %q: %w", id, err)
	}
	return sd, nil
}
