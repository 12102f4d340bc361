package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

var _ rag.BatchStore = (*Store)(nil)

// flushChunks is how many chunk rows a batch buffers before writing them
// in one statement (COPY, or an insert from arrays).
const flushChunks = 2000

// chunkRow is one chunk as written to ragcite_chunks.
type chunkRow struct {
	id, docID, text, terms  string
	idx, start, end, nterms int32
	vec                     pgvector.Vector
}

// newChunkRows checks sd and turns its chunks into rows.
func newChunkRows(sd *rag.StoredDocument) ([]chunkRow, error) {
	if len(sd.Chunks) != len(sd.Vectors) {
		return nil, fmt.Errorf("put %q: %d chunks but %d vectors", sd.ID, len(sd.Chunks), len(sd.Vectors))
	}
	rows := make([]chunkRow, len(sd.Chunks))
	for i, c := range sd.Chunks {
		if c.Start < 0 || c.End > len(sd.Text) || c.Start > c.End {
			return nil, fmt.Errorf("put %q: chunk %s offsets [%d,%d) outside the text", sd.ID, c.ID, c.Start, c.End)
		}
		chunk := sd.Text[c.Start:c.End]
		ts := text.Terms(chunk)
		rows[i] = chunkRow{id: c.ID, docID: sd.ID, text: chunk, terms: strings.Join(ts, " "),
			idx: int32(c.Index), start: int32(c.Start), end: int32(c.End), nterms: int32(len(ts)),
			vec: pgvector.NewVector(sd.Vectors[i])}
	}
	return rows, nil
}

// statsDelta is what a write changes in the corpus statistics.
type statsDelta struct {
	chunks, terms int64
	df            map[string]int
}

// count adds (sign +1) or removes (sign -1) a chunk with analysed terms
// (space-separated) and length n.
func (d *statsDelta) count(terms string, n int32, sign int) {
	if d.df == nil {
		d.df = map[string]int{}
	}
	d.chunks += int64(sign)
	d.terms += int64(sign) * int64(n)
	seen := map[string]bool{}
	for _, t := range strings.Fields(terms) {
		if !seen[t] {
			seen[t] = true
			d.df[t] += sign
		}
	}
}

// apply writes d to the statistics tables inside tx. Terms are updated in
// sorted order, so concurrent writers lock their rows in the same order and
// cannot deadlock; the one statistics row comes last.
func (d *statsDelta) apply(ctx context.Context, tx pgx.Tx) error {
	var terms []string
	for t, n := range d.df {
		if n != 0 {
			terms = append(terms, t)
		}
	}
	sort.Strings(terms)
	if len(terms) > 0 {
		dfs := make([]int32, len(terms))
		for i, t := range terms {
			dfs[i] = int32(d.df[t])
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ragcite_terms AS t (term, df)
			SELECT u.term, u.df FROM unnest($1::text[], $2::int[]) AS u(term, df) ORDER BY u.term
			ON CONFLICT (term) DO UPDATE SET df = t.df + excluded.df`, terms, dfs); err != nil {
			return fmt.Errorf("term statistics: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ragcite_terms WHERE term = ANY($1::text[]) AND df <= 0`, terms); err != nil {
			return fmt.Errorf("term statistics: %w", err)
		}
	}
	if d.chunks != 0 || d.terms != 0 {
		if _, err := tx.Exec(ctx, `UPDATE ragcite_stats SET chunks = chunks + $1, total_terms = total_terms + $2 WHERE id = 1`,
			d.chunks, d.terms); err != nil {
			return fmt.Errorf("corpus statistics: %w", err)
		}
	}
	return nil
}

// batch is a write in one transaction: documents are written as they are
// added, their chunks buffered and written flushChunks at a time, and the
// statistics they change applied on commit.
type batch struct {
	s    *Store
	mu   sync.Mutex // guards everything below; Add is called concurrently
	tx   pgx.Tx
	buf  []chunkRow
	docs map[string]bool // documents with chunks in buf
	d    statsDelta
	err  error
	done bool
}

// BeginBatch implements rag.BatchStore: the batch is one transaction.
func (s *Store) BeginBatch(ctx context.Context) (_ rag.Batch, err error) {
	defer s.classify(&err)
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin batch: %w", err)
	}
	return &batch{s: s, tx: tx, docs: map[string]bool{}}, nil
}

// Add implements rag.Batch. The document's vectors are gathered (more is
// called outside the lock, so other documents are embedded and written
// meanwhile), then it replaces any stored version inside the transaction.
func (b *batch) Add(ctx context.Context, sd rag.StoredDocument, more func() ([][]float32, error)) (err error) {
	defer b.s.classify(&err)
	for more != nil && len(sd.Vectors) < len(sd.Chunks) {
		vs, err := more()
		if err != nil {
			return fmt.Errorf("put %q: vectors: %w", sd.ID, err)
		}
		if len(vs) == 0 {
			break
		}
		sd.Vectors = append(sd.Vectors, vs...)
	}
	rows, err := newChunkRows(&sd)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(nonNil(sd.Metadata))
	if err != nil {
		return fmt.Errorf("put %q: %w", sd.ID, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil && b.done {
		b.err = errors.New("batch already ended")
	}
	if b.err != nil {
		return fmt.Errorf("put %q: %w", sd.ID, b.err)
	}
	if b.err = b.put(ctx, &sd, string(meta), rows); b.err != nil {
		return fmt.Errorf("put %q: %w", sd.ID, b.err)
	}
	return nil
}

// put replaces one document; callers hold b.mu.
func (b *batch) put(ctx context.Context, sd *rag.StoredDocument, meta string, rows []chunkRow) error {
	if b.docs[sd.ID] {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	// The upsert locks the document's row, so concurrent writers of one
	// document take turns and each removes exactly the chunks it replaces.
	if _, err := b.tx.Exec(ctx, `INSERT INTO ragcite_documents (id, title, source, metadata, hash, text, chunks)
		VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)
		ON CONFLICT (id) DO UPDATE SET title = excluded.title, source = excluded.source, metadata = excluded.metadata,
			hash = excluded.hash, text = excluded.text, chunks = excluded.chunks`,
		sd.ID, sd.Title, sd.Source, meta, sd.Hash, sd.Text, len(rows)); err != nil {
		return err
	}
	if err := b.removeChunks(ctx, sd.ID); err != nil {
		return err
	}
	for i := range rows {
		b.d.count(rows[i].terms, rows[i].nterms, +1)
	}
	b.buf = append(b.buf, rows...)
	b.docs[sd.ID] = true
	if len(b.buf) >= flushChunks {
		return b.flush(ctx)
	}
	return nil
}

// removeChunks deletes a document's stored chunks and counts them out of
// the statistics.
func (b *batch) removeChunks(ctx context.Context, docID string) error {
	rows, err := b.tx.Query(ctx, `DELETE FROM ragcite_chunks WHERE doc_id = $1 RETURNING terms, nterms`, docID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var terms string
		var n int32
		if err := rows.Scan(&terms, &n); err != nil {
			return err
		}
		b.d.count(terms, n, -1)
	}
	return rows.Err()
}

// flush writes the buffered chunks.
func (b *batch) flush(ctx context.Context) error {
	if len(b.buf) == 0 {
		return nil
	}
	var err error
	if b.s.copyOK {
		err = copyChunks(ctx, b.tx, b.buf)
	} else {
		err = insertChunks(ctx, b.tx, b.buf)
	}
	if err != nil {
		return fmt.Errorf("write chunks: %w", err)
	}
	b.buf = b.buf[:0]
	clear(b.docs)
	return nil
}

var chunkColumns = []string{"id", "doc_id", "idx", "text", "start_off", "end_off", "terms", "nterms", "embedding"}

// copyChunks writes rows with COPY, the vector type registered on the
// transaction's connection for its binary format.
func copyChunks(ctx context.Context, tx pgx.Tx, rows []chunkRow) error {
	conn := tx.Conn()
	if _, ok := conn.TypeMap().TypeForName("vector"); !ok {
		if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
			return fmt.Errorf("register the vector type: %w", err)
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"ragcite_chunks"}, chunkColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := &rows[i]
		return []any{r.id, r.docID, r.idx, r.text, r.start, r.end, r.terms, r.nterms, r.vec}, nil
	}))
	return err
}

// insertChunks writes rows with one INSERT from column arrays, for servers
// without COPY FROM STDIN (PGlite's socket server).
func insertChunks(ctx context.Context, tx pgx.Tx, rows []chunkRow) error {
	n := len(rows)
	ids, docs, texts, terms, vecs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	idxs, starts, ends, nums := make([]int32, n), make([]int32, n), make([]int32, n), make([]int32, n)
	for i, r := range rows {
		ids[i], docs[i], texts[i], terms[i], vecs[i] = r.id, r.docID, r.text, r.terms, r.vec.String()
		idxs[i], starts[i], ends[i], nums[i] = r.idx, r.start, r.end, r.nterms
	}
	_, err := tx.Exec(ctx, `INSERT INTO ragcite_chunks (id, doc_id, idx, text, start_off, end_off, terms, nterms, embedding)
		SELECT u.id, u.doc, u.idx, u.text, u.s, u.e, u.terms, u.n, u.vec::vector
		FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::int[], $9::text[])
			AS u(id, doc, idx, text, s, e, terms, n, vec)`, ids, docs, idxs, texts, starts, ends, terms, nums, vecs)
	return err
}

// Commit implements rag.Batch: the last chunks and the statistics are
// written and the transaction committed.
func (b *batch) Commit(ctx context.Context) (err error) {
	defer b.s.classify(&err)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return errors.New("commit: batch already ended")
	}
	b.done = true
	if b.err != nil {
		b.tx.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("commit: %w", b.err)
	}
	if err := b.flush(ctx); err != nil {
		b.tx.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("commit: %w", err)
	}
	if err := b.d.apply(ctx, b.tx); err != nil {
		b.tx.Rollback(context.WithoutCancel(ctx))
		return fmt.Errorf("commit: %w", err)
	}
	if err := b.tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Abort implements rag.Batch.
func (b *batch) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.done {
		b.done = true
		b.tx.Rollback(context.Background())
	}
}

// Put implements rag.Store: every document and all its chunks are replaced
// in one transaction, as one batch.
func (s *Store) Put(ctx context.Context, docs ...rag.StoredDocument) (err error) {
	defer s.classify(&err)
	for i := range docs { // fail before writing anything
		if _, err := newChunkRows(&docs[i]); err != nil {
			return err
		}
	}
	b, err := s.BeginBatch(ctx)
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	for _, sd := range docs {
		if err := b.Add(ctx, sd, nil); err != nil {
			b.Abort()
			return fmt.Errorf("put: %w", err)
		}
	}
	if err := b.Commit(ctx); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Delete implements rag.Store: the document's row is locked first, then its
// chunks are deleted and counted out of the statistics, in one transaction.
func (s *Store) Delete(ctx context.Context, id string) (err error) {
	defer s.classify(&err)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM ragcite_documents WHERE id = $1 FOR UPDATE`, id).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
		}
		if err != nil {
			return err
		}
		b := &batch{s: s, tx: tx}
		if err := b.removeChunks(ctx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ragcite_documents WHERE id = $1`, id); err != nil {
			return err
		}
		return b.d.apply(ctx, tx)
	})
	if err != nil && !errors.Is(err, rag.ErrNotFound) {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	return err
}
