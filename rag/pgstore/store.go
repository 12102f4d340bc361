package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// Options tune the connection pool. Zero values keep what the URL says
// (pool_max_conns, default_query_exec_mode) or pgx's defaults.
type Options struct {
	MaxConns int32
	// ExecMode is one of pgx's query exec modes: "cache_statement",
	// "cache_describe", "describe_exec", "exec" or "simple_protocol".
	ExecMode string
}

// Store is a rag.Store over PostgreSQL with pgvector.
type Store struct {
	pool *pgxpool.Pool

	mu       sync.Mutex // guards embedder and dim; serialises schema recreation
	embedder string     // the embedder last read or set, restored if the tables are recreated
	dim      int
}

var _ rag.Store = (*Store)(nil)

// Open connects to url (postgres://...), migrates the schema and returns the store.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	pool, err := newPool(ctx, url, opts)
	if err != nil {
		return nil, err
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// newPool makes the connection pool; it connects lazily.
func newPool(ctx context.Context, url string, opts Options) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ExecMode != "" {
		mode, err := execMode(opts.ExecMode)
		if err != nil {
			return nil, err
		}
		cfg.ConnConfig.DefaultQueryExecMode = mode
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	return pool, nil
}

func execMode(name string) (pgx.QueryExecMode, error) {
	switch name {
	case "cache_statement":
		return pgx.QueryExecModeCacheStatement, nil
	case "cache_describe":
		return pgx.QueryExecModeCacheDescribe, nil
	case "describe_exec":
		return pgx.QueryExecModeDescribeExec, nil
	case "exec":
		return pgx.QueryExecModeExec, nil
	case "simple_protocol":
		return pgx.QueryExecModeSimpleProtocol, nil
	}
	return 0, fmt.Errorf("%w: query exec mode %q: want cache_statement, cache_describe, describe_exec, exec or simple_protocol", rag.ErrInvalidArgument, name)
}

// Close implements rag.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Embedder implements rag.Store.
func (s *Store) Embedder(ctx context.Context) (_ string, _ int, err error) {
	defer s.classify(&err)
	var name, dim string
	err = s.pool.QueryRow(ctx, `SELECT
		coalesce((SELECT value FROM ragcite_meta WHERE key = 'embedder'), ''),
		coalesce((SELECT value FROM ragcite_meta WHERE key = 'dim'), '0')`).Scan(&name, &dim)
	if err != nil {
		return "", 0, fmt.Errorf("read embedder: %w", err)
	}
	n, _ := strconv.Atoi(dim)
	if name != "" {
		s.mu.Lock()
		s.embedder, s.dim = name, n
		s.mu.Unlock()
	}
	return name, n, nil
}

// SetEmbedder implements rag.Store. It also creates the HNSW index for the
// dimension, over the vectors cast to it.
func (s *Store) SetEmbedder(ctx context.Context, name string, dim int) (err error) {
	defer s.classify(&err)
	if dim <= 0 || dim > 16000 {
		return fmt.Errorf("%w: embedding dimension %d", rag.ErrInvalidArgument, dim)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.setEmbedder(ctx, name, dim); err != nil {
		return err
	}
	s.embedder, s.dim = name, dim
	return nil
}

// setEmbedder records the embedder and makes its vector index; callers
// hold s.mu.
func (s *Store) setEmbedder(ctx context.Context, name string, dim int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ragcite_meta (key, value) VALUES ('embedder', $1), ('dim', $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, name, strconv.Itoa(dim))
		if err != nil {
			return fmt.Errorf("set embedder: %w", err)
		}
		// dim is an integer we checked, not user text.
		_, err = tx.Exec(ctx, fmt.Sprintf(`CREATE INDEX IF NOT EXISTS ragcite_chunks_embedding_%d
			ON ragcite_chunks USING hnsw ((embedding::vector(%d)) vector_cosine_ops)`, dim, dim))
		if err != nil {
			return fmt.Errorf("create vector index: %w", err)
		}
		return nil
	})
}

// Info implements rag.Store.
func (s *Store) Info(ctx context.Context, id string) (_ rag.DocumentInfo, err error) {
	defer s.classify(&err)
	rows, err := s.pool.Query(ctx, `SELECT id, title, source, chunks, octet_length(text), metadata, hash
		FROM ragcite_documents WHERE id = $1`, id)
	if err != nil {
		return rag.DocumentInfo{}, fmt.Errorf("document %q: %w", id, err)
	}
	infos, err := scanInfos(rows)
	if err != nil {
		return rag.DocumentInfo{}, err
	}
	if len(infos) == 0 {
		return rag.DocumentInfo{}, fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	return infos[0], nil
}

// Documents implements rag.Store.
func (s *Store) Documents(ctx context.Context) (_ []rag.DocumentInfo, err error) {
	defer s.classify(&err)
	rows, err := s.pool.Query(ctx, `SELECT id, title, source, chunks, octet_length(text), metadata, hash
		FROM ragcite_documents ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return scanInfos(rows)
}

// ListDocuments implements rag.Store.
func (s *Store) ListDocuments(ctx context.Context, after string, limit int) (_ []rag.DocumentInfo, err error) {
	defer s.classify(&err)
	rows, err := s.pool.Query(ctx, `SELECT id, title, source, chunks, octet_length(text), metadata, hash
		FROM ragcite_documents WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list documents: %w", err)
	}
	return scanInfos(rows)
}

func scanInfos(rows pgx.Rows) ([]rag.DocumentInfo, error) {
	defer rows.Close()
	infos := []rag.DocumentInfo{}
	for rows.Next() {
		var d rag.DocumentInfo
		var meta []byte
		if err := rows.Scan(&d.ID, &d.Title, &d.Source, &d.Chunks, &d.Bytes, &meta, &d.Hash); err != nil {
			return nil, fmt.Errorf("read documents: %w", err)
		}
		d.Metadata = map[string]string{}
		if err := json.Unmarshal(meta, &d.Metadata); err != nil {
			return nil, fmt.Errorf("read metadata of %q: %w", d.ID, err)
		}
		infos = append(infos, d)
	}
	return infos, rows.Err()
}

// Document implements rag.Store.
func (s *Store) Document(ctx context.Context, id string) (_ rag.Document, err error) {
	defer s.classify(&err)
	var d rag.Document
	var meta []byte
	err = s.pool.QueryRow(ctx, `SELECT id, title, source, text, metadata FROM ragcite_documents WHERE id = $1`, id).
		Scan(&d.ID, &d.Title, &d.Source, &d.Text, &meta)
	if errors.Is(err, pgx.ErrNoRows) {
		return rag.Document{}, fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	if err != nil {
		return rag.Document{}, fmt.Errorf("document %q: %w", id, err)
	}
	d.Metadata = map[string]string{}
	if err := json.Unmarshal(meta, &d.Metadata); err != nil {
		return rag.Document{}, fmt.Errorf("metadata of %q: %w", id, err)
	}
	return d, nil
}

// Chunks implements rag.Store.
func (s *Store) Chunks(ctx context.Context, docID string) (_ []rag.Chunk, err error) {
	defer s.classify(&err)
	if _, err := s.Info(ctx, docID); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT id, doc_id, idx, text, start_off, end_off FROM ragcite_chunks WHERE doc_id = $1 ORDER BY idx`, docID)
	if err != nil {
		return nil, fmt.Errorf("chunks of %q: %w", docID, err)
	}
	hits, err := scanHits(rows, false)
	if err != nil {
		return nil, err
	}
	out := make([]rag.Chunk, len(hits))
	for i, h := range hits {
		out[i] = h.Chunk
	}
	return out, nil
}

// Put implements rag.Store: every document and all its chunks are replaced
// in one transaction, chunks inserted in bulk from arrays with unnest.
func (s *Store) Put(ctx context.Context, docs ...rag.StoredDocument) (err error) {
	defer s.classify(&err)
	rows := make([]chunkRows, len(docs))
	for i := range docs {
		if rows[i], err = newChunkRows(&docs[i]); err != nil {
			return err
		}
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for i := range docs {
			if err := putTx(ctx, tx, &docs[i], &rows[i]); err != nil {
				return fmt.Errorf("put %q: %w", docs[i].ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put: %w", err)
	}
	return nil
}

// chunkRows are a document's chunks as column arrays for unnest.
type chunkRows struct {
	meta                     string
	ids, texts, terms, vecs  []string
	idxs, starts, ends, nums []int32
}

func newChunkRows(sd *rag.StoredDocument) (chunkRows, error) {
	if len(sd.Chunks) != len(sd.Vectors) {
		return chunkRows{}, fmt.Errorf("put %q: %d chunks but %d vectors", sd.ID, len(sd.Chunks), len(sd.Vectors))
	}
	meta, err := json.Marshal(nonNil(sd.Metadata))
	if err != nil {
		return chunkRows{}, fmt.Errorf("put %q: %w", sd.ID, err)
	}
	n := len(sd.Chunks)
	r := chunkRows{meta: string(meta), ids: make([]string, n), texts: make([]string, n), terms: make([]string, n), vecs: make([]string, n),
		idxs: make([]int32, n), starts: make([]int32, n), ends: make([]int32, n), nums: make([]int32, n)}
	for i, c := range sd.Chunks {
		if c.Start < 0 || c.End > len(sd.Text) || c.Start > c.End {
			return chunkRows{}, fmt.Errorf("put %q: chunk %s offsets [%d,%d) outside the text", sd.ID, c.ID, c.Start, c.End)
		}
		r.ids[i], r.idxs[i], r.starts[i], r.ends[i] = c.ID, int32(c.Index), int32(c.Start), int32(c.End)
		r.texts[i] = sd.Text[c.Start:c.End]
		ts := text.Terms(r.texts[i])
		r.terms[i], r.nums[i] = strings.Join(ts, " "), int32(len(ts))
		r.vecs[i] = pgvector.NewVector(sd.Vectors[i]).String()
	}
	return r, nil
}

// putTx replaces one document inside tx.
func putTx(ctx context.Context, tx pgx.Tx, sd *rag.StoredDocument, r *chunkRows) error {
	if _, err := tx.Exec(ctx, `DELETE FROM ragcite_documents WHERE id = $1`, sd.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO ragcite_documents (id, title, source, metadata, hash, text, chunks)
		VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`, sd.ID, sd.Title, sd.Source, r.meta, sd.Hash, sd.Text, len(r.ids)); err != nil {
		return err
	}
	if len(r.ids) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO ragcite_chunks (id, doc_id, idx, text, start_off, end_off, terms, nterms, embedding)
		SELECT u.id, $1, u.idx, u.text, u.s, u.e, u.terms, u.n, u.vec::vector
		FROM unnest($2::text[], $3::int[], $4::text[], $5::int[], $6::int[], $7::text[], $8::int[], $9::text[])
			AS u(id, idx, text, s, e, terms, n, vec)`, sd.ID, r.ids, r.idxs, r.texts, r.starts, r.ends, r.terms, r.nums, r.vecs)
	return err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// Delete implements rag.Store; chunks go with their document (ON DELETE CASCADE).
func (s *Store) Delete(ctx context.Context, id string) (err error) {
	defer s.classify(&err)
	tag, err := s.pool.Exec(ctx, `DELETE FROM ragcite_documents WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete %q: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("document %q: %w", id, rag.ErrNotFound)
	}
	return nil
}

// filterSQL returns the WHERE conditions for f, numbering parameters from
// next, and their arguments.
func filterSQL(f rag.Filter, next int) (string, []any) {
	var conds []string
	var args []any
	if len(f.DocIDs) > 0 {
		conds = append(conds, fmt.Sprintf("c.doc_id = ANY($%d::text[])", next))
		args = append(args, f.DocIDs)
		next++
	}
	if len(f.Metadata) > 0 {
		meta, _ := json.Marshal(f.Metadata)
		conds = append(conds, fmt.Sprintf("d.metadata @> $%d::jsonb", next))
		args = append(args, string(meta))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// Dense implements rag.Store: cosine similarity through the HNSW index.
func (s *Store) Dense(ctx context.Context, vec []float32, k int, f rag.Filter) (_ []rag.Hit, err error) {
	defer s.classify(&err)
	if k <= 0 {
		return nil, nil
	}
	dim := len(vec)
	where, args := filterSQL(f, 3)
	// dim is len(vec), an integer: safe in the statement, and it must be
	// literal for the planner to use the expression index.
	q := fmt.Sprintf(`SELECT c.id, c.doc_id, c.idx, c.text, c.start_off, c.end_off,
			1 - (c.embedding::vector(%[1]d) <=> $1::vector(%[1]d)) AS score
		FROM ragcite_chunks c JOIN ragcite_documents d ON d.id = c.doc_id
		WHERE true%[2]s
		ORDER BY c.embedding::vector(%[1]d) <=> $1::vector(%[1]d) LIMIT $2`, dim, where)
	rows, err := s.pool.Query(ctx, q, append([]any{pgvector.NewVector(vec).String(), k}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("dense query: %w", err)
	}
	return scanHits(rows, true)
}

// lexicalCandidates is how many full-text matches are rescored with BM25.
const lexicalCandidates = 400

// Lexical implements rag.Store. Full-text search over the chunks' analysed
// terms (text.Terms, the analysis the embedded index uses) finds chunks with
// any query term; the best of them by ts_rank_cd are rescored with BM25 from
// the same statistics the embedded store uses, so both stores rank alike.
func (s *Store) Lexical(ctx context.Context, query string, k int, f rag.Filter) (_ []rag.Hit, err error) {
	defer s.classify(&err)
	terms := safeTerms(uniq(text.Terms(query)))
	if len(terms) == 0 || k <= 0 {
		return nil, nil
	}
	idf, err := s.IDF(ctx, terms)
	if err != nil {
		return nil, err
	}
	var avgdl float64
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(avg(nterms), 1) FROM ragcite_chunks`).Scan(&avgdl); err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	where, args := filterSQL(f, 3)
	q := `SELECT c.id, c.doc_id, c.idx, c.text, c.start_off, c.end_off, c.terms, c.nterms
		FROM ragcite_chunks c JOIN ragcite_documents d ON d.id = c.doc_id, to_tsquery('simple', $1) query
		WHERE c.tsv @@ query` + where + `
		ORDER BY ts_rank_cd(c.tsv, query) DESC, c.id LIMIT $2`
	rows, err := s.pool.Query(ctx, q, append([]any{strings.Join(terms, " | "), max(lexicalCandidates, k)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	defer rows.Close()
	var hits []rag.Hit
	for rows.Next() {
		var h rag.Hit
		var idx, start, end, n int32
		var chunkTerms string
		if err := rows.Scan(&h.Chunk.ID, &h.Chunk.DocID, &idx, &h.Chunk.Text, &start, &end, &chunkTerms, &n); err != nil {
			return nil, fmt.Errorf("lexical query: %w", err)
		}
		h.Chunk.Index, h.Chunk.Start, h.Chunk.End = int(idx), int(start), int(end)
		tf := map[string]int{}
		for _, t := range strings.Fields(chunkTerms) {
			tf[t]++
		}
		for _, t := range terms {
			if tf[t] > 0 {
				h.Score += rag.BM25(tf[t], int(n), avgdl, idf[t])
			}
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Chunk.ID < hits[j].Chunk.ID
	})
	return hits[:min(k, len(hits))], nil
}

func uniq(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func scanHits(rows pgx.Rows, withScore bool) ([]rag.Hit, error) {
	defer rows.Close()
	var out []rag.Hit
	for rows.Next() {
		var h rag.Hit
		var idx, start, end int32
		dest := []any{&h.Chunk.ID, &h.Chunk.DocID, &idx, &h.Chunk.Text, &start, &end}
		var score float64
		if withScore {
			dest = append(dest, &score)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("read chunks: %w", err)
		}
		h.Chunk.Index, h.Chunk.Start, h.Chunk.End, h.Score = int(idx), int(start), int(end), score
		out = append(out, h)
	}
	return out, rows.Err()
}

// IDF implements rag.Store with the BM25 formula over chunk frequencies.
func (s *Store) IDF(ctx context.Context, terms []string) (_ map[string]float64, err error) {
	defer s.classify(&err)
	out := make(map[string]float64, len(terms))
	if len(terms) == 0 {
		return out, nil
	}
	var n int64
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM ragcite_chunks`).Scan(&n); err != nil {
		return nil, fmt.Errorf("term statistics: %w", err)
	}
	// A term that is not a plain word is in no chunk's terms: it is seen
	// nowhere, as in the embedded store.
	for _, t := range terms {
		out[t] = rag.BM25IDF(int(n), 0)
	}
	words := safeTerms(terms)
	if len(words) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT t,
			(SELECT count(*) FROM ragcite_chunks WHERE tsv @@ to_tsquery('simple', t))
		FROM unnest($1::text[]) AS t`, words)
	if err != nil {
		return nil, fmt.Errorf("term statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var df int64
		if err := rows.Scan(&t, &df); err != nil {
			return nil, fmt.Errorf("term statistics: %w", err)
		}
		out[t] = rag.BM25IDF(int(n), int(df))
	}
	return out, rows.Err()
}

// safeTerms keeps terms that are plain words (text.Terms never yields
// anything else), so each is a valid one-word tsquery.
func safeTerms(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if t != "" && utf8.ValidString(t) && !strings.ContainsAny(t, "&|!():*<>'\\ \x00") {
			out = append(out, t)
		}
	}
	return out
}
