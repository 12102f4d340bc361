package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ragcite/ragcite/internal/text"
)

// migrations are applied in order, each once, in its own transaction.
var migrations = []string{
	// 1: documents, chunks with text, analysed terms and vectors, full-text index.
	`CREATE EXTENSION IF NOT EXISTS vector;
	CREATE TABLE IF NOT EXISTS ragcite_meta (key text PRIMARY KEY, value text NOT NULL);
	CREATE TABLE IF NOT EXISTS ragcite_documents (
		id text PRIMARY KEY,
		title text NOT NULL,
		source text NOT NULL,
		metadata jsonb NOT NULL DEFAULT '{}',
		hash text NOT NULL,
		text text NOT NULL,
		chunks int NOT NULL
	);
	CREATE TABLE IF NOT EXISTS ragcite_chunks (
		id text PRIMARY KEY,
		doc_id text NOT NULL REFERENCES ragcite_documents(id) ON DELETE CASCADE,
		idx int NOT NULL,
		text text NOT NULL,
		start_off int NOT NULL,
		end_off int NOT NULL,
		terms text NOT NULL,
		nterms int NOT NULL,
		tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED,
		embedding vector NOT NULL
	);
	CREATE INDEX IF NOT EXISTS ragcite_chunks_doc ON ragcite_chunks (doc_id);
	CREATE INDEX IF NOT EXISTS ragcite_chunks_tsv ON ragcite_chunks USING gin (tsv);
	CREATE INDEX IF NOT EXISTS ragcite_documents_metadata ON ragcite_documents USING gin (metadata jsonb_path_ops);`,
	// 2: corpus statistics (chunk count, total length, document frequency
	// per term), kept by every write, computed here once from the chunks.
	`CREATE TABLE IF NOT EXISTS ragcite_stats (
		id int PRIMARY KEY CHECK (id = 1),
		chunks bigint NOT NULL,
		total_terms bigint NOT NULL
	);
	CREATE TABLE IF NOT EXISTS ragcite_terms (term text PRIMARY KEY, df int NOT NULL);` + rebuildStats,
}

// rebuildStats recomputes the corpus statistics from the stored chunks'
// terms: a one-off full pass, after a migration or a reanalysis.
const rebuildStats = `
	DELETE FROM ragcite_stats;
	DELETE FROM ragcite_terms;
	INSERT INTO ragcite_stats (id, chunks, total_terms) SELECT 1, count(*), coalesce(sum(nterms), 0) FROM ragcite_chunks;
	INSERT INTO ragcite_terms (term, df)
		SELECT t, count(*) FROM (SELECT DISTINCT c.id, t FROM ragcite_chunks c, unnest(string_to_array(c.terms, ' ')) AS t) AS x
		WHERE t <> '' GROUP BY t;`

// migrationLock is the advisory lock key that serialises migrations when
// several replicas start at once.
const migrationLock = 0x7261_6763 // "ragc"

// migrate brings the schema to the latest version. It is idempotent.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS ragcite_schema (version int NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var version int
	if err := conn.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM ragcite_schema`).Scan(&version); err != nil {
		return fmt.Errorf("migrate: read version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("migrate: the database has schema version %d, newer than this ragcite (%d); upgrade ragcite", version, len(migrations))
	}
	for v := version + 1; v <= len(migrations); v++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, migrations[v-1]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO ragcite_schema (version) VALUES ($1)`, v)
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate to version %d: %w", v, err)
		}
	}
	return reanalyse(ctx, conn.Conn())
}

// analyserKey names the ragcite_meta row that records the lexical analyser
// (text.Fingerprint) the stored chunk terms were written with.
const analyserKey = "analyser"

// reanalyse recomputes the stored terms of every chunk when they were
// written by another lexical analyser than this binary's, so that query
// terms and stored terms agree. It runs under the migration lock, in one
// transaction, reading the chunks' text in a single pass: a one-off cost
// after an upgrade that changes the analyser.
func reanalyse(ctx context.Context, conn *pgx.Conn) error {
	want := text.Fingerprint()
	var have string
	err := conn.QueryRow(ctx, `SELECT value FROM ragcite_meta WHERE key = $1`, analyserKey).Scan(&have)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("migrate: read analyser: %w", err)
	}
	if have == want {
		return nil
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, text FROM ragcite_chunks`)
		if err != nil {
			return err
		}
		var ids, terms []string
		var counts []int32
		for rows.Next() {
			var id, chunk string
			if err := rows.Scan(&id, &chunk); err != nil {
				rows.Close()
				return err
			}
			ts := text.Terms(chunk)
			ids, terms, counts = append(ids, id), append(terms, strings.Join(ts, " ")), append(counts, int32(len(ts)))
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE ragcite_chunks AS c SET terms = u.terms, nterms = u.n
				FROM unnest($1::text[], $2::text[], $3::int[]) AS u(id, terms, n) WHERE c.id = u.id`, ids, terms, counts); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, rebuildStats); err != nil {
			return fmt.Errorf("rebuild statistics: %w", err)
		}
		_, err = tx.Exec(ctx, `INSERT INTO ragcite_meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, analyserKey, want)
		return err
	})
	if err != nil {
		return fmt.Errorf("migrate: analyse stored chunks again: %w", err)
	}
	return nil
}
