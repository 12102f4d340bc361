package rag

import "math"

// BM25 parameters (Robertson/Sparck Jones defaults).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// BM25IDF is the inverse document frequency BM25 gives a term found in df
// of n chunks; every store reports IDF with it.
func BM25IDF(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// BM25 scores one term of a query in a chunk: term frequency tf, chunk
// length dl terms, average length avgdl, and the term's idf.
func BM25(tf, dl int, avgdl, idf float64) float64 {
	t := float64(tf)
	return idf * t * (bm25K1 + 1) / (t + bm25K1*(1-bm25B+bm25B*float64(dl)/avgdl))
}
