package rag_test

import (
	"context"
	"testing"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/storetest"
)

func TestChromemStoreBehaviour(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) rag.Store {
			s, err := rag.OpenChromemStore(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
	t.Run("disk", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) rag.Store {
			s, err := rag.OpenChromemStore(context.Background(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}
