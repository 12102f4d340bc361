package chromemstore

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// dictShards is the number of independently locked parts of a termDict,
// so that the workers decoding records resolve terms without queueing on
// one lock.
const dictShards = 64

// termKey identifies a term by two independent 64-bit hashes of it. Two
// distinct terms share a key with probability about n²/2¹²⁹ for n terms
// (below 10⁻²⁴ at a billion terms), so the dictionary keeps no strings: a
// lookup compares 16 bytes held in the map rather than following a pointer
// to the term's bytes, which is what a reopen of millions of chunks spends
// its time on.
type termKey [2]uint64

// termDict maps the BM25 index's terms to dense ids. It is safe for
// concurrent use: reopen resolves every record's terms on all cores and
// leaves only the postings appends to the goroutine that owns the index.
type termDict struct {
	seeds  [2]maphash.Seed
	next   atomic.Int32
	shards [dictShards]struct {
		mu sync.Mutex
		m  map[termKey]int32
	}
}

func newTermDict() *termDict {
	d := &termDict{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	for i := range d.shards {
		d.shards[i].m = map[termKey]int32{}
	}
	return d
}

// key is the key of the term spelt by b.
func (d *termDict) key(b []byte) termKey {
	return termKey{maphash.Bytes(d.seeds[0], b), maphash.Bytes(d.seeds[1], b)}
}

// keyString is key for a term held as a string.
func (d *termDict) keyString(t string) termKey {
	return termKey{maphash.String(d.seeds[0], t), maphash.String(d.seeds[1], t)}
}

// lookup returns the id of term t, if it has one.
func (d *termDict) lookup(t string) (int32, bool) {
	k := d.keyString(t)
	sh := &d.shards[k[0]%dictShards]
	sh.mu.Lock()
	id, ok := sh.m[k]
	sh.mu.Unlock()
	return id, ok
}

// intern returns the id of the term spelt by b, giving it one if it has
// none.
func (d *termDict) intern(b []byte) int32 { return d.internKey(d.key(b)) }

// internString is intern for a term held as a string.
func (d *termDict) internString(t string) int32 { return d.internKey(d.keyString(t)) }

// internKey is intern for the term whose key is k.
func (d *termDict) internKey(k termKey) int32 {
	sh := &d.shards[k[0]%dictShards]
	sh.mu.Lock()
	id, ok := sh.m[k]
	if !ok {
		id = d.next.Add(1) - 1
		sh.m[k] = id
	}
	sh.mu.Unlock()
	return id
}

// size is the number of ids given out.
func (d *termDict) size() int { return int(d.next.Load()) }

// termInterner gives terms ids: a termDict, or a bulk reopen's keyCollector.
type termInterner interface {
	intern(b []byte) int32
}
