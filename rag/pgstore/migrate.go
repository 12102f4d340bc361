package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
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
}

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
	return nil
}
