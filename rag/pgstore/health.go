package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ragcite/ragcite/rag"
)

// Health implements the engine's health check: it reaches the database and
// recreates the schema when the database came back empty. An unreachable
// database gives an error wrapping rag.ErrUnavailable.
func (s *Store) Health(ctx context.Context) (err error) {
	defer s.classify(&err)
	var present bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('ragcite_documents') IS NOT NULL`).Scan(&present); err != nil {
		return fmt.Errorf("health: %w", err)
	}
	if !present {
		if err := s.recreate(ctx); err != nil {
			return fmt.Errorf("health: %w: recreate the schema: %w", rag.ErrUnavailable, err)
		}
	}
	return nil
}

// classify marks errors of an unreachable database with rag.ErrUnavailable
// (503 rather than 500). A missing table means the database came back
// empty: the schema is recreated at once and this request still fails as
// unavailable, so a client retry succeeds.
func (s *Store) classify(errp *error) {
	err := *errp
	if err == nil || errors.Is(err, rag.ErrUnavailable) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if rerr := s.recreate(ctx); rerr != nil {
			err = fmt.Errorf("%w (recreating it failed: %v)", err, rerr)
		}
		*errp = fmt.Errorf("%w: the database lost its tables, now recreated: %w", rag.ErrUnavailable, err)
		return
	}
	if unreachable(err) {
		*errp = fmt.Errorf("%w: %w", rag.ErrUnavailable, err)
	}
}

// unreachable reports whether err says the database cannot be reached (a
// refused or broken connection, a server shutting down or starting up)
// rather than that a statement failed.
func unreachable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne):
		return true
	case errors.As(err, &pe):
		// Class 08: connection exception; 57P01-03: admin shutdown, crash
		// shutdown, cannot connect now.
		return len(pe.Code) == 5 && pe.Code[:2] == "08" || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return true
	}
	return pgconn.SafeToRetry(err)
}

// recreate migrates the schema again and records the embedder last seen,
// after the database came back without the store's tables.
func (s *Store) recreate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if s.embedder == "" {
		return nil
	}
	return s.setEmbedder(ctx, s.embedder, s.dim)
}
