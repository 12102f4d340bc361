package pgstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/ragcite/ragcite/rag"
)

// exactLimit is the most chunks a filtered dense query ranks exactly,
// reaching them through the filter's indexes, rather than walking the HNSW
// graph and dropping the chunks the filter rejects.
var exactLimit = 20000

// maxEfSearch is the largest hnsw.ef_search pgvector accepts.
const maxEfSearch = 1000

// Dense implements rag.Store: cosine similarity. It returns min(k, the
// chunks passing f): a filter that leaves few chunks ranks them exactly;
// otherwise the HNSW index is searched with hnsw.ef_search of at least k
// and, where pgvector has them (0.8+), iterative scans that go on until
// enough chunks pass the filter; a filtered search that still comes back
// short is redone exactly.
func (s *Store) Dense(ctx context.Context, vec []float32, k int, f rag.Filter) (_ []rag.Hit, err error) {
	defer s.classify(&err)
	if k <= 0 {
		return nil, nil
	}
	if len(f.DocIDs) == 0 && len(f.Metadata) == 0 {
		return s.denseQuery(ctx, vec, k, f, false)
	}
	passing, err := s.passing(ctx, f)
	if err != nil {
		return nil, err
	}
	if passing == 0 {
		return nil, nil
	}
	if passing <= int64(exactLimit) {
		return s.denseQuery(ctx, vec, k, f, true)
	}
	hits, err := s.denseQuery(ctx, vec, k, f, false)
	if err != nil || int64(len(hits)) >= min(int64(k), passing) {
		return hits, err
	}
	return s.denseQuery(ctx, vec, k, f, true)
}

// passing counts the chunks that pass the filter f from the documents it
// selects through their indexes.
func (s *Store) passing(ctx context.Context, f rag.Filter) (int64, error) {
	var n int64
	where, args := filterSQL(f, 1)
	where = replaceChunkAlias(where)
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(d.chunks), 0) FROM ragcite_documents d WHERE true`+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("dense query: count the filtered chunks: %w", err)
	}
	return n, nil
}

// replaceChunkAlias makes filterSQL's conditions on the chunks' doc_id
// conditions on the documents' id.
func replaceChunkAlias(where string) string {
	const from, to = "c.doc_id = ANY", "d.id = ANY"
	for i := 0; i+len(from) <= len(where); i++ {
		if where[i:i+len(from)] == from {
			return where[:i] + to + where[i+len(from):]
		}
	}
	return where
}

// denseQuery ranks the chunks passing f by cosine similarity to vec:
// exactly (an expression no index orders by) or through the HNSW index.
func (s *Store) denseQuery(ctx context.Context, vec []float32, k int, f rag.Filter, exact bool) ([]rag.Hit, error) {
	dim := len(vec)
	where, args := filterSQL(f, 3)
	join := ""
	if len(f.Metadata) > 0 {
		join = " JOIN ragcite_documents d ON d.id = c.doc_id"
	}
	order := fmt.Sprintf("c.embedding::vector(%[1]d) <=> $1::vector(%[1]d)", dim)
	if exact {
		order = "(" + order + ") + 0, c.id"
	}
	// dim is len(vec), an integer: safe in the statement, and it must be
	// literal for the planner to use the expression index.
	q := fmt.Sprintf(`SELECT c.id, c.doc_id, c.idx, c.text, c.start_off, c.end_off,
			1 - (c.embedding::vector(%[1]d) <=> $1::vector(%[1]d)) AS score
		FROM ragcite_chunks c%[2]s
		WHERE true%[3]s
		ORDER BY %[4]s LIMIT $2`, dim, join, where, order)
	args = append([]any{pgvector.NewVector(vec).String(), k}, args...)
	if exact {
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("dense query: %w", err)
		}
		return scanHits(rows, true)
	}
	hits, err := s.indexScan(ctx, k, q, args)
	if err != nil {
		return nil, fmt.Errorf("dense query: %w", err)
	}
	return hits, nil
}

// indexScan runs the HNSW query q in a transaction whose settings ask the
// index for k candidates, sent in one round trip.
func (s *Store) indexScan(ctx context.Context, k int, q string, args []any) (_ []rag.Hit, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	s.tuneIndexScan(b, k)
	b.Queue(q, args...)
	b.Queue("COMMIT")
	br := conn.SendBatch(ctx, b)
	defer func() {
		if cerr := br.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	for range b.Len() - 2 { // BEGIN and the settings
		if _, err := br.Exec(); err != nil {
			return nil, err
		}
	}
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	hits, err := scanHits(rows, true)
	if err != nil {
		return nil, err
	}
	if _, err := br.Exec(); err != nil { // COMMIT
		return nil, err
	}
	return hits, nil
}

// tuneIndexScan queues the settings, local to the transaction, of an HNSW
// candidate list of 4k (at least 100: the list pgvector walks is the
// search's recall; at 40 for k = 40 a sixth of the embedded store's exact
// neighbours were missed on storebench's corpus, at 4k under 2%) and
// iterative scans where the server has them.
func (s *Store) tuneIndexScan(b *pgx.Batch, k int) {
	ef := min(max(4*k, 100), maxEfSearch)
	b.Queue(`SELECT set_config('hnsw.ef_search', $1, true)`, strconv.Itoa(ef))
	if s.iterative {
		b.Queue(`SELECT set_config('hnsw.iterative_scan', 'strict_order', true)`)
	}
}
