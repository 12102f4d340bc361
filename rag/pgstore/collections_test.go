package pgstore

import (
	"testing"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/storetest"
)

func TestPostgresStoreCollections(t *testing.T) {
	testURL(t)
	storetest.Collections(t, func(t *testing.T) rag.Store { return openClean(t) })
}
