package chromemstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
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
// dense queries, a BM25 index answers lexical ones, and each document is
// persisted as one segment file (registry entry, text, chunk offsets and
// vectors) under DIR/docs, written atomically. Reopening reads the segments
// concurrently and rebuilds the chromem-go collection from the saved vectors,
// so nothing is embedded twice.
type Store struct {
	dir string // "" for an in-memory store

	mu     sync.RWMutex
	meta   storeMeta
	coll   *chromem.Collection
	docs   map[string]*storedEntry
	lex    *bm25Index
	closed bool
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

// Open opens (or creates) the store in dir. An empty dir makes a
// store that lives only in memory.
func Open(ctx context.Context, dir string) (*Store, error) {
	db := chromem.NewDB()
	coll, err := db.CreateCollection(collectionName, nil, refuseEmbedding)
	if err != nil {
		return nil, fmt.Errorf("create collection: %w", err)
	}
	s := &Store{dir: dir, coll: coll, docs: map[string]*storedEntry{}, lex: newBM25Index(), meta: storeMeta{Version: 1}}
	if dir == "" {
		return s, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, segmentDir), 0o755); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := s.loadMeta(); err != nil {
		return nil, err
	}
	if err := s.loadSegments(ctx); err != nil {
		return nil, err
	}
	return s, nil
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

func (s *Store) loadSegments(ctx context.Context) error {
	dir := filepath.Join(s.dir, segmentDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list segments: %w", err)
	}
	var paths []string
	for _, e := range entries {
		switch {
		case strings.HasSuffix(e.Name(), segmentExt):
			paths = append(paths, filepath.Join(dir, e.Name()))
		case strings.HasSuffix(e.Name(), ".tmp"):
			_ = os.Remove(filepath.Join(dir, e.Name())) // a write cut short by a crash
		}
	}
	// Readers decode segments concurrently while this goroutine indexes
	// them as they arrive.
	type loaded struct {
		sd    *rag.StoredDocument
		terms []analysed
		err   error
	}
	next := make(chan string)
	out := make(chan loaded, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range next {
				sd, terms, err := readSegment(p)
				out <- loaded{sd, terms, err}
			}
		}()
	}
	go func() {
		for _, p := range paths {
			next <- p
		}
		close(next)
		wg.Wait()
		close(out)
	}()
	var errs []error
	for l := range out {
		if l.err == nil {
			l.err = s.index(ctx, l.sd, l.terms)
		}
		if l.err != nil {
			errs = append(errs, l.err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return nil
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

// Put implements rag.Store. The segment file is written and synced first;
// memory changes only once it is on disk. The directory entry is made
// durable by Flush (Engine.Ingest calls it once per batch) or Close.
func (s *Store) putOne(ctx context.Context, sd rag.StoredDocument) error {
	if len(sd.Chunks) != len(sd.Vectors) {
		return fmt.Errorf("put %q: %d chunks but %d vectors", sd.ID, len(sd.Chunks), len(sd.Vectors))
	}
	s.mu.RLock()
	closed := s.closed
	s.mu.RUnlock()
	if closed {
		return rag.ErrClosed
	}
	terms := chunkTerms(&sd) // analysed before taking the lock
	if s.dir != "" {
		if err := writeSegment(s.segmentPath(sd.ID), &sd, terms); err != nil {
			return fmt.Errorf("put %q: %w", sd.ID, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return rag.ErrClosed
	}
	s.unindex(ctx, sd.ID)
	return s.index(ctx, &sd, terms)
}

// chunkTerms analyses every chunk of sd for the lexical index.
func chunkTerms(sd *rag.StoredDocument) []analysed {
	out := make([]analysed, len(sd.Chunks))
	for i, c := range sd.Chunks {
		out[i] = analyse(sd.Text[c.Start:c.End])
	}
	return out
}

// index adds a document to memory, with the analysed terms of each chunk.
// Callers hold s.mu (or own s exclusively).
func (s *Store) index(ctx context.Context, sd *rag.StoredDocument, terms []analysed) error {
	e := &storedEntry{
		info: rag.DocumentInfo{ID: sd.ID, Title: sd.Title, Source: sd.Source, Chunks: len(sd.Chunks),
			Bytes: len(sd.Text), Metadata: copyMap(sd.Metadata), Hash: sd.Hash},
		doc: sd.Document,
	}
	e.doc.Metadata = e.info.Metadata
	docs := make([]chromem.Document, len(sd.Chunks))
	for i := range sd.Chunks {
		c := sd.Chunks[i]
		c.Text = sd.Text[c.Start:c.End]
		cp := &c
		e.chunks = append(e.chunks, cp)
		e.slots = append(e.slots, s.lex.add(cp, terms[i]))
		meta := map[string]string{metaDocID: sd.ID}
		for k, v := range sd.Metadata {
			meta[metaPrefix+k] = v
		}
		docs[i] = chromem.Document{ID: c.ID, Metadata: meta, Embedding: sd.Vectors[i], Content: c.Text}
	}
	if len(docs) > 0 {
		if err := s.coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
			for _, slot := range e.slots {
				s.lex.remove(slot)
			}
			return fmt.Errorf("index %q: %w", sd.ID, err)
		}
	}
	s.docs[sd.ID] = e
	return nil
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
	return true
}

// Delete implements rag.Store.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.docs[id]; !ok {
		return fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	if s.dir != "" {
		if err := os.Remove(s.segmentPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %q: %w", id, err)
		}
		if err := s.Flush(); err != nil {
			return fmt.Errorf("delete %q: %w", id, err)
		}
	}
	s.unindex(ctx, id)
	return nil
}

// Dense implements rag.Store.
func (s *Store) Dense(ctx context.Context, vec []float32, k int, f rag.Filter) ([]rag.Hit, error) {
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
	for _, id := range dedupe(f.DocIDs) {
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
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]float64, len(terms))
	for _, t := range terms {
		out[t] = s.lex.termIDF(t)
	}
	return out, nil
}

// Flush makes every Put and Delete so far durable: it syncs the segment
// directory, so their renames and removals survive a crash.
func (s *Store) Flush() error {
	if s.dir == "" {
		return nil
	}
	return syncDir(filepath.Join(s.dir, segmentDir))
}

// Close implements rag.Store: it flushes and stops further writes.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.Flush()
}

func (s *Store) segmentPath(id string) string {
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(s.dir, segmentDir, hex.EncodeToString(sum[:12])+segmentExt)
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
