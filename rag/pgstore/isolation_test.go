package pgstore

import (
	"testing"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/storetest"
)

func TestPostgresStoreIsolation(t *testing.T) {
	testURL(t)
	storetest.Isolation(t, func(t *testing.T) rag.Store { return openClean(t) })
}
