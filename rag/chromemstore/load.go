package chromemstore

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/ragcite/ragcite/rag"
)

// logRecord is one record of the log while it is replayed.
type logRecord struct {
	file  int    // index in the mapped files
	span  [2]int // [offset, end) in the file
	kind  byte
	id    string
	named bool // kind and id readable
	err   error
	where string            // where a damaged record was copied
	info  *rag.DocumentInfo // a write-only store's entry of a put
}

// loadLog replays the log: every record's checksum is verified and the
// latest record of each id decoded and indexed, both by as many workers as
// cores (bulkLoad).
func (s *Store) loadLog(_ context.Context) error {
	dir := filepath.Join(s.dir, logDirName)
	live, obsolete, err := s.liveBatches(dir)
	if err != nil {
		return err
	}
	maps := make([]*mappedBatch, 0, len(live))
	defer func() {
		for _, m := range maps {
			m.unmap()
		}
	}()
	for _, f := range live {
		m, err := mapBatch(filepath.Join(dir, batchName(f.seq)), f)
		if err != nil {
			return err
		}
		maps = append(maps, m)
	}
	recs := s.checkRecords(maps)
	winners := s.resolve(recs)
	s.decodeAndIndex(maps, recs, winners)
	for _, m := range maps {
		s.files = append(s.files, m.file)
	}
	removeBatches(dir, obsolete)
	s.ids.reset(s.docs)
	return nil
}

// liveBatches lists the log's batch files and sets nextSeq past them. The
// newest base makes every older file obsolete (such files are left by a
// crash right after a compaction): live is that base and the files after
// it.
func (s *Store) liveBatches(dir string) (live, obsolete []batchFile, err error) {
	files, err := listBatches(dir)
	if err != nil {
		return nil, nil, err
	}
	if n := len(files); n > 0 {
		s.nextSeq = files[n-1].seq + 1
	}
	first := 0
	for i, f := range files {
		if isBase(filepath.Join(dir, batchName(f.seq))) {
			first = i
		}
	}
	return files[first:], files[:first], nil
}

// removeBatches deletes obsolete batch files.
func removeBatches(dir string, files []batchFile) {
	for _, f := range files {
		os.Remove(filepath.Join(dir, batchName(f.seq)))
	}
}

// checkRecords lists the records of maps in log order and checks each one's
// checksum, in parallel.
func (s *Store) checkRecords(maps []*mappedBatch) []logRecord {
	var recs []logRecord
	for i, m := range maps {
		if m.problem != "" {
			s.problem(fmt.Sprintf("batch file %s: %s", batchName(m.file.seq), m.problem))
		}
		for _, sp := range m.spans {
			recs = append(recs, logRecord{file: i, span: sp})
		}
	}
	parallel(len(recs), func(i int) {
		s.checkRecord(maps[recs[i].file], nil, &recs[i], false)
	})
	return recs
}

// checkRecord checks r's checksum and reads its kind and id (and, with
// info, its registry entry); a damaged record is copied aside. When f (m's
// file) is given, a record over largeRecord bytes is checked by reading f,
// so that of its mapped pages only those decoded are touched.
func (s *Store) checkRecord(m *mappedBatch, f io.ReaderAt, r *logRecord, info bool) {
	b := m.data[r.span[0]:r.span[1]]
	if f != nil && len(b) > largeRecord {
		r.err = checkRecordAt(f, int64(r.span[0]), int64(len(b)), make([]byte, largeRecord))
	} else {
		r.err = checkRecord(b)
	}
	r.kind, r.id, r.named = recordID(b)
	if r.err == nil && info && r.kind == kindPut {
		in, err := decodeInfo(b)
		r.info, r.err = &in, err
	}
	if r.err != nil {
		r.where = s.quarantine(m, r.span)
	}
}

// loadRegistry replays the log for a write-only store: every record's
// checksum is verified as on a full open, but only the registry entry of
// each put is decoded, and one file is mapped at a time.
func (s *Store) loadRegistry(context.Context) error {
	dir := filepath.Join(s.dir, logDirName)
	live, obsolete, err := s.liveBatches(dir)
	if err != nil {
		return err
	}
	var recs []logRecord
	for i, f := range live {
		path := filepath.Join(dir, batchName(f.seq))
		m, err := mapBatch(path, f)
		if err != nil {
			return err
		}
		fh, err := os.Open(path)
		if err != nil {
			m.unmap()
			return fmt.Errorf("read log: %w", err)
		}
		if m.problem != "" {
			s.problem(fmt.Sprintf("batch file %s: %s", batchName(f.seq), m.problem))
		}
		// Records are checked a window at a time, whose pages are then
		// dropped from this process (they stay in the page cache): a
		// large file is never resident here whole.
		for len(m.spans) > 0 {
			from, start, end := len(recs), m.spans[0][0], m.spans[0][0]
			for len(m.spans) > 0 && (len(recs) == from || m.spans[0][1]-start <= registryWindow) {
				recs = append(recs, logRecord{file: i, span: m.spans[0]})
				end = m.spans[0][1]
				m.spans = m.spans[1:]
			}
			parallel(len(recs)-from, func(k int) { s.checkRecord(m, fh, &recs[from+k], true) })
			m.release(start, end)
		}
		fh.Close()
		s.files = append(s.files, m.file)
		m.unmap()
	}
	for _, i := range s.resolve(recs) {
		r := recs[i]
		s.docs[r.id] = &storedEntry{info: *r.info}
		s.setLoc(r.id, recLoc{seq: s.files[r.file].seq, off: int64(r.span[0]), size: int64(r.span[1] - r.span[0])})
	}
	removeBatches(dir, obsolete)
	s.ids.reset(s.docs)
	return nil
}

// registryWindow is how many bytes of records a write-only open checks
// before it lets their pages go (a variable for tests).
var registryWindow = 64 << 20

// largeRecord is the size past which a write-only open checks a record by
// reading its file rather than its mapping (its vectors then never count
// in this process's memory); also the read buffer. A variable for tests.
var largeRecord = 1 << 20

// isBase reports whether the batch file at path is a base (see log.go).
func isBase(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var h [headerSize]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return false
	}
	return string(h[:len(fileMagic)]) == fileMagic && h[len(fileMagic)]&flagBase != 0
}

// resolve picks the latest record of each id and returns their indexes in
// recs. A damaged record sets its document aside: the document is left out
// (an older version is never served in its place) and reported, unless a
// later sound record replaces it.
func (s *Store) resolve(recs []logRecord) []int {
	latest := map[string]int{}
	damaged := map[string]string{}
	var order []string
	for i, r := range recs {
		if r.err != nil {
			where := r.where
			if !r.named {
				s.problem(fmt.Sprintf("an unreadable record (its id too is damaged): %v; kept in %s", r.err, where))
				continue
			}
			latest[r.id] = -1
			if _, ok := damaged[r.id]; !ok {
				order = append(order, r.id)
			}
			damaged[r.id] = fmt.Sprintf("document %q set aside: %v; kept in %s", r.id, r.err, where)
			continue
		}
		delete(damaged, r.id)
		if r.kind == kindDelete {
			latest[r.id] = -1
		} else {
			latest[r.id] = i
		}
	}
	for _, id := range order {
		if why, ok := damaged[id]; ok {
			s.problem(why)
		}
	}
	winners := make([]int, 0, len(latest))
	for _, i := range latest {
		if i >= 0 {
			winners = append(winners, i)
		}
	}
	return winners
}

// decodeAndIndex decodes the winning records and indexes them in parallel
// (bulkLoad).
func (s *Store) decodeAndIndex(maps []*mappedBatch, recs []logRecord, winners []int) {
	var mu sync.Mutex // guards s.problems
	rec := func(j int) []byte {
		r := recs[winners[j]]
		return maps[r.file].data[r.span[0]:r.span[1]]
	}
	s.bulkLoad(len(winners), func(j int) int { return len(rec(j)) }, func(j int, dict termInterner) (*rag.StoredDocument, []analysed) {
		sd, terms, err := decodeRecordDict(rec(j), dict)
		if err != nil {
			mu.Lock()
			s.problem(fmt.Sprintf("document %q set aside: %v", recs[winners[j]].id, err))
			mu.Unlock()
			return nil, nil
		}
		return sd, terms
	})
	for _, i := range winners {
		r := recs[i]
		if _, ok := s.docs[r.id]; ok {
			s.setLoc(r.id, recLoc{seq: maps[r.file].file.seq, off: int64(r.span[0]), size: int64(r.span[1] - r.span[0])})
		}
	}
}

// indexParallel indexes documents 0..n-1 (get, called by worker w,
// returns nil to skip one):
// as many workers as cores decode them and fill chromem-go (safe for
// concurrent use) while this goroutine adds them to the BM25 index, a
// pipeline with no merge step. The ids must be distinct and not in memory.
// Callers hold s.mu (or own s).
func (s *Store) indexParallel(n int, get func(w, i int) (*rag.StoredDocument, []analysed)) {
	type ready struct {
		e     *storedEntry
		terms []analysed
	}
	out := make(chan ready, 256)
	workers := min(runtime.GOMAXPROCS(0), max(n, 1))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := w; j < n; j += workers {
				sd, terms := get(w, j)
				if sd == nil {
					continue
				}
				e := newEntry(sd)
				s.addVectors(e, sd.Vectors)
				for i := range terms {
					terms[i].resolve(s.lex.dict)
				}
				out <- ready{e, terms}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	for r := range out {
		for i, c := range r.e.chunks {
			r.e.slots = append(r.e.slots, s.lex.add(c, r.terms[i]))
		}
		s.docs[r.e.info.ID] = r.e
		s.ids.add(r.e.info.ID)
	}
}

// problem records and logs something set aside while opening.
func (s *Store) problem(msg string) {
	s.problems = append(s.problems, msg)
	s.log.Error("store: "+msg, slog.String("dir", s.dir))
}

// quarantine copies a damaged record's bytes under DIR/quarantine (once)
// and returns where.
func (s *Store) quarantine(m *mappedBatch, span [2]int) string {
	dir := filepath.Join(s.dir, "quarantine")
	path := filepath.Join(dir, fmt.Sprintf("%016x-%d.rec", m.file.seq, span[0]))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "(not copied: " + err.Error() + ")"
	}
	if err := os.WriteFile(path, m.data[span[0]:span[1]], 0o644); err != nil {
		return "(not copied: " + err.Error() + ")"
	}
	return path
}

// parallel runs fn(0..n-1) on as many goroutines as cores.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// migrateSegments moves documents from the earlier one-file-per-document
// layout (DIR/docs/*.seg) into the log in one batch, then removes the old
// files. A segment that cannot be read is moved to DIR/quarantine.
func (s *Store) migrateSegments(ctx context.Context) error {
	dir := filepath.Join(s.dir, segmentDir)
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("migrate segments: %w", err)
	}
	var sds []rag.StoredDocument
	var paths []string
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !strings.HasSuffix(e.Name(), segmentExt) {
			os.Remove(p)
			continue
		}
		sd, _, err := readSegment(p)
		if err != nil {
			q := filepath.Join(s.dir, "quarantine", e.Name())
			os.MkdirAll(filepath.Dir(q), 0o755)
			os.Rename(p, q)
			s.problem(fmt.Sprintf("%v; moved to %s", err, q))
			continue
		}
		sds = append(sds, *sd)
		paths = append(paths, p)
	}
	if err := s.Put(ctx, sds...); err != nil {
		return fmt.Errorf("migrate segments: %w", err)
	}
	for _, p := range paths {
		os.Remove(p)
	}
	os.Remove(dir)
	return syncDir(s.dir)
}
