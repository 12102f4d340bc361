package pgstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ragcite/ragcite/rag"
)

func TestUnreachable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"broken", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"syntax error", &pgconn.PgError{Code: "42601"}, false},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"plain", errors.New("bad value"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unreachable(tc.err); got != tc.want {
				t.Errorf("unreachable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestOutageIsUnavailable(t *testing.T) {
	// A server that accepts and closes every connection: the database
	// went away after the store was opened.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	s := &Store{}
	s.pool, err = newPool(context.Background(), "postgres://u@"+ln.Addr().String()+"/db?sslmode=disable&connect_timeout=2", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.pool.Close()
	for _, call := range []func() error{
		func() error { _, err := s.Documents(context.Background()); return err },
		func() error {
			return s.Put(context.Background(), rag.StoredDocument{Document: rag.Document{ID: "a", Text: "x"}})
		},
		func() error { return s.Health(context.Background()) },
	} {
		if err := call(); !errors.Is(err, rag.ErrUnavailable) {
			t.Errorf("got %v, want rag.ErrUnavailable", err)
		}
	}
}

func TestTablesRecreatedWhenDatabaseComesBackEmpty(t *testing.T) {
	s := openClean(t)
	ctx := context.Background()
	if err := s.SetEmbedder(ctx, "test-embedder", 3); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, testURL(t))
	if err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(ctx, `DROP TABLE ragcite_chunks, ragcite_documents, ragcite_meta, ragcite_schema CASCADE`)
	conn.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The first request after the loss fails as unavailable and recreates.
	if _, err := s.Documents(ctx); !errors.Is(err, rag.ErrUnavailable) {
		t.Fatalf("Documents after the tables were dropped: %v, want rag.ErrUnavailable", err)
	}
	if err := s.Health(ctx); err != nil {
		t.Fatalf("Health after recreation: %v", err)
	}
	name, dim, err := s.Embedder(ctx)
	if err != nil || name != "test-embedder" || dim != 3 {
		t.Fatalf("Embedder after recreation = %q, %d, %v; want the one set before", name, dim, err)
	}
	sd := rag.StoredDocument{Document: rag.Document{ID: "a", Title: "A", Text: "alpha beta"},
		Chunks: []rag.Chunk{{ID: "a#0", DocID: "a", Start: 0, End: 10}}, Vectors: [][]float32{{1, 0, 0}}}
	if err := s.Put(ctx, sd); err != nil {
		t.Fatalf("Put after recreation: %v", err)
	}
}
