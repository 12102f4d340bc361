package chromemstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// testDoc is document id with n chunks of seeded text, vectors of
// dimension 8 and version v in its text.
func testDoc(id string, v, n, words int) rag.StoredDocument {
	rng := rand.New(rand.NewPCG(uint64(len(id)*7919+v), uint64(n)))
	var text strings.Builder
	sd := rag.StoredDocument{}
	for c := range n {
		if c > 0 {
			text.WriteString("\n")
		}
		start := text.Len()
		fmt.Fprintf(&text, "%s version %d chunk %d.", id, v, c)
		for range words {
			fmt.Fprintf(&text, " w%d", rng.IntN(500))
		}
		sd.Chunks = append(sd.Chunks, rag.Chunk{ID: fmt.Sprintf("%s#%d", id, c), DocID: id, Index: c, Start: start, End: text.Len()})
		vec := make([]float32, 8)
		for i := range vec {
			vec[i] = float32(rng.NormFloat64())
		}
		sd.Vectors = append(sd.Vectors, vec)
	}
	sd.Document = rag.Document{ID: id, Title: "T " + id, Text: text.String(), Metadata: map[string]string{"v": fmt.Sprint(v)}}
	for i := range sd.Chunks {
		sd.Chunks[i].Text = sd.Text[sd.Chunks[i].Start:sd.Chunks[i].End]
	}
	sd.Hash = rag.ContentHash(sd.Document)
	return sd
}

func mustOpen(t testing.TB, dir string, log *slog.Logger) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), dir, Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// snapshot is every document's id and hash, with its chunks' texts.
func snapshot(t testing.TB, s *Store) map[string]string {
	t.Helper()
	ctx := context.Background()
	infos, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, in := range infos {
		doc, err := s.Document(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		chunks, _ := s.Chunks(ctx, in.ID)
		for _, c := range chunks {
			if c.Text != doc.Text[c.Start:c.End] {
				t.Fatalf("document %q: chunk %s text is not the document's text at its offsets", in.ID, c.ID)
			}
		}
		if rag.ContentHash(doc) != in.Hash {
			t.Fatalf("document %q: content does not match its hash", in.ID)
		}
		out[in.ID] = in.Hash
	}
	return out
}

func TestReopenAfterPutsDeletesAndCompaction(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := mustOpen(t, dir, nil)
	for i := range 120 { // many small writes: the tail gets merged
		if err := s.Put(ctx, testDoc(fmt.Sprintf("d%03d", i%40), i, 3, 20)); err != nil {
			t.Fatal(err)
		}
	}
	big := make([]rag.StoredDocument, 0, 10)
	for v := range 12 { // replaced large documents: a full compaction
		big = append(big[:0], testDoc("big", v, 400, 200))
		if err := s.Put(ctx, big...); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if err := s.Delete(ctx, fmt.Sprintf("d%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if len(s.files) > maxFiles {
		t.Errorf("%d batch files after compaction, want at most %d", len(s.files), maxFiles)
	}
	var total int64
	for _, f := range s.files {
		total += f.size
	}
	if total > 2*s.live+compactMinBytes {
		t.Errorf("log holds %d bytes for %d live", total, s.live)
	}
	want := snapshot(t, s)
	hits, _ := s.Lexical(ctx, "big version 11", 5, rag.Filter{})
	s.Close()
	s = mustOpen(t, dir, nil)
	defer s.Close()
	if got := snapshot(t, s); !equalMaps(got, want) {
		t.Fatalf("reopened %d documents, want %d", len(got), len(want))
	}
	again, _ := s.Lexical(ctx, "big version 11", 5, rag.Filter{})
	if len(again) != len(hits) || len(hits) == 0 || again[0].Chunk.ID != hits[0].Chunk.ID || again[0].Score != hits[0].Score {
		t.Fatalf("lexical results differ after reopen: %v vs %v", again, hits)
	}
	if rep, err := s.Check(ctx, false); err != nil || !rep.OK() {
		t.Fatalf("check after reopen: %+v, %v", rep, err)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestUpdateDeleteRaces: a Put and a Delete of the same document race 1,000
// times; whatever memory says afterwards must be what a reopen finds.
func TestUpdateDeleteRaces(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := mustOpen(t, dir, nil)
	const races, ids = 1000, 20
	for i := range ids {
		if err := s.Put(ctx, testDoc(fmt.Sprintf("r%d", i), 0, 1, 5)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for w := range ids { // one goroutine pair per id, racing on it
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("r%d", w)
			for r := w; r < races; r += ids {
				var inner sync.WaitGroup
				inner.Add(2)
				go func() {
					defer inner.Done()
					if err := s.Put(ctx, testDoc(id, r+1, 1, 5)); err != nil {
						t.Error(err)
					}
				}()
				go func() {
					defer inner.Done()
					if err := s.Delete(ctx, id); err != nil && !errors.Is(err, rag.ErrNotFound) {
						t.Error(err)
					}
				}()
				inner.Wait()
			}
		}()
	}
	wg.Wait()
	want := snapshot(t, s)
	s.Close()
	s = mustOpen(t, dir, nil)
	defer s.Close()
	got := snapshot(t, s)
	lost := 0
	for id, h := range want {
		if got[id] != h {
			lost++
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			lost++
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d documents differ after reopen: acknowledged writes lost", lost, ids)
	}
}

// flipByte flips one byte of the batch file holding loc, at off within
// the record.
func flipByte(t *testing.T, dir string, loc recLoc, off int64) {
	t.Helper()
	path := filepath.Join(dir, logDirName, batchName(loc.seq))
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := []byte{0}
	f.ReadAt(b, loc.off+off)
	b[0] ^= 0x5a
	if _, err := f.WriteAt(b, loc.off+off); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptRecordSetAside(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		off  func(size int64) int64
	}{
		{"length", func(int64) int64 { return 2 }},
		{"text", func(size int64) int64 { return size / 3 }},
		{"vector", func(size int64) int64 { return size - 10 }},
		{"checksum", func(size int64) int64 { return size - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, nil)
			if err := s.Put(ctx, testDoc("a", 0, 2, 30), testDoc("victim", 0, 2, 30)); err != nil {
				t.Fatal(err)
			}
			// The newest version is the one damaged: the older one must not
			// come back in its place.
			if err := s.Put(ctx, testDoc("victim", 1, 3, 30), testDoc("c", 0, 2, 30)); err != nil {
				t.Fatal(err)
			}
			loc := s.locs["victim"]
			s.Close()
			flipByte(t, dir, loc, tc.off(loc.size))

			// A write-only open sets it aside too, whether it checks the
			// record in its mapping or by reading the file: ingest writes
			// it afresh.
			for _, large := range []int{1 << 20, 64} {
				old := largeRecord
				largeRecord = large
				w := mustOpenWriteOnly(t, dir)
				largeRecord = old
				if _, err := w.Info(ctx, "victim"); !errors.Is(err, rag.ErrNotFound) {
					t.Fatalf("write-only open (large %d) registers a damaged document: %v", large, err)
				}
				if err := w.Health(ctx); !errors.Is(err, rag.ErrDegraded) || !strings.Contains(err.Error(), `"victim"`) {
					t.Fatalf("write-only Health = %v, want degraded naming the document", err)
				}
				w.Close()
			}
			w := mustOpenWriteOnly(t, dir)
			if _, err := w.Info(ctx, "victim"); !errors.Is(err, rag.ErrNotFound) {
				t.Fatalf("write-only open registers a damaged document: %v", err)
			}
			if got := snapshot(t, w); len(got) != 2 || got["a"] == "" || got["c"] == "" {
				t.Fatalf("write-only open: %v, want a and c", got)
			}
			if err := w.Health(ctx); !errors.Is(err, rag.ErrDegraded) || !strings.Contains(err.Error(), `"victim"`) {
				t.Fatalf("write-only Health = %v, want degraded naming the document", err)
			}
			w.Close()

			var logs bytes.Buffer
			s = mustOpen(t, dir, slog.New(slog.NewTextHandler(&logs, nil)))
			defer s.Close()
			if _, err := s.Document(ctx, "victim"); !errors.Is(err, rag.ErrNotFound) {
				t.Fatalf("damaged document served: %v", err)
			}
			for _, id := range []string{"a", "c"} {
				if _, err := s.Document(ctx, id); err != nil {
					t.Fatalf("sound document %q not served: %v", id, err)
				}
			}
			hits, _ := s.Lexical(ctx, "victim version", 10, rag.Filter{})
			for _, h := range hits {
				if h.Chunk.DocID == "victim" {
					t.Fatalf("damaged document found by search: %v", h)
				}
			}
			if err := s.Health(ctx); !errors.Is(err, rag.ErrDegraded) || !strings.Contains(err.Error(), `"victim"`) {
				t.Fatalf("Health = %v, want degraded naming the document", err)
			}
			if !strings.Contains(logs.String(), `victim`) || !strings.Contains(logs.String(), "level=ERROR") {
				t.Fatalf("no log line names the document:\n%s", logs.String())
			}
			if q, _ := filepath.Glob(filepath.Join(dir, "quarantine", "*.rec")); len(q) != 1 {
				t.Fatalf("quarantine holds %v, want the damaged record", q)
			}
			rep, err := s.Check(ctx, false)
			if err != nil || len(rep.Damaged) != 1 || rep.Repaired {
				t.Fatalf("check: %+v, %v; want one damaged record", rep, err)
			}
			if rep, err = s.Check(ctx, true); err != nil || !rep.Repaired {
				t.Fatalf("check --repair: %+v, %v", rep, err)
			}
			if err := s.Health(ctx); err != nil {
				t.Fatalf("still degraded after repair: %v", err)
			}
			s.Close()
			s = mustOpen(t, dir, nil)
			if err := s.Health(ctx); err != nil {
				t.Fatalf("degraded after repair and reopen: %v", err)
			}
			if got := snapshot(t, s); len(got) != 2 || got["victim"] != "" {
				t.Fatalf("after repair: %v", got)
			}
		})
	}
}

func TestDataDirLocked(t *testing.T) {
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	_, err := Open(context.Background(), dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("second open: %v, want ErrLocked naming process %d", err, os.Getpid())
	}
	s.Close()
	s = mustOpen(t, dir, nil) // released on close
	s.Close()
}

// failAfter fails every write past n bytes with ENOSPC, as a full disk.
type failAfter struct {
	w io.Writer
	n int
}

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, &os.PathError{Op: "write", Path: "batch", Err: syscall.ENOSPC}
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestBatchAllOrNothingWhenDiskFull(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := mustOpen(t, dir, nil)
	if err := s.Put(ctx, testDoc("a", 0, 2, 10), testDoc("b", 0, 2, 10)); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, s)
	s.wrapFile = func(w io.Writer) io.Writer { return &failAfter{w: w, n: 3000} }
	batch := []rag.StoredDocument{testDoc("a", 1, 2, 10), testDoc("new", 0, 2, 10)}
	for i := range 20 {
		batch = append(batch, testDoc(fmt.Sprintf("n%d", i), 0, 3, 100))
	}
	err := s.Put(ctx, batch...)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Put on a full disk: %v, want ENOSPC", err)
	}
	if got := snapshot(t, s); !equalMaps(got, want) {
		t.Fatalf("a failed batch changed the store: %v", got)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, logDirName, "*.tmp")); len(tmp) != 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	s.wrapFile = nil
	if err := s.Delete(ctx, "b"); err != nil { // still writable once space is back
		t.Fatal(err)
	}
	s.Close()
	s = mustOpen(t, dir, nil)
	defer s.Close()
	delete(want, "b")
	if got := snapshot(t, s); !equalMaps(got, want) {
		t.Fatalf("after reopen: %v, want %v", got, want)
	}
}

func TestMigratesSegments(t *testing.T) {
	for _, writeOnly := range []bool{false, true} { // ragcite serve, ragcite ingest
		dir := t.TempDir()
		os.MkdirAll(filepath.Join(dir, segmentDir), 0o755)
		sd := testDoc("old/doc", 0, 2, 10)
		if err := writeSegment(filepath.Join(dir, segmentDir, "x"+segmentExt), &sd, chunkTerms(&sd)); err != nil {
			t.Fatal(err)
		}
		s, err := OpenWith(context.Background(), dir, Options{WriteOnly: writeOnly})
		if err != nil {
			t.Fatal(err)
		}
		if got := snapshot(t, s); got["old/doc"] != sd.Hash {
			t.Fatalf("migrated store (write-only %v): %v", writeOnly, got)
		}
		s.Close()
		if _, err := os.Stat(filepath.Join(dir, segmentDir)); !os.IsNotExist(err) {
			t.Fatalf("old segments left behind: %v", err)
		}
		s = mustOpen(t, dir, nil)
		if got := snapshot(t, s); got["old/doc"] != sd.Hash {
			t.Fatalf("reopened after migration (write-only %v): %v", writeOnly, got)
		}
		s.Close()
	}
}

// TestFilesBeforeABaseAreObsolete: batch files older than the newest base
// (what a crash right after a compaction leaves) are neither read nor
// kept, by a full and by a write-only open: a document deleted before the
// compaction stays deleted.
func TestFilesBeforeABaseAreObsolete(t *testing.T) {
	for _, writeOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("writeOnly=%v", writeOnly), func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			logDir := filepath.Join(dir, logDirName)
			s := mustOpen(t, dir, nil)
			if err := s.Put(ctx, testDoc("gone", 1, 2, 10), testDoc("kept", 1, 2, 10)); err != nil {
				t.Fatal(err)
			}
			old, err := listBatches(logDir)
			if err != nil || len(old) == 0 {
				t.Fatalf("batch files %v, %v", old, err)
			}
			saved := map[string][]byte{}
			for _, f := range old {
				b, err := os.ReadFile(filepath.Join(logDir, batchName(f.seq)))
				if err != nil {
					t.Fatal(err)
				}
				saved[batchName(f.seq)] = b
			}
			if err := s.Delete(ctx, "gone"); err != nil {
				t.Fatal(err)
			}
			s.wmu.Lock()
			err = s.compactAll()
			s.wmu.Unlock()
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			for name, b := range saved { // as if the crash came before they were removed
				if err := os.WriteFile(filepath.Join(logDir, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err = OpenWith(ctx, dir, Options{WriteOnly: writeOnly})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Info(ctx, "gone"); !errors.Is(err, rag.ErrNotFound) {
				t.Errorf("a document deleted before the compaction: %v, want not found", err)
			}
			if _, err := s.Info(ctx, "kept"); err != nil {
				t.Errorf("kept: %v", err)
			}
			for name := range saved {
				if _, err := os.Stat(filepath.Join(logDir, name)); !os.IsNotExist(err) {
					t.Errorf("obsolete %s still there (%v)", name, err)
				}
			}
		})
	}
}
