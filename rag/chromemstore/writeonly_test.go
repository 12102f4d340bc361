package chromemstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

func mustOpenWriteOnly(t testing.TB, dir string) *Store {
	t.Helper()
	s, err := OpenWith(context.Background(), dir, Options{WriteOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// streamDoc adds sd to b, its vectors given in windows of size w.
func streamDoc(ctx context.Context, b rag.Batch, sd rag.StoredDocument, w int) error {
	vecs := sd.Vectors
	sd.Vectors = vecs[:min(w, len(vecs))]
	next := len(sd.Vectors)
	return b.Add(ctx, sd, func() ([][]float32, error) {
		out := vecs[next:min(next+w, len(vecs))]
		next += len(out)
		return out, nil
	})
}

// vectorsOf returns the stored vector of each chunk of id (full store).
func vectorsOf(t *testing.T, s *Store, id string) [][]float32 {
	t.Helper()
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out [][]float32
	for _, c := range s.docs[id].chunks {
		d, err := s.coll.GetByID(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d.Embedding)
	}
	return out
}

func TestWriteOnlyOpenBuildsNoIndex(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := mustOpen(t, dir, nil)
	old := []rag.StoredDocument{testDoc("a", 0, 3, 20), testDoc("b", 0, 2, 20), testDoc("gone", 0, 1, 5)}
	if err := s.Put(ctx, old...); err != nil {
		t.Fatal(err)
	}
	want := snapshot(t, s)
	s.Close()

	// A window smaller than a record: each is checked and let go alone,
	// and read from the file rather than the mapping.
	defer func(n, m int) { registryWindow, largeRecord = n, m }(registryWindow, largeRecord)
	registryWindow, largeRecord = 100, 64
	w := mustOpenWriteOnly(t, dir)
	if w.coll != nil || w.lex != nil {
		t.Fatal("a write-only open built an index")
	}
	for _, e := range w.docs {
		if e.chunks != nil || e.doc.Text != "" {
			t.Fatalf("a write-only entry holds the document %q", e.info.ID)
		}
	}
	if got := snapshot(t, w); !equalMaps(got, want) { // from the registry and the records on disk
		t.Fatalf("write-only view %v, want %v", got, want)
	}
	info, err := w.Info(ctx, "a")
	if err != nil || info.Chunks != 3 || info.Bytes != len(old[0].Text) || info.Metadata["v"] != "0" {
		t.Fatalf("Info(a) = %+v, %v", info, err)
	}
	if page, err := w.ListDocuments(ctx, "a", 10); err != nil || len(page) != 2 || page[0].ID != "b" {
		t.Fatalf("ListDocuments after a: %v, %v", page, err)
	}
	for name, err := range map[string]error{
		"dense":   second(w.Dense(ctx, old[0].Vectors[0], 3, rag.Filter{})),
		"lexical": second(w.Lexical(ctx, "version", 3, rag.Filter{})),
		"idf":     second(w.IDF(ctx, []string{"version"})),
		"check":   second(w.Check(ctx, false)),
	} {
		if !errors.Is(err, errWriteOnly) {
			t.Errorf("%s on a write-only store: %v, want errWriteOnly", name, err)
		}
	}

	// Writes of every kind: a streamed batch (one update, one new document
	// in several windows), a Put and a Delete.
	big := testDoc("big", 0, 40, 30)
	upd := testDoc("a", 1, 4, 20)
	b, err := w.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := streamDoc(ctx, b, big, 7); err != nil {
		t.Fatal(err)
	}
	if err := streamDoc(ctx, b, upd, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.Info(ctx, "big"); got.Chunks != 0 {
		t.Fatal("a batch is visible before its commit")
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	put := testDoc("put", 0, 2, 10)
	if err := w.Put(ctx, put); err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	delete(want, "gone")
	want["big"], want["a"], want["put"] = big.Hash, upd.Hash, put.Hash
	if got := snapshot(t, w); !equalMaps(got, want) {
		t.Fatalf("write-only store after writes: %v, want %v", got, want)
	}
	w.Close()

	s = mustOpen(t, dir, nil)
	defer s.Close()
	if got := snapshot(t, s); !equalMaps(got, want) {
		t.Fatalf("full reopen: %v, want %v", got, want)
	}
	for _, sd := range []rag.StoredDocument{big, upd, put, old[1]} {
		if got := vectorsOf(t, s, sd.ID); !slices.EqualFunc(got, sd.Vectors, sameDirection) {
			t.Fatalf("%s: vectors after reopen differ from those written", sd.ID)
		}
	}
	hits, err := s.Lexical(ctx, "big version 0 chunk 39", 1, rag.Filter{})
	if err != nil || len(hits) != 1 || hits[0].Chunk.ID != "big#39" {
		t.Fatalf("lexical search for a streamed chunk: %v, %v", hits, err)
	}
	if err := s.Health(ctx); err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestStreamedBatchFailureAppliesNothing(t *testing.T) {
	ctx := context.Background()
	errEmbed := errors.New("embedder down")
	cases := []struct {
		name string
		// add adds the batch's second document, which fails.
		add     func(b rag.Batch, sd rag.StoredDocument) error
		diskCap int // bytes the batch file may take, 0: no limit
		want    error
	}{
		{"vectors fail midway", func(b rag.Batch, sd rag.StoredDocument) error {
			calls := 0
			more := func() ([][]float32, error) {
				if calls++; calls == 3 {
					return nil, errEmbed
				}
				return sd.Vectors[calls : calls+1], nil
			}
			sd.Vectors = sd.Vectors[:1]
			return b.Add(ctx, sd, more)
		}, 0, errEmbed},
		{"too few vectors", func(b rag.Batch, sd rag.StoredDocument) error {
			sd.Vectors = sd.Vectors[:2]
			return b.Add(ctx, sd, nil)
		}, 0, errVectorCount},
		{"wrong dimension", func(b rag.Batch, sd rag.StoredDocument) error {
			vecs := sd.Vectors
			sd.Vectors = vecs[:1]
			return b.Add(ctx, sd, func() ([][]float32, error) { return [][]float32{{1, 2}}, nil })
		}, 0, errDimension},
		{"disk full", func(b rag.Batch, sd rag.StoredDocument) error {
			return streamDoc(ctx, b, sd, 2)
		}, 6000, syscall.ENOSPC},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s := mustOpen(t, dir, nil)
			if err := s.Put(ctx, testDoc("a", 0, 2, 10)); err != nil {
				t.Fatal(err)
			}
			s.Close()
			w := mustOpenWriteOnly(t, dir)
			want := snapshot(t, w)
			if c.diskCap > 0 {
				w.wrapFile = func(wr io.Writer) io.Writer { return &failAfter{w: wr, n: c.diskCap} }
			}
			b, err := w.BeginBatch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := streamDoc(ctx, b, testDoc("a", 1, 3, 10), 2); err != nil {
				t.Fatal(err)
			}
			// A full disk may show only when the batch is flushed.
			err = c.add(b, testDoc("new", 0, 30, 40))
			switch {
			case c.diskCap > 0:
			case !errors.Is(err, c.want) || err == nil:
				t.Fatalf("Add: %v, want %v", err, c.want)
			default:
				if err := b.Add(ctx, testDoc("later", 0, 1, 5), nil); err == nil {
					t.Fatal("Add after a failed one succeeded")
				}
			}
			cerr := b.Commit(ctx)
			if cerr == nil {
				t.Fatal("Commit of a failed batch succeeded")
			}
			if c.want != nil && !errors.Is(cerr, c.want) {
				t.Fatalf("Commit: %v, want it to name %v", cerr, c.want)
			}
			b.Abort() // after Commit: a no-op
			if got := snapshot(t, w); !equalMaps(got, want) {
				t.Fatalf("a failed batch changed the store: %v, want %v", got, want)
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, logDirName, "*.tmp")); len(tmp) != 0 {
				t.Fatalf("temporary files left: %v", tmp)
			}
			w.wrapFile = nil
			w.Close()
			s = mustOpen(t, dir, nil)
			defer s.Close()
			if got := snapshot(t, s); !equalMaps(got, want) {
				t.Fatalf("after reopen: %v, want %v", got, want)
			}
		})
	}
}

func TestBeginBatchNeedsWriteOnly(t *testing.T) {
	for _, dir := range []string{"", t.TempDir()} {
		s := mustOpen(t, dir, nil)
		if _, err := s.BeginBatch(context.Background()); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("BeginBatch on a store with an index (dir %q): %v, want ErrUnsupported", dir, err)
		}
		s.Close()
	}
}

// TestStreamedRecordIsPutRecord: a record written in pieces (vectors in
// windows, terms analysed twice) is byte for byte the one Put writes.
func TestStreamedRecordIsPutRecord(t *testing.T) {
	sd := testDoc("doc", 3, 3*pieceChunks+17, 6)
	var whole bytes.Buffer
	bw := bufio.NewWriter(&whole)
	n, err := writeRecord(bw, &sd, analyseAll([]rag.StoredDocument{sd})[0])
	if err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	for _, w := range []int{1, 1000, 4096, len(sd.Chunks)} {
		var parts bytes.Buffer
		pw := bufio.NewWriter(&parts)
		rw := startRecord(pw, &sd, len(sd.Vectors[0]), sizeTerms(&sd))
		for from := 0; from < len(sd.Vectors); from += w {
			if err := rw.vectors(sd.Vectors[from:min(from+w, len(sd.Vectors))]); err != nil {
				t.Fatal(err)
			}
		}
		m, err := rw.finish()
		if err != nil {
			t.Fatal(err)
		}
		pw.Flush()
		if m != n || !bytes.Equal(parts.Bytes(), whole.Bytes()) {
			t.Fatalf("windows of %d: streamed record (%d bytes) differs from the Put record (%d bytes)", w, m, n)
		}
	}
}

// countingEmbedder is the local embedder that fails its calls from failAt
// on (0: never).
type countingEmbedder struct {
	embed.Embedder
	calls, failAt int32
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if n := atomic.AddInt32(&c.calls, 1); c.failAt > 0 && n >= c.failAt {
		return nil, errors.New("embedder down")
	}
	return c.Embedder.Embed(ctx, texts)
}

// TestEngineStreamsIntoWriteOnlyStore: an engine over a write-only store
// ingests through a streamed batch (a document of several embedding
// windows among small ones), all or nothing, and a full reopen serves
// what an engine over an indexed store would.
func TestEngineStreamsIntoWriteOnlyStore(t *testing.T) {
	ctx := context.Background()
	var sb strings.Builder
	for i := range 9000 {
		fmt.Fprintf(&sb, "Paragraph %d says the harbour light %d burns.\n\n", i, i*7)
	}
	docs := []rag.Document{{ID: "big", Title: "Big", Text: sb.String()}}
	for i := range 5 {
		docs = append(docs, rag.Document{ID: fmt.Sprintf("small%d", i), Text: fmt.Sprintf("Small note %d about ferries.", i)})
	}
	chunker, err := rag.NewChunker(rag.WithMaxTokens(16), rag.WithOverlap(0))
	if err != nil {
		t.Fatal(err)
	}
	begun := 0
	ingest := func(dir string, writeOnly bool, emb embed.Embedder, docs []rag.Document) error {
		s, err := OpenWith(ctx, dir, Options{WriteOnly: writeOnly})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		eng, err := rag.NewEngine(ctx, rag.Config{Store: &batchCounter{s, &begun}, Embedder: emb, Chunker: chunker})
		if err != nil {
			t.Fatal(err)
		}
		_, err = eng.Ingest(ctx, docs, nil)
		return err
	}
	streamed, indexed := t.TempDir(), t.TempDir()
	if err := ingest(streamed, true, embed.DefaultLocal(), docs[1:2]); err != nil {
		t.Fatal(err)
	}
	// The embedder fails on the big document's second window: nothing of
	// the batch may be applied.
	failing := &countingEmbedder{Embedder: embed.DefaultLocal(), failAt: 2}
	if err := ingest(streamed, true, failing, docs[:1]); err == nil {
		t.Fatal("an ingest whose embedder failed succeeded")
	}
	w := mustOpenWriteOnly(t, streamed)
	if ids := slices.Collect(func(yield func(string) bool) {
		for id := range w.docs {
			yield(id)
		}
	}); !slices.Equal(ids, []string{"small0"}) {
		t.Fatalf("after a failed ingest the store holds %v, want [small0]", ids)
	}
	w.Close()
	emb := &countingEmbedder{Embedder: embed.DefaultLocal()}
	if err := ingest(streamed, true, emb, docs); err != nil {
		t.Fatal(err)
	}
	if emb.calls < 3 {
		t.Fatalf("%d embedder calls: the big document did not span several windows", emb.calls)
	}
	if begun != 3 {
		t.Fatalf("%d batches begun for three ingests into a write-only store", begun)
	}
	if err := ingest(indexed, false, embed.DefaultLocal(), docs); err != nil {
		t.Fatal(err)
	}
	a, b := mustOpen(t, streamed, nil), mustOpen(t, indexed, nil)
	defer a.Close()
	defer b.Close()
	if sa, sb := snapshot(t, a), snapshot(t, b); !equalMaps(sa, sb) || len(sa) != len(docs) {
		t.Fatalf("streamed store %v, indexed store %v", sa, sb)
	}
	for _, d := range docs {
		if va, vb := vectorsOf(t, a, d.ID), vectorsOf(t, b, d.ID); !slices.EqualFunc(va, vb, slices.Equal) || len(va) == 0 {
			t.Fatalf("%s: streamed and indexed vectors differ (%d, %d)", d.ID, len(va), len(vb))
		}
	}
	if n := len(a.docs["big"].chunks); n <= 2*4096 {
		t.Fatalf("big has %d chunks: fewer than three embedding windows", n)
	}
}

// batchCounter counts the batches begun on a store.
type batchCounter struct {
	*Store
	begun *int
}

func (c *batchCounter) BeginBatch(ctx context.Context) (rag.Batch, error) {
	b, err := c.Store.BeginBatch(ctx)
	if err == nil {
		*c.begun++
	}
	return b, err
}

// TestCheckRecordAt: checking a record by reading it in pieces finds what
// checking it in memory finds.
func TestCheckRecordAt(t *testing.T) {
	sd := testDoc("doc", 0, 3, 40)
	var buf bytes.Buffer
	bw := bufio.NewWriter(&buf)
	if _, err := writeRecord(bw, &sd, analyseAll([]rag.StoredDocument{sd})[0]); err != nil {
		t.Fatal(err)
	}
	bw.Flush()
	file := append([]byte("prefix"), buf.Bytes()...) // the record at offset 6
	size := int64(buf.Len())
	for _, flip := range []int64{-1, 0, 3, 8, 9, size / 2, size - 5, size - 4, size - 1} {
		data := bytes.Clone(file)
		if flip >= 0 {
			data[6+flip] ^= 0x20
		}
		want := checkRecord(data[6 : 6+size])
		for _, piece := range []int{1, 7, 4096} {
			got := checkRecordAt(bytes.NewReader(data), 6, size, make([]byte, piece))
			if (got == nil) != (want == nil) || (want != nil && got.Error() != want.Error()) {
				t.Fatalf("byte %d flipped, pieces of %d: %v, want %v", flip, piece, got, want)
			}
		}
		// Compaction copies a record piece by piece with the same checks.
		for _, piece := range []int{12, 13, 4096} {
			var out bytes.Buffer
			b := &batchWriter{w: bufio.NewWriter(&out)}
			_, got := b.copyRecord(bytes.NewReader(data), recLoc{off: 6, size: size}, make([]byte, piece))
			b.w.Flush()
			if (got == nil) != (want == nil) || (want != nil && got.Error() != want.Error()) {
				t.Fatalf("byte %d flipped, copied in pieces of %d: %v, want %v", flip, piece, got, want)
			}
			if got == nil && !bytes.Equal(out.Bytes(), data[6:6+size]) {
				t.Fatalf("pieces of %d: the copy differs from the record", piece)
			}
		}
		if flip == -1 && want != nil {
			t.Fatalf("a sound record fails: %v", want)
		}
	}
	if err := checkRecordAt(bytes.NewReader(file), 6, size+1, make([]byte, 64)); !errors.Is(err, errCorrupt) {
		t.Fatalf("a record with the wrong size: %v", err)
	}
	if err := checkRecordAt(bytes.NewReader(file[:len(file)-3]), 6, size, make([]byte, 64)); err == nil {
		t.Fatal("a cut record passes")
	}
}

// TestIngestAgainRepairsDamagedRecord: a write-only open leaves a damaged
// document out of the registry, so ingesting it again writes it afresh,
// and the store is whole again without ragcite check.
func TestIngestAgainRepairsDamagedRecord(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := mustOpen(t, dir, nil)
	victim := testDoc("victim", 0, 2, 30)
	if err := s.Put(ctx, testDoc("a", 0, 2, 30), victim); err != nil {
		t.Fatal(err)
	}
	loc := s.locs["victim"]
	s.Close()
	flipByte(t, dir, loc, loc.size/2)

	w := mustOpenWriteOnly(t, dir)
	b, err := w.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := streamDoc(ctx, b, victim, 1); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	w.Close()
	s = mustOpen(t, dir, nil)
	defer s.Close()
	if err := s.Health(ctx); err != nil {
		t.Fatalf("still degraded after the document was written again: %v", err)
	}
	if got := snapshot(t, s); len(got) != 2 || got["victim"] != victim.Hash {
		t.Fatalf("after writing the damaged document again: %v", got)
	}
}
