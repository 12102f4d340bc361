package chromemstore

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// Compaction keeps the log small and its file count low:
//
//   - once the files hold more than twice the bytes of the live records
//     (replaced and deleted documents past half of it), every live record
//     is copied into one base file and the older files are removed;
//   - once there are more than maxFiles files, the newest mergeFiles are
//     merged into one, keeping the latest record of each id, so many small
//     writes do not leave many small files (each record is copied
//     O(log n) times).
//
// Both commit their new file before removing old ones: a crash in between
// leaves files whose replay gives the same store.
const (
	compactMinBytes = 4 << 20
	maxFiles        = 32
	mergeFiles      = 16
)

// maybeCompact compacts when a threshold is passed. A write is durable
// before it, so a failure is logged, not returned. Callers hold s.wmu.
func (s *Store) maybeCompact() error {
	var total int64
	for _, f := range s.files {
		total += f.size
	}
	var err error
	switch {
	case total > compactMinBytes && total > 2*s.live && !s.degraded():
		err = s.compactAll()
	case len(s.files) > maxFiles:
		err = s.mergeTail(mergeFiles)
	}
	if err != nil {
		s.log.Warn("store: compaction failed; it will be tried again after the next write", "error", err.Error())
	}
	return nil
}

func (s *Store) degraded() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.problems) > 0
}

// compactAll copies every live record into a new base file and removes the
// older files. Callers hold s.wmu.
func (s *Store) compactAll() error {
	dir := filepath.Join(s.dir, logDirName)
	b, err := s.begin(true)
	if err != nil {
		return err
	}
	open := map[uint64]*os.File{}
	buf := make([]byte, 1<<20)
	defer func() {
		for _, f := range open {
			f.Close()
		}
	}()
	locs := make(map[string]recLoc, len(s.locs))
	for _, id := range slices.Sorted(maps.Keys(s.locs)) {
		loc := s.locs[id]
		f, ok := open[loc.seq]
		if !ok {
			if f, err = os.Open(filepath.Join(dir, batchName(loc.seq))); err != nil {
				b.abort()
				return fmt.Errorf("compact: %w", err)
			}
			open[loc.seq] = f
		}
		if locs[id], err = b.copyRecord(f, loc, buf); err != nil {
			b.abort()
			return fmt.Errorf("compact: %q: %w", id, err)
		}
	}
	old := s.files
	if err := s.commit(b); err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	s.files = s.files[len(old):]
	s.files[0].base = true
	s.locs, s.live = map[string]recLoc{}, 0
	for id, loc := range locs {
		s.setLoc(id, loc)
	}
	for _, f := range old {
		os.Remove(filepath.Join(dir, batchName(f.seq)))
	}
	return syncDir(dir)
}

// mergeTail merges the newest n files into one. It leaves files alone when
// one of them holds a damaged record: that stays for ragcite check.
// Callers hold s.wmu. Reading the files, writing the merged one and moving
// the records' locations are one step: a failure anywhere must leave the
// old files and locations as they were, which is easiest to see whole.
func (s *Store) mergeTail(n int) error {
	dir := filepath.Join(s.dir, logDirName)
	set := s.files[len(s.files)-n:]
	base := false
	type latest struct {
		rec []byte
		at  int
	}
	recs := map[string]latest{}
	for _, f := range set {
		data, err := os.ReadFile(filepath.Join(dir, batchName(f.seq)))
		if err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		m := &mappedBatch{file: f, data: data}
		m.parse()
		if m.problem != "" {
			return nil
		}
		base = base || m.file.base
		for _, sp := range m.spans {
			rec := data[sp[0]:sp[1]]
			_, id, ok := recordID(rec)
			if checkRecord(rec) != nil || !ok {
				return nil
			}
			at := len(recs)
			if l, ok := recs[id]; ok {
				at = l.at
			}
			recs[id] = latest{rec, at}
		}
	}
	ids := slices.SortedFunc(maps.Keys(recs), func(a, b string) int { return recs[a].at - recs[b].at })
	b, err := s.begin(base)
	if err != nil {
		return err
	}
	inSet := map[uint64]bool{}
	for _, f := range set {
		inSet[f.seq] = true
	}
	moved := map[string]recLoc{}
	for _, id := range ids {
		loc, err := b.raw(recs[id].rec)
		if err != nil {
			b.abort()
			return fmt.Errorf("merge: %w", err)
		}
		if l, ok := s.locs[id]; ok && inSet[l.seq] {
			moved[id] = loc
		}
	}
	keep := len(s.files) - n
	if err := s.commit(b); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	merged := s.files[len(s.files)-1]
	merged.base = base
	s.files = append(s.files[:keep:keep], merged)
	for id, loc := range moved {
		s.setLoc(id, loc)
	}
	for _, f := range set {
		os.Remove(filepath.Join(dir, batchName(f.seq)))
	}
	return syncDir(dir)
}
