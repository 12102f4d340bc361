package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ragcite/ragcite/rag"
)

// Options tune the connection pool. Zero values keep what the URL says
// (pool_max_conns, default_query_exec_mode) or pgx's defaults.
type Options struct {
	MaxConns int32
	// ExecMode is one of pgx's query exec modes: "cache_statement",
	// "cache_describe", "describe_exec", "exec" or "simple_protocol".
	ExecMode string

	tracer pgx.QueryTracer // sees every statement; for tests
}

// Store is a rag.Store over PostgreSQL with pgvector.
type Store struct {
	pool *pgxpool.Pool

	mu       sync.Mutex // guards embedder and dim; serialises schema recreation
	embedder string     // the embedder last read or set, restored if the tables are recreated
	dim      int

	// What the server can do, read on open: COPY FROM STDIN (PGlite's
	// socket server has none) and pgvector's iterative index scans (0.8+).
	copyOK, iterative bool
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
	if err := s.readCapabilities(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// readCapabilities records what the server supports.
func (s *Store) readCapabilities(ctx context.Context) error {
	var version, vector string
	err := s.pool.QueryRow(ctx, `SELECT version(), coalesce((SELECT extversion FROM pg_extension WHERE extname = 'vector'), '')`).
		Scan(&version, &vector)
	if err != nil {
		return fmt.Errorf("postgres store: read server version: %w", err)
	}
	s.copyOK = !strings.Contains(version, "PGlite")
	s.iterative = versionAtLeast(vector, 0, 8)
	return nil
}

// versionAtLeast reports whether a "major.minor[.patch]" version is at
// least major.minor.
func versionAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
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
	if opts.tracer != nil {
		cfg.ConnConfig.Tracer = opts.tracer
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
