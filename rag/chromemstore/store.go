package chromemstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/philippgille/chromem-go"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

const (
	collectionName = "chunks"
	metaDocID      = "doc_id"
	metaPrefix     = "m."
	storeMetaFile  = "store.json"
	segmentDir     = "docs"
	segmentExt     = ".seg"
)

// Store is the embedded store: chromem-go holds the vectors and answers
// dense queries, a BM25 index answers lexical ones, and the documents are
// persisted in a log of checksummed batch files under DIR/log (see log.go):
// one file and one sync per write, all or nothing. Reopening maps the files,
// checks every record in parallel, and rebuilds chromem-go and BM25 from the
// saved vectors and terms, so nothing is embedded or analysed twice. A
// record that fails its checksum is set aside (logged, copied under
// DIR/quarantine, the document left out) and the rest opens; Health then
// reports the store degraded until ragcite check --repair.
type Store struct {
	dir  string // "" for an in-memory store
	log  *slog.Logger
	lock *os.File

	// wmu serialises writers: a write's file is committed and its memory
	// change applied in one critical section, so the log's order is the
	// order readers saw.
	wmu      sync.Mutex
	files    []batchFile       // committed batch files, by sequence; guarded by wmu
	locs     map[string]recLoc // live record of each document; guarded by wmu
	live     int64             // bytes of live records; guarded by wmu
	nextSeq  uint64            // guarded by wmu
	wrapFile func(io.Writer) io.Writer

	mu       sync.RWMutex
	meta     storeMeta
	coll     *chromem.Collection
	docs     map[string]*storedEntry
	lex      *bm25Index
	ids      sortedIDs
	problems []string // records set aside on open
	closed   bool

	// writeOnly: no chromem-go collection and no BM25 index (coll and
	// lex are nil); entries hold the registry only (see batch.go).
	writeOnly bool
}

type storedEntry struct {
	info   rag.DocumentInfo
	doc    rag.Document
	chunks []*rag.Chunk
	slots  []int32
}

type storeMeta struct {
	Version  int    `json:"version"`
	Embedder string `json:"embedder"`
	Dim      int    `json:"dim"`
}

var _ rag.Store = (*Store)(nil)

// Options tune Open.
type Options struct {
	// Logger receives a line per record set aside; nil discards them.
	Logger *slog.Logger
	// WriteOnly opens the store for adding and replacing documents only:
	// opening reads each record's head, not the whole index, and no
	// in-memory index is built. Document and Chunks read the record from
	// disk; Dense, Lexical, IDF and Check fail. BeginBatch streams a batch
	// to disk. For a process that only ingests (ragcite ingest).
	WriteOnly bool
}

// Open opens (or creates) the store in dir. An empty dir makes a store
// that lives only in memory.
func Open(ctx context.Context, dir string) (*Store, error) {
	return OpenWith(ctx, dir, Options{})
}

// OpenWith is Open with options. The data directory is locked for the life
// of the store: a second opener, in this process or another, gets
// ErrLocked naming the holder.
func OpenWith(ctx context.Context, dir string, opts Options) (*Store, error) {
	s := &Store{dir: dir, log: opts.Logger, docs: map[string]*storedEntry{}, meta: storeMeta{Version: 2},
		locs: map[string]recLoc{}, nextSeq: 1, writeOnly: opts.WriteOnly && dir != ""}
	if !s.writeOnly {
		coll, err := chromem.NewDB().CreateCollection(collectionName, nil, refuseEmbedding)
		if err != nil {
			return nil, fmt.Errorf("create collection: %w", err)
		}
		s.coll, s.lex = coll, newBM25Index()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, logDirName), 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	var err error
	if s.lock, err = lockDir(dir); err != nil {
		return nil, err
	}
	if err := s.open(ctx); err != nil {
		s.lock.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	if err := s.loadMeta(); err != nil {
		return err
	}
	load := s.loadLog
	if s.writeOnly {
		load = s.loadRegistry
	}
	if err := load(ctx); err != nil {
		return err
	}
	return s.migrateSegments(ctx)
}

// refuseEmbedding is the collection's embedding function: vectors always come
// from package embed, so chromem-go must never compute (or download) one.
func refuseEmbedding(context.Context, string) ([]float32, error) {
	return nil, errors.New("chromem store: vectors are computed by package embed and passed in")
}

func (s *Store) loadMeta() error {
	b, err := os.ReadFile(filepath.Join(s.dir, storeMetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read store metadata: %w", err)
	}
	if err := json.Unmarshal(b, &s.meta); err != nil {
		return fmt.Errorf("read store metadata %s: %w", filepath.Join(s.dir, storeMetaFile), err)
	}
	return nil
}

// Health reports records set aside on open (rag.ErrDegraded), or nil.
func (s *Store) Health(context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %d damaged records set aside (%s); run ragcite check --repair", rag.ErrDegraded,
		len(s.problems), strings.Join(s.problems[:min(3, len(s.problems))], "; "))
}

// Embedder implements rag.Store.
func (s *Store) Embedder(context.Context) (string, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.meta.Embedder, s.meta.Dim, nil
}

// SetEmbedder implements rag.Store.
func (s *Store) SetEmbedder(_ context.Context, name string, dim int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.meta.Embedder, s.meta.Dim = name, dim
	if s.dir == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.meta, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(s.dir, storeMetaFile), b)
}

// Info implements rag.Store.
func (s *Store) Info(_ context.Context, id string) (rag.DocumentInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.docs[id]
	if !ok {
		return rag.DocumentInfo{}, fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	return e.info, nil
}

// Document implements rag.Store.
func (s *Store) Document(_ context.Context, id string) (rag.Document, error) {
	if s.writeOnly {
		sd, err := s.readLive(id)
		if err != nil {
			return rag.Document{}, err
		}
		return sd.Document, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.docs[id]
	if !ok {
		return rag.Document{}, fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	return e.doc, nil
}

// Chunks implements rag.Store.
func (s *Store) Chunks(_ context.Context, docID string) ([]rag.Chunk, error) {
	if s.writeOnly {
		sd, err := s.readLive(docID)
		if err != nil {
			return nil, err
		}
		return sd.Chunks, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.docs[docID]
	if !ok {
		return nil, fmt.Errorf("document %q: %w", docID, rag.ErrNotFound)
	}
	out := make([]rag.Chunk, len(e.chunks))
	for i, c := range e.chunks {
		out[i] = *c
	}
	return out, nil
}

// Documents implements rag.Store.
func (s *Store) Documents(context.Context) ([]rag.DocumentInfo, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]rag.DocumentInfo, 0, len(s.docs))
	for _, e := range s.docs {
		out = append(out, e.info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Put implements rag.Store. The batch's records are streamed to one batch
// file, synced once and committed by a rename; memory changes only after
// that, under the writer lock, so concurrent writes of one id land in the
// log in the order readers saw them.
func (s *Store) Put(ctx context.Context, docs ...rag.StoredDocument) error {
	for i := range docs {
		if err := validate(&docs[i]); err != nil {
			return err
		}
	}
	terms := analyseAll(docs) // before taking any lock
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.isClosed() {
		return rag.ErrClosed
	}
	locs := make([]recLoc, len(docs))
	if s.dir != "" && len(docs) > 0 {
		b, err := s.begin(false)
		if err != nil {
			return err
		}
		for i := range docs {
			if locs[i], err = b.put(&docs[i], terms[i]); err != nil {
				b.abort()
				return fmt.Errorf("put: %w", err)
			}
		}
		if err := s.commit(b); err != nil {
			return fmt.Errorf("put: %w", err)
		}
	}
	last := make(map[string]int, len(docs)) // a batch naming an id twice keeps the last
	for i := range docs {
		last[docs[i].ID] = i
	}
	s.mu.Lock()
	for i := range docs {
		s.unindex(ctx, docs[i].ID)
	}
	switch {
	case s.writeOnly:
		for i := range docs {
			s.docs[docs[i].ID] = &storedEntry{info: infoOf(&docs[i])}
			s.ids.add(docs[i].ID)
		}
	case len(docs) == 1:
		s.index(&docs[0], terms[0])
	default:
		s.indexParallel(len(docs), func(_, i int) (*rag.StoredDocument, []analysed) {
			if last[docs[i].ID] != i {
				return nil, nil
			}
			r := termReader{rest: terms[i]}
			out := make([]analysed, len(docs[i].Chunks))
			for j := range out {
				out[j] = r.next(s.lex.dict)
			}
			return &docs[i], out
		})
	}
	s.mu.Unlock()
	if s.dir != "" {
		for i := range docs {
			s.setLoc(docs[i].ID, locs[i])
		}
		return s.maybeCompact()
	}
	return nil
}

// validate checks what the store relies on before anything is written.
func validate(sd *rag.StoredDocument) error {
	if len(sd.Chunks) != len(sd.Vectors) {
		return fmt.Errorf("put %q: %d chunks but %d vectors", sd.ID, len(sd.Chunks), len(sd.Vectors))
	}
	if err := validateChunks(sd); err != nil {
		return err
	}
	for i := range sd.Chunks {
		if len(sd.Vectors[i]) == 0 || len(sd.Vectors[i]) != len(sd.Vectors[0]) {
			return fmt.Errorf("put %q: vectors of dimension %d and %d", sd.ID, len(sd.Vectors[0]), len(sd.Vectors[i]))
		}
	}
	return nil
}

// validateChunks checks that every chunk has an id and offsets inside the
// text.
func validateChunks(sd *rag.StoredDocument) error {
	for i, c := range sd.Chunks {
		if c.ID == "" || c.Start < 0 || c.Start > c.End || c.End > len(sd.Text) {
			return fmt.Errorf("put %q: chunk %d (%q) has no id or offsets [%d,%d) outside the text", sd.ID, i, c.ID, c.Start, c.End)
		}
	}
	return nil
}

// pieceChunks is the number of chunks analysed as one unit of work: a
// large document's chunks are spread over every core.
const pieceChunks = 2048

// analyseAll analyses the chunks of docs on as many goroutines as cores and
// returns each document's terms in their record encoding.
func analyseAll(docs []rag.StoredDocument) []termPieces {
	type unit struct{ doc, piece int }
	out := make([]termPieces, len(docs))
	var units []unit
	for i := range docs {
		n := (len(docs[i].Chunks) + pieceChunks - 1) / pieceChunks
		out[i] = make(termPieces, n)
		for p := range n {
			units = append(units, unit{i, p})
		}
	}
	parallel(len(units), func(k int) {
		u := units[k]
		sd := &docs[u.doc]
		from := u.piece * pieceChunks
		out[u.doc][u.piece] = encodeTerms(sd, from, min(from+pieceChunks, len(sd.Chunks)))
	})
	return out
}

func (s *Store) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// begin starts the next batch file. Callers hold s.wmu.
func (s *Store) begin(base bool) (*batchWriter, error) {
	return newBatch(filepath.Join(s.dir, logDirName), s.nextSeq, base, s.wrapFile)
}

// commit commits b as the newest file. Callers hold s.wmu.
func (s *Store) commit(b *batchWriter) error {
	size, err := b.commit()
	if err != nil {
		return err
	}
	s.files = append(s.files, batchFile{seq: b.seq, size: size})
	s.nextSeq = b.seq + 1
	return nil
}

// setLoc records where id's live record is (a zero loc: none). Callers
// hold s.wmu.
func (s *Store) setLoc(id string, loc recLoc) {
	if old, ok := s.locs[id]; ok {
		s.live -= old.size
		delete(s.locs, id)
	}
	if loc.size > 0 {
		s.locs[id] = loc
		s.live += loc.size
	}
}

// chunkTerms analyses every chunk of sd for the lexical index.
func chunkTerms(sd *rag.StoredDocument) []analysed {
	out := make([]analysed, len(sd.Chunks))
	for i, c := range sd.Chunks {
		out[i] = analyse(sd.Text[c.Start:c.End])
	}
	return out
}

// index adds a document to memory, with the encoded terms of its chunks,
// decoded one chunk at a time. Callers hold s.mu (or own s exclusively).
// Put validated the document, so chromem-go cannot refuse it.
func (s *Store) index(sd *rag.StoredDocument, terms termPieces) {
	e := newEntry(sd)
	r := termReader{rest: terms}
	for _, c := range e.chunks {
		e.slots = append(e.slots, s.lex.add(c, r.next(s.lex.dict)))
	}
	s.addVectors(e, sd.Vectors)
	s.docs[sd.ID] = e
	s.ids.add(sd.ID)
}

// infoOf is the registry entry of a document.
func infoOf(sd *rag.StoredDocument) rag.DocumentInfo {
	return rag.DocumentInfo{ID: sd.ID, Title: sd.Title, Source: sd.Source, Chunks: len(sd.Chunks),
		Bytes: len(sd.Text), Metadata: cloneMetadata(sd.Metadata), Hash: sd.Hash}
}

// newEntry makes the memory entry of a document, without index slots.
func newEntry(sd *rag.StoredDocument) *storedEntry {
	e := &storedEntry{info: infoOf(sd), doc: sd.Document, chunks: make([]*rag.Chunk, len(sd.Chunks))}
	e.doc.Metadata = e.info.Metadata
	cs := slices.Clone(sd.Chunks) // one allocation for the document's chunks
	for i := range cs {
		cs[i].Text = sd.Text[cs[i].Start:cs[i].End]
		e.chunks[i] = &cs[i]
	}
	return e
}

// addVectors adds an entry's chunks to chromem-go, which is safe for
// concurrent use.
func (s *Store) addVectors(e *storedEntry, vecs [][]float32) {
	meta := map[string]string{metaDocID: e.info.ID}
	for k, v := range e.info.Metadata {
		meta[metaPrefix+k] = v
	}
	for i, c := range e.chunks {
		// Cannot fail: the id and the vector are non-empty (validate).
		_ = s.coll.AddDocument(context.Background(), chromem.Document{ID: c.ID, Metadata: meta, Embedding: vecs[i], Content: c.Text})
	}
}

// unindex removes a document from memory. Callers hold s.mu.
func (s *Store) unindex(ctx context.Context, id string) bool {
	e, ok := s.docs[id]
	if !ok {
		return false
	}
	ids := make([]string, len(e.chunks))
	for i, c := range e.chunks {
		ids[i] = c.ID
	}
	if len(ids) > 0 {
		_ = s.coll.Delete(ctx, nil, nil, ids...) // in memory: cannot fail for given ids
	}
	for _, slot := range e.slots {
		s.lex.remove(slot)
	}
	delete(s.docs, id)
	s.ids.remove(id)
	return true
}

// Delete implements rag.Store: a batch holding a deletion record is
// committed before memory changes.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.RLock()
	_, ok := s.docs[id]
	closed := s.closed
	s.mu.RUnlock()
	switch {
	case closed:
		return rag.ErrClosed
	case !ok:
		return fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	if s.dir != "" {
		b, err := s.begin(false)
		if err != nil {
			return fmt.Errorf("delete %q: %w", id, err)
		}
		if _, err := b.del(id); err != nil {
			b.abort()
			return fmt.Errorf("delete %q: %w", id, err)
		}
		if err := s.commit(b); err != nil {
			return fmt.Errorf("delete %q: %w", id, err)
		}
		s.setLoc(id, recLoc{})
	}
	s.mu.Lock()
	s.unindex(ctx, id)
	s.mu.Unlock()
	if s.dir != "" {
		return s.maybeCompact()
	}
	return nil
}

// Dense implements rag.Store.
func (s *Store) Dense(ctx context.Context, vec []float32, k int, f rag.Filter) ([]rag.Hit, error) {
	if s.writeOnly {
		return nil, fmt.Errorf("dense query: %w", errWriteOnly)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := s.coll.Count()
	if k > n {
		k = n
	}
	if k <= 0 {
		return nil, nil
	}
	if len(f.DocIDs) > 0 {
		return s.denseInDocs(ctx, vec, k, f)
	}
	where := map[string]string{}
	for key, v := range f.Metadata {
		where[metaPrefix+key] = v
	}
	results, err := s.coll.QueryEmbedding(ctx, vec, k, where, nil)
	if err != nil {
		return nil, fmt.Errorf("dense query: %w", err)
	}
	hits := make([]rag.Hit, 0, len(results))
	for _, r := range results {
		c, ok := s.chunkLocked(r.Metadata[metaDocID], r.ID)
		if !ok {
			continue
		}
		hits = append(hits, rag.Hit{Chunk: *c, Score: float64(r.Similarity)})
	}
	return hits, nil
}

// denseInDocs ranks the chunks of the filter's documents exactly: a scan of
// just those chunks, where chromem-go's filters would scan the whole
// collection once per document. Callers hold s.mu.
func (s *Store) denseInDocs(ctx context.Context, vec []float32, k int, f rag.Filter) ([]rag.Hit, error) {
	q := normalized(vec)
	var hits []rag.Hit
	for _, id := range slices.Compact(slices.Sorted(slices.Values(f.DocIDs))) {
		e, ok := s.docs[id]
		if !ok || !matchesMetadata(e.info.Metadata, f.Metadata) {
			continue
		}
		for _, c := range e.chunks {
			d, err := s.coll.GetByID(ctx, c.ID)
			if err != nil {
				return nil, fmt.Errorf("dense query: %w", err)
			}
			var sim float32
			for i, x := range d.Embedding {
				sim += x * q[i]
			}
			hits = append(hits, rag.Hit{Chunk: *c, Score: float64(sim)})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits[:min(k, len(hits))], nil
}

func matchesMetadata(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// normalized returns v scaled to unit length (the stored vectors are).
func normalized(v []float32) []float32 {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 {
		return v
	}
	inv := float32(1 / math.Sqrt(n))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

func (s *Store) chunkLocked(docID, chunkID string) (*rag.Chunk, bool) {
	e, ok := s.docs[docID]
	if !ok {
		return nil, false
	}
	if i := strings.LastIndexByte(chunkID, '#'); i >= 0 {
		if n, err := strconv.Atoi(chunkID[i+1:]); err == nil && n >= 0 && n < len(e.chunks) && e.chunks[n].ID == chunkID {
			return e.chunks[n], true
		}
	}
	for _, c := range e.chunks {
		if c.ID == chunkID {
			return c, true
		}
	}
	return nil, false
}

// Lexical implements rag.Store.
func (s *Store) Lexical(_ context.Context, query string, k int, f rag.Filter) ([]rag.Hit, error) {
	if s.writeOnly {
		return nil, fmt.Errorf("lexical query: %w", errWriteOnly)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lex.search(text.Terms(query), k, s.filterFunc(f)), nil
}

// filterFunc returns a chunk predicate for f, or nil when f keeps everything.
func (s *Store) filterFunc(f rag.Filter) func(*rag.Chunk) bool {
	if len(f.DocIDs) == 0 && len(f.Metadata) == 0 {
		return nil
	}
	ids := map[string]bool{}
	for _, id := range f.DocIDs {
		ids[id] = true
	}
	return func(c *rag.Chunk) bool {
		if len(ids) > 0 && !ids[c.DocID] {
			return false
		}
		e := s.docs[c.DocID]
		return e != nil && matchesMetadata(e.info.Metadata, f.Metadata)
	}
}

// IDF implements rag.Store.
func (s *Store) IDF(_ context.Context, terms []string) (map[string]float64, error) {
	if s.writeOnly {
		return nil, fmt.Errorf("idf: %w", errWriteOnly)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]float64, len(terms))
	for _, t := range terms {
		out[t] = s.lex.termIDF(t)
	}
	return out, nil
}

// Flush is a no-op kept for callers of the earlier store: every Put and
// Delete is durable when it returns.
func (s *Store) Flush() error { return nil }

// Close implements rag.Store: it waits for the write in progress, stops
// further writes and releases the data directory.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.lock != nil {
		return s.lock.Close()
	}
	return nil
}

// cloneMetadata copies a document's metadata for its registry entry; the
// entry's map is never nil, so a listing shows {} rather than null.
func cloneMetadata(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m)
}
