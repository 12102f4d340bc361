package pgstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// corpusStats are the statistics BM25 needs: chunk count, average chunk
// length, and the document frequency of each query term.
type corpusStats struct {
	chunks int64
	avgdl  float64
	df     map[string]int
}

// readStats reads the corpus statistics for terms in one statement: the
// statistics row and an index lookup per term, whatever the corpus size.
func readStats(ctx context.Context, q querier, terms []string) (corpusStats, error) {
	st := corpusStats{df: make(map[string]int, len(terms))}
	rows, err := q.Query(ctx, `SELECT s.chunks, s.total_terms, t.term, t.df
		FROM ragcite_stats s LEFT JOIN ragcite_terms t ON t.term = ANY($1::text[])
		WHERE s.id = 1`, storable(terms))
	if err != nil {
		return st, fmt.Errorf("corpus statistics: %w", err)
	}
	defer rows.Close()
	var total int64
	for rows.Next() {
		var term *string
		var df *int32
		if err := rows.Scan(&st.chunks, &total, &term, &df); err != nil {
			return st, fmt.Errorf("corpus statistics: %w", err)
		}
		if term != nil && df != nil {
			st.df[*term] = int(*df)
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("corpus statistics: %w", err)
	}
	if st.chunks > 0 {
		st.avgdl = float64(total) / float64(st.chunks)
	}
	return st, nil
}

// storable keeps the terms a text column can hold (valid UTF-8 without
// NUL): any other is in no chunk.
func storable(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if utf8.ValidString(t) && !strings.ContainsRune(t, 0) {
			out = append(out, t)
		}
	}
	return out
}

// querier is a pool, a connection or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// IDF implements rag.Store with the BM25 formula over the chunk frequencies
// kept in ragcite_terms.
func (s *Store) IDF(ctx context.Context, terms []string) (_ map[string]float64, err error) {
	defer s.classify(&err)
	out := make(map[string]float64, len(terms))
	if len(terms) == 0 {
		return out, nil
	}
	st, err := readStats(ctx, s.pool, uniq(terms))
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		out[t] = rag.BM25IDF(int(st.chunks), st.df[t])
	}
	return out, nil
}

// roundMatches is how many term matches a lexical round asks the full-text
// index for before it checks whether the best chunks are settled.
const roundMatches = 2000

// Lexical implements rag.Store: BM25 over the chunks' analysed terms
// (text.Terms), scored as the embedded store scores them. Query terms are
// taken rarest first: each round fetches, through the full-text index, the
// chunks holding the next terms and scores them over every query term. It
// stops as soon as the k-th best score beats the most that a chunk holding
// none of the fetched terms could score, so a query's cost follows the
// matches of its rare terms, and common terms are only counted in the
// chunks already found. The result is the exact BM25 top k.
func (s *Store) Lexical(ctx context.Context, query string, k int, f rag.Filter) (_ []rag.Hit, err error) {
	defer s.classify(&err)
	terms := uniq(text.Terms(query))
	if len(terms) == 0 || k <= 0 {
		return nil, nil
	}
	st, err := readStats(ctx, s.pool, terms)
	if err != nil {
		return nil, err
	}
	if st.chunks == 0 {
		return nil, nil
	}
	lx := newLexicalQuery(terms, st)
	for lx.next < len(lx.order) {
		round := lx.takeRound()
		if err := s.fetchCandidates(ctx, lx, round, f); err != nil {
			return nil, err
		}
		if lx.settled(k) {
			break
		}
	}
	return s.topHits(ctx, lx.best(k))
}

// lexicalQuery is a lexical search in progress.
type lexicalQuery struct {
	terms []string // the query's distinct terms, in query order
	st    corpusStats
	idf   map[string]float64
	order []string // the terms some chunk holds, rarest first
	next  int      // order[:next] have been fetched
	cands map[string]scored
}

type scored struct {
	id    string
	score float64
}

func newLexicalQuery(terms []string, st corpusStats) *lexicalQuery {
	lx := &lexicalQuery{terms: terms, st: st, idf: map[string]float64{}, cands: map[string]scored{}}
	for _, t := range terms {
		if st.df[t] > 0 && len(safeTerms([]string{t})) == 1 {
			lx.order = append(lx.order, t)
			lx.idf[t] = rag.BM25IDF(int(st.chunks), st.df[t])
		}
	}
	sort.SliceStable(lx.order, func(i, j int) bool { return st.df[lx.order[i]] < st.df[lx.order[j]] })
	return lx
}

// takeRound returns the next terms to fetch: at least one, and more while
// their matches stay within roundMatches.
func (lx *lexicalQuery) takeRound() []string {
	start, sum := lx.next, 0
	for lx.next < len(lx.order) {
		df := lx.st.df[lx.order[lx.next]]
		if lx.next > start && sum+df > roundMatches {
			break
		}
		sum += df
		lx.next++
	}
	return lx.order[start:lx.next]
}

// score is the chunk's BM25 score over the query terms, summed in float32
// in query order as the embedded index sums it, so both stores give the
// same scores.
func (lx *lexicalQuery) score(chunkTerms string, n int) float64 {
	tf := map[string]int{}
	for _, t := range strings.Fields(chunkTerms) {
		tf[t]++
	}
	var sum float32
	for _, t := range lx.terms {
		if tf[t] > 0 && lx.st.df[t] > 0 {
			sum += float32(rag.BM25(tf[t], n, lx.st.avgdl, lx.idf[t]))
		}
	}
	return float64(sum)
}

// settled reports whether the k best candidates are the k best chunks: no
// chunk holding only terms not fetched yet can outscore the k-th.
func (lx *lexicalQuery) settled(k int) bool {
	if lx.next >= len(lx.order) {
		return true
	}
	if len(lx.cands) < k {
		return false
	}
	var bound float64
	for _, t := range lx.order[lx.next:] {
		// BM25 grows with tf and falls with the chunk length: no chunk
		// scores a term higher than at an enormous tf in an empty chunk.
		bound += rag.BM25(1<<30, 0, lx.st.avgdl, lx.idf[t])
	}
	kth := lx.best(k)[k-1].score
	return kth > bound*(1+1e-6)
}

// best returns the k best candidates, ties by chunk id.
func (lx *lexicalQuery) best(k int) []scored {
	out := make([]scored, 0, len(lx.cands))
	for _, c := range lx.cands {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].id < out[j].id
	})
	return out[:min(k, len(out))]
}

// fetchCandidates scores the chunks passing f that hold any of terms and
// were not scored yet.
func (s *Store) fetchCandidates(ctx context.Context, lx *lexicalQuery, terms []string, f rag.Filter) error {
	where, args := filterSQL(f, 2)
	join := ""
	if len(f.Metadata) > 0 {
		join = " JOIN ragcite_documents d ON d.id = c.doc_id"
	}
	q := `SELECT c.id, c.terms, c.nterms FROM ragcite_chunks c` + join + `
		WHERE c.tsv @@ to_tsquery('simple', $1)` + where
	rows, err := s.pool.Query(ctx, q, append([]any{strings.Join(terms, " | ")}, args...)...)
	if err != nil {
		return fmt.Errorf("lexical query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, chunkTerms string
		var n int32
		if err := rows.Scan(&id, &chunkTerms, &n); err != nil {
			return fmt.Errorf("lexical query: %w", err)
		}
		if _, ok := lx.cands[id]; ok {
			continue
		}
		if sc := lx.score(chunkTerms, int(n)); sc > 0 {
			lx.cands[id] = scored{id, sc}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lexical query: %w", err)
	}
	return nil
}

// topHits reads the chunks of the best candidates, in their order.
func (s *Store) topHits(ctx context.Context, best []scored) ([]rag.Hit, error) {
	if len(best) == 0 {
		return nil, nil
	}
	ids := make([]string, len(best))
	for i, b := range best {
		ids[i] = b.id
	}
	rows, err := s.pool.Query(ctx, `SELECT id, doc_id, idx, text, start_off, end_off FROM ragcite_chunks WHERE id = ANY($1::text[])`, ids)
	if err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	hits, err := scanHits(rows, false)
	if err != nil {
		return nil, fmt.Errorf("lexical query: %w", err)
	}
	byID := make(map[string]rag.Chunk, len(hits))
	for _, h := range hits {
		byID[h.Chunk.ID] = h.Chunk
	}
	out := make([]rag.Hit, 0, len(best))
	for _, b := range best {
		if c, ok := byID[b.id]; ok { // a chunk deleted meanwhile is left out
			out = append(out, rag.Hit{Chunk: c, Score: b.score})
		}
	}
	return out, nil
}
