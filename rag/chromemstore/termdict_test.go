package chromemstore

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestTermCacheAgreesWithDict: with far more terms than the cache holds
// (so slots are overwritten and hashes share slots), every term resolved
// through a worker's cache gets the dictionary's id for it.
func TestTermCacheAgreesWithDict(t *testing.T) {
	for _, tc := range []struct {
		name  string
		terms int
	}{
		{"fewer than the slots", cacheSlots / 8},
		{"more than the slots", 5 * cacheSlots},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dict := newTermDict()
			c := newTermCache(dict)
			rng := rand.New(rand.NewPCG(1, 2))
			for range 4 * tc.terms {
				term := fmt.Sprintf("t%d", rng.IntN(tc.terms))
				got := c.intern([]byte(term))
				want, ok := dict.lookup(term)
				if !ok || got != want {
					t.Fatalf("term %q: %d through the cache, dictionary %d (%v)", term, got, want, ok)
				}
			}
		})
	}
}
