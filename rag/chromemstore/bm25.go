package chromemstore

import (
	"container/heap"
	"math"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// bm25Index is an in-memory inverted index over chunks. It is not safe for
// concurrent use; the store guards it with its lock.
type bm25Index struct {
	dict     *termDict
	postings [][]posting // by term id
	slab     []posting   // room for the first postings of new terms
	slots    []bm25Slot  // by chunk slot
	free     []int32
	// The next slot a bulk load gives out, and its count of postings per
	// term (bulk.go).
	nextSlot   atomic.Int32
	bulkCounts []int32
	live       int
	totalLen   int64
	accPool    sync.Pool
}

type posting struct {
	slot int32
	tf   uint16
}

// bm25Slot is an indexed chunk. Its terms are not kept: remove analyses
// the chunk's text again to find its postings, which saves a slice per
// chunk (4 bytes per distinct term) and an allocation per chunk on open.
type bm25Slot struct {
	chunk    *rag.Chunk
	length   int32
	distinct int32
}

func newBM25Index() *bm25Index {
	return &bm25Index{dict: newTermDict()}
}

// termFreq is a distinct analysed term of a chunk and its count.
type termFreq struct {
	term string
	tf   uint16
}

// idFreq is a distinct term of a chunk, by its id in the store's term
// dictionary, and its count.
type idFreq struct {
	id int32
	tf uint16
}

// analysed is a chunk's lexical form: distinct terms and the term count.
// The terms are held either as strings (terms, from analyse) or, when a
// record was decoded against the index's dictionary, as ids (ids).
type analysed struct {
	terms  []termFreq
	ids    []idFreq
	length int
}

// distinct is the number of distinct terms.
func (a analysed) distinct() int { return len(a.terms) + len(a.ids) }

// resolve turns a's terms into ids of dict (a no-op when they are ids
// already). Safe to call from many goroutines.
func (a *analysed) resolve(dict *termDict) {
	if a.ids != nil || len(a.terms) == 0 {
		return
	}
	a.ids = make([]idFreq, len(a.terms))
	for i, t := range a.terms {
		a.ids[i] = idFreq{dict.internString(t.term), t.tf}
	}
	a.terms = nil
}

// analyse counts the terms of text. It needs no index, so callers run it
// concurrently before taking the index lock.
func analyse(src string) analysed {
	terms := text.Terms(src)
	n := len(terms)
	sort.Strings(terms)
	out := make([]termFreq, 0, len(terms))
	for i := 0; i < len(terms); {
		j := i + 1
		for j < len(terms) && terms[j] == terms[i] {
			j++
		}
		out = append(out, termFreq{terms[i], uint16(min(j-i, math.MaxUint16))})
		i = j
	}
	return analysed{terms: out, length: n}
}

// add indexes chunk c with its analysed terms and returns its slot.
func (x *bm25Index) add(c *rag.Chunk, a analysed) int32 {
	var slot int32
	if n := len(x.free); n > 0 {
		slot = x.free[n-1]
		x.free = x.free[:n-1]
	} else {
		slot = int32(len(x.slots))
		x.slots = append(x.slots, bm25Slot{})
	}
	a.resolve(x.dict)
	if n := x.dict.size(); n > len(x.postings) {
		x.postings = append(x.postings, make([][]posting, n-len(x.postings))...)
	}
	for _, t := range a.ids {
		ps := x.postings[t.id]
		if cap(ps) == 0 {
			ps = x.carve()
		}
		x.postings[t.id] = append(ps, posting{slot, t.tf})
	}
	x.slots[slot] = bm25Slot{chunk: c, length: int32(a.length), distinct: int32(len(a.ids))}
	x.live++
	x.totalLen += int64(a.length)
	return slot
}

// firstCap is the room a term's postings get from the slab. Most terms of
// a collection occur in few chunks: carving their first postings from a
// shared slab saves an allocation or two per term.
const firstCap = 2

// carve returns an empty postings slice with room for firstCap postings.
func (x *bm25Index) carve() []posting {
	if len(x.slab) < firstCap {
		x.slab = make([]posting, 8192)
	}
	ps := x.slab[:0:firstCap]
	x.slab = x.slab[firstCap:]
	return ps
}

// remove unindexes the chunk at slot. Its terms are found by analysing its
// text again: the analyser that indexed it is the one running (a record of
// another analyser is analysed afresh on open).
func (x *bm25Index) remove(slot int32) {
	s := x.slots[slot]
	for _, t := range analyse(s.chunk.Text).terms {
		id, ok := x.dict.lookup(t.term)
		if !ok || int(id) >= len(x.postings) {
			continue
		}
		ps := x.postings[id]
		for i := range ps {
			if ps[i].slot == slot {
				ps[i] = ps[len(ps)-1]
				x.postings[id] = ps[:len(ps)-1]
				break
			}
		}
	}
	x.totalLen -= int64(s.length)
	x.live--
	x.slots[slot] = bm25Slot{}
	x.free = append(x.free, slot)
}

// idf is the BM25 inverse document frequency of a term with document frequency df.
func (x *bm25Index) idf(df int) float64 { return rag.BM25IDF(x.live, df) }

// termIDF returns the idf of an analysed term; unseen terms get the maximum.
func (x *bm25Index) termIDF(t string) float64 {
	if id, ok := x.dict.lookup(t); ok && int(id) < len(x.postings) {
		return x.idf(len(x.postings[id]))
	}
	return x.idf(0)
}

// search returns the k best chunks for the analysed query terms that keep
// passes (nil keeps all).
func (x *bm25Index) search(terms []string, k int, keep func(*rag.Chunk) bool) []rag.Hit {
	if x.live == 0 || k <= 0 {
		return nil
	}
	pooled, _ := x.accPool.Get().(*[]float32)
	if pooled == nil {
		pooled = new([]float32)
	}
	if len(*pooled) < len(x.slots) {
		*pooled = make([]float32, len(x.slots))
	}
	acc := *pooled
	var touched []int32
	avg := float64(x.totalLen) / float64(x.live)
	seen := map[int32]bool{}
	for _, t := range terms {
		id, ok := x.dict.lookup(t)
		if !ok || int(id) >= len(x.postings) || seen[id] {
			continue
		}
		seen[id] = true
		ps := x.postings[id]
		w := x.idf(len(ps))
		for _, p := range ps {
			if acc[p.slot] == 0 {
				touched = append(touched, p.slot)
			}
			acc[p.slot] += float32(rag.BM25(int(p.tf), int(x.slots[p.slot].length), avg, w))
		}
	}
	h := make(hitHeap, 0, k+1)
	for _, slot := range touched {
		score := acc[slot]
		acc[slot] = 0
		c := x.slots[slot].chunk
		if len(h) == k && !worse(h[0].Score, h[0].Chunk.ID, float64(score), c.ID) {
			continue // no better than the worst kept: ties go by chunk id, not by postings order
		}
		if keep != nil && !keep(c) {
			continue
		}
		heap.Push(&h, rag.Hit{Chunk: *c, Score: float64(score)})
		if len(h) > k {
			heap.Pop(&h)
		}
	}
	x.accPool.Put(pooled)
	out := make([]rag.Hit, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(rag.Hit)
	}
	return out
}

// hitHeap is a min-heap of hits by score, ties broken by chunk id so results
// are deterministic.
type hitHeap []rag.Hit

func (h hitHeap) Len() int { return len(h) }
func (h hitHeap) Less(i, j int) bool {
	return worse(h[i].Score, h[i].Chunk.ID, h[j].Score, h[j].Chunk.ID)
}

// worse reports whether a hit (score a, chunk id ida) ranks below one
// (score b, chunk id idb): a lower score, or an equal score and a later id.
func worse(a float64, ida string, b float64, idb string) bool {
	if a != b {
		return a < b
	}
	return ida > idb
}
func (h hitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(v any)   { *h = append(*h, v.(rag.Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
