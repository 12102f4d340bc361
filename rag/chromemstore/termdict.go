package chromemstore

import (
	"hash/maphash"
	"strings"
	"sync"
	"sync/atomic"
)

// dictShards is the number of independently locked parts of a termDict,
// so that the workers decoding records resolve terms without queueing on
// one lock.
const dictShards = 64

// termDict maps the BM25 index's terms to dense ids. It is safe for
// concurrent use: reopen resolves every record's terms on all cores and
// leaves only the postings appends to the goroutine that owns the index.
type termDict struct {
	seed   maphash.Seed
	next   atomic.Int32
	shards [dictShards]struct {
		mu sync.Mutex
		m  map[string]int32
	}
}

func newTermDict() *termDict {
	d := &termDict{seed: maphash.MakeSeed()}
	for i := range d.shards {
		d.shards[i].m = map[string]int32{}
	}
	return d
}

// lookup returns the id of term t, if it has one.
func (d *termDict) lookup(t string) (int32, bool) {
	sh := &d.shards[maphash.String(d.seed, t)%dictShards]
	sh.mu.Lock()
	id, ok := sh.m[t]
	sh.mu.Unlock()
	return id, ok
}

// intern returns the id of the term spelt by b, giving it one if it has
// none. b is copied only when the term is new, so decoding a record that
// reuses known terms allocates nothing for them.
func (d *termDict) intern(b []byte) int32 {
	sh := &d.shards[maphash.Bytes(d.seed, b)%dictShards]
	sh.mu.Lock()
	id, ok := sh.m[string(b)]
	if !ok {
		id = d.next.Add(1) - 1
		sh.m[string(b)] = id
	}
	sh.mu.Unlock()
	return id
}

// internString is intern for a term held as a string.
func (d *termDict) internString(t string) int32 {
	sh := &d.shards[maphash.String(d.seed, t)%dictShards]
	sh.mu.Lock()
	id, ok := sh.m[t]
	if !ok {
		id = d.next.Add(1) - 1
		sh.m[strings.Clone(t)] = id
	}
	sh.mu.Unlock()
	return id
}

// size is the number of ids given out.
func (d *termDict) size() int { return int(d.next.Load()) }
