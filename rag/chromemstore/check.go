package chromemstore

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"

	"github.com/ragcite/ragcite/rag"
)

// CheckReport is what Check found.
type CheckReport struct {
	Files     int `json:"files"`
	Records   int `json:"records"`
	Documents int `json:"documents"`
	Chunks    int `json:"chunks"`
	// Damaged lists records that fail their checksum or cannot be decoded.
	Damaged []string `json:"damaged"`
	// Mismatches lists differences between the indexes in memory and the
	// records on disk.
	Mismatches []string `json:"mismatches"`
	// Repaired says the log was rewritten from the sound records.
	Repaired bool `json:"repaired"`
}

// OK reports whether nothing was found wrong.
func (r CheckReport) OK() bool { return len(r.Damaged) == 0 && len(r.Mismatches) == 0 }

// Check verifies every record's checksum, and the registry, chromem-go and
// BM25 indexes in memory against the latest record of each document. With
// repair, it then rewrites the log from the sound records (damaged ones
// stay copied under DIR/quarantine) and the store is no longer degraded.
// Writes wait while it runs.
func (s *Store) Check(ctx context.Context, repair bool) (CheckReport, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var rep CheckReport
	if s.writeOnly {
		return rep, fmt.Errorf("check: %w", errWriteOnly)
	}
	if s.dir == "" {
		return rep, nil
	}
	dir := filepath.Join(s.dir, logDirName)
	var mapped []*mappedBatch
	defer func() {
		for _, m := range mapped {
			m.unmap()
		}
	}()
	for _, f := range s.files {
		m, err := mapBatch(filepath.Join(dir, batchName(f.seq)), f)
		if err != nil {
			return rep, fmt.Errorf("check: %w", err)
		}
		mapped = append(mapped, m)
		if m.problem != "" {
			rep.Damaged = append(rep.Damaged, fmt.Sprintf("batch file %s: %s", batchName(f.seq), m.problem))
		}
	}
	rep.Files = len(mapped)
	recs := make([]logRecord, 0)
	for i, m := range mapped {
		for _, sp := range m.spans {
			recs = append(recs, logRecord{file: i, span: sp})
		}
	}
	parallel(len(recs), func(i int) {
		r := &recs[i]
		b := mapped[r.file].data[r.span[0]:r.span[1]]
		r.err = checkRecord(b)
		r.kind, r.id, r.named = recordID(b)
	})
	rep.Records = len(recs)
	latest := map[string]int{}
	for i, r := range recs {
		switch {
		case r.err != nil:
			rep.Damaged = append(rep.Damaged, fmt.Sprintf("record at %s+%d (document %q as it names itself): %v", batchName(mapped[r.file].file.seq), r.span[0], r.id, r.err))
			if r.named {
				latest[r.id] = -1
			}
		case r.kind == kindDelete:
			latest[r.id] = -1
		default:
			latest[r.id] = i
		}
	}
	s.mu.RLock()
	rep.Mismatches = s.compare(ctx, mapped, recs, latest)
	rep.Documents, rep.Chunks = len(s.docs), s.coll.Count()
	s.mu.RUnlock()
	if repair && !rep.OK() {
		if err := s.compactAll(); err != nil {
			return rep, fmt.Errorf("repair: %w", err)
		}
		s.mu.Lock()
		s.problems = nil
		s.mu.Unlock()
		rep.Repaired = true
	}
	return rep, nil
}

// compare checks memory against the latest records. Callers hold s.mu.
func (s *Store) compare(ctx context.Context, mapped []*mappedBatch, recs []logRecord, latest map[string]int) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(latest)) {
		i := latest[id]
		e, inMemory := s.docs[id]
		if i < 0 {
			if inMemory {
				out = append(out, fmt.Sprintf("document %q is served but its latest record is a deletion or damaged", id))
			}
			continue
		}
		r := recs[i]
		sd, terms, err := decodeRecord(mapped[r.file].data[r.span[0]:r.span[1]])
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("document %q: %v", id, err))
			continue
		case !inMemory:
			out = append(out, fmt.Sprintf("document %q is stored but not served", id))
			continue
		}
		out = append(out, s.compareEntry(ctx, e, sd.Text, sd.Hash, sd.Chunks, sd.Vectors, terms)...)
	}
	for id := range s.docs {
		if _, ok := latest[id]; !ok {
			out = append(out, fmt.Sprintf("document %q is served but has no record", id))
		}
	}
	chunks := 0
	for _, e := range s.docs {
		chunks += len(e.chunks)
	}
	if n := s.coll.Count(); n != chunks {
		out = append(out, fmt.Sprintf("the vector index holds %d chunks, the documents %d", n, chunks))
	}
	if s.lex.live != chunks {
		out = append(out, fmt.Sprintf("the BM25 index holds %d chunks, the documents %d", s.lex.live, chunks))
	}
	return out
}

// compareEntry checks one document's memory against its record.
func (s *Store) compareEntry(ctx context.Context, e *storedEntry, text, hash string, chunks []rag.Chunk, vecs [][]float32, terms []analysed) []string {
	id := e.info.ID
	bad := func(format string, args ...any) []string {
		return []string{fmt.Sprintf("document %q: ", id) + fmt.Sprintf(format, args...)}
	}
	if e.doc.Text != text || e.info.Hash != hash || e.info.Bytes != len(text) {
		return bad("text or hash differs from its record")
	}
	if len(e.chunks) != len(chunks) || len(e.slots) != len(chunks) {
		return bad("%d chunks served, %d stored", len(e.chunks), len(chunks))
	}
	for i, c := range e.chunks {
		w := chunks[i]
		if c.ID != w.ID || c.Start != w.Start || c.End != w.End || c.Text != text[w.Start:w.End] {
			return bad("chunk %d differs from its record", i)
		}
		sl := s.lex.slots[e.slots[i]]
		if sl.chunk != c || int(sl.length) != terms[i].length || int(sl.distinct) != terms[i].distinct() {
			return bad("chunk %s: BM25 entry differs from its record", c.ID)
		}
		got, err := s.coll.GetByID(ctx, c.ID)
		if err != nil || !sameDirection(got.Embedding, vecs[i]) {
			return bad("chunk %s: vector differs from its record", c.ID)
		}
	}
	return nil
}

// sameDirection reports whether a and b are the same vector up to scale
// (chromem-go keeps vectors normalised).
func sameDirection(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return na > 0 && nb > 0 && math.Abs(dot/math.Sqrt(na*nb)-1) < 1e-5
}
