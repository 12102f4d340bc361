package chromemstore_test

import (
	"context"
	"testing"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/storetest"
)

func TestChromemStoreIsolation(t *testing.T) {
	storetest.Isolation(t, func(t *testing.T) rag.Store {
		s, err := chromemstore.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
