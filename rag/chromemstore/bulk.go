package chromemstore

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ragcite/ragcite/rag"
)

// Reopen builds the BM25 index in bulk rather than one chunk at a time.
// Interning each of a chunk's terms in the shared dictionary as it is
// decoded costs a cache miss or two per term (a million-term dictionary
// does not fit in cache) and a lock; at 100k chunks that was half the CPU
// of an open. Instead the decoding workers only hash terms into keys and
// sort them by dictionary shard; then each shard's keys are interned by one
// worker, which takes the shard's lock once rather than per term and keeps
// that shard's map (a 64th of the dictionary) in cache, and its postings
// are filled with their final sizes.
// Records are taken in rounds of about roundBytes so the keyed postings
// held at once stay bounded (24 bytes per chunk term).

// roundBytes is the size of the records a reopen round decodes.
var roundBytes = 64 << 20 // a variable so that tests can cut several rounds

// keyedPosting is a chunk's term while a reopen gathers postings: the
// term's key until the shard's pass gives it an id.
type keyedPosting struct {
	key  termKey
	slot int32
	tf   uint16
}

// keyCollector is the termInterner of a bulk reopen: it hashes each term
// of a record into a key and hands out the key's position as its id.
type keyCollector struct {
	dict *termDict
	keys []termKey
}

func (c *keyCollector) intern(b []byte) int32 {
	c.keys = append(c.keys, c.dict.key(b))
	return int32(len(c.keys) - 1)
}

// bulkWorker is one decoding worker's output for a round.
type bulkWorker struct {
	keys    keyCollector
	parts   [dictShards][]keyedPosting // by dictionary shard
	entries []*storedEntry
	chunks  []slotInfo // every chunk of the entries
}

// slotInfo is what the BM25 index keeps of a chunk, and where.
type slotInfo struct {
	slot int32
	bm25Slot
}

// bulkLoad decodes documents 0..n-1 (get, called with the calling worker's
// term interner, returns nil to skip one) and indexes them: chromem-go
// from the decoding workers, BM25 in bulk per round. size(i) is the size
// of document i's record, by which rounds are cut. The ids must be
// distinct and not in memory; callers own s.
func (s *Store) bulkLoad(n int, size func(i int) int, get func(i int, dict termInterner) (*rag.StoredDocument, []analysed)) {
	workers := make([]*bulkWorker, min(runtime.GOMAXPROCS(0), max(n, 1)))
	for w := range workers {
		workers[w] = &bulkWorker{keys: keyCollector{dict: s.lex.dict}}
	}
	s.lex.nextSlot.Store(int32(len(s.lex.slots)))
	for lo := 0; lo < n; {
		hi, bytes := lo, 0
		for hi < n && (hi == lo || bytes+size(hi) <= roundBytes) {
			bytes += size(hi)
			hi++
		}
		s.bulkDecode(workers, lo, hi, get)
		s.lex.bulkAdd(workers)
		for _, bw := range workers {
			for _, e := range bw.entries {
				s.docs[e.info.ID] = e
				s.ids.add(e.info.ID)
			}
			bw.entries, bw.chunks = bw.entries[:0], bw.chunks[:0]
			for p := range bw.parts {
				bw.parts[p] = bw.parts[p][:0]
			}
		}
		lo = hi
	}
	s.lex.bulkCounts = nil // a term count per term: not needed once loaded
}

// bulkDecode decodes documents lo..hi-1 on the workers: each document gets
// its chunk slots, its vectors go to chromem-go, and its terms' keyed
// postings to the worker's shard lists.
func (s *Store) bulkDecode(workers []*bulkWorker, lo, hi int, get func(i int, dict termInterner) (*rag.StoredDocument, []analysed)) {
	var next atomic.Int64
	next.Store(int64(lo))
	var wg sync.WaitGroup
	for _, bw := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= hi {
					return
				}
				bw.keys.keys = bw.keys.keys[:0]
				sd, terms := get(i, &bw.keys)
				if sd == nil {
					continue
				}
				e := newEntry(sd)
				base := s.lex.reserve(len(e.chunks))
				e.slots = make([]int32, len(e.chunks))
				for c, ch := range e.chunks {
					slot := base + int32(c)
					e.slots[c] = slot
					bw.addTerms(slot, terms[c])
					bw.chunks = append(bw.chunks, slotInfo{slot, bm25Slot{chunk: ch, length: int32(terms[c].length), distinct: int32(terms[c].distinct())}})
				}
				s.addVectors(e, sd.Vectors)
				bw.entries = append(bw.entries, e)
			}
		}()
	}
	wg.Wait()
}

// addTerms files the keyed postings of the chunk at slot.
func (bw *bulkWorker) addTerms(slot int32, a analysed) {
	for _, t := range a.ids {
		k := bw.keys.keys[t.id]
		p := k[0] % dictShards
		bw.parts[p] = append(bw.parts[p], keyedPosting{key: k, slot: slot, tf: t.tf})
	}
	for _, t := range a.terms { // a record of another analyser, analysed afresh
		k := bw.keys.dict.keyString(t.term)
		p := k[0] % dictShards
		bw.parts[p] = append(bw.parts[p], keyedPosting{key: k, slot: slot, tf: t.tf})
	}
}

// reserve returns the first of n consecutive new chunk slots. Safe for
// concurrent use by the decoding workers of a bulk load (the slots
// themselves are filled by bulkAdd).
func (x *bm25Index) reserve(n int) int32 {
	return x.nextSlot.Add(int32(n)) - int32(n)
}

// bulkAdd indexes what the workers decoded in a round: the chunks' slots,
// then every dictionary shard's postings on its own goroutine.
func (x *bm25Index) bulkAdd(workers []*bulkWorker) {
	total := int(x.nextSlot.Load())
	if total > len(x.slots) {
		x.slots = append(x.slots, make([]bm25Slot, total-len(x.slots))...)
	}
	for _, bw := range workers {
		for _, c := range bw.chunks {
			x.slots[c.slot] = c.bm25Slot
			x.live++
			x.totalLen += int64(c.length)
		}
	}
	shardParallel(func(p int) { x.internShard(p, workers) })
	if n := x.dict.size(); n > len(x.postings) {
		x.postings = append(x.postings, make([][]posting, n-len(x.postings))...)
	}
	if len(x.postings) > len(x.bulkCounts) { // reused: every count is back at 0 after a round
		x.bulkCounts = make([]int32, len(x.postings)+len(x.postings)/4)
	}
	shardParallel(func(p int) { x.fillShard(p, workers) })
}

// internShard gives the keys of dictionary shard p their term ids, written
// over the keys (no longer needed).
func (x *bm25Index) internShard(p int, workers []*bulkWorker) {
	sh := &x.dict.shards[p]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, bw := range workers {
		ps := bw.parts[p]
		for i := range ps {
			id, ok := sh.m[ps[i].key]
			if !ok {
				id = x.dict.next.Add(1) - 1
				sh.m[ps[i].key] = id
			}
			ps[i].key[0] = uint64(id)
		}
	}
}

// fillShard appends the postings of shard p's terms: a new term's are cut
// to size from one slab, a known term's grown once per round (as append
// grows them). Shards hold disjoint terms, so shards fill concurrently.
func (x *bm25Index) fillShard(p int, workers []*bulkWorker) {
	counts := x.bulkCounts
	fresh := 0 // postings of terms that have none yet
	for _, bw := range workers {
		for _, kp := range bw.parts[p] {
			id := kp.key[0]
			if counts[id] == 0 && cap(x.postings[id]) == 0 {
				counts[id] = -1 // marks a term new in this round
			}
			if counts[id] < 0 {
				counts[id]--
				fresh++
			} else {
				counts[id]++
			}
		}
	}
	slab := make([]posting, 0, fresh)
	for _, bw := range workers {
		for _, kp := range bw.parts[p] {
			id := kp.key[0]
			ps := x.postings[id]
			switch c := counts[id]; {
			case c < 0: // new: an exact piece of the slab
				k := int(-c - 1)
				ps = slab[len(slab) : len(slab) : len(slab)+k]
				slab = slab[:len(slab)+k]
				counts[id] = 0
			case c > 0:
				ps = slices.Grow(ps, int(c))
				counts[id] = 0
			}
			x.postings[id] = append(ps, posting{kp.slot, kp.tf})
		}
	}
}

// shardParallel runs fn(p) for every dictionary shard p on as many
// goroutines as cores.
func shardParallel(fn func(p int)) {
	var next atomic.Int32
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := int(next.Add(1) - 1); p < dictShards; p = int(next.Add(1) - 1) {
				fn(p)
			}
		}()
	}
	wg.Wait()
}
