package chromemstore

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// FuzzDecodeRecord checks that decoding never panics on any bytes, and
// that decoding against a term dictionary gives the same terms as decoding
// them as strings.
func FuzzDecodeRecord(f *testing.F) {
	doc := rag.Document{ID: "d1", Title: "T", Text: "Alpha beta gamma. Beta gamma delta."}
	sd := rag.StoredDocument{Document: doc, Hash: rag.ContentHash(doc),
		Chunks:  []rag.Chunk{{ID: "d1#0", DocID: "d1", Start: 0, End: 17}, {ID: "d1#1", DocID: "d1", Index: 1, Start: 18, End: len(doc.Text)}},
		Vectors: [][]float32{{1, 0}, {0, 1}}}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if _, err := writeRecord(w, &sd, termPieces{encodeTerms(&sd, 0, len(sd.Chunks))}); err != nil {
		f.Fatal(err)
	}
	w.Flush()
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:20])
	f.Fuzz(func(t *testing.T, rec []byte) {
		if len(rec) < 12 {
			return
		}
		dict := newTermDict()
		sd1, t1, err1 := decodeRecord(rec)
		sd2, t2, err2 := decodeRecordDict(rec, dict)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v, %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if sd1.Text != sd2.Text || len(t1) != len(t2) {
			t.Fatal("documents differ")
		}
		for i := range t1 {
			a, b := t1[i], t2[i]
			b.resolve(dict)
			if a.length != b.length || a.distinct() != b.distinct() {
				t.Fatalf("chunk %d: terms differ", i)
			}
			for j, tf := range a.terms {
				id, ok := dict.lookup(tf.term)
				if !ok || b.ids[j] != (idFreq{id, tf.tf}) {
					t.Fatalf("chunk %d term %q: id %d %v, got %v", i, tf.term, id, ok, b.ids[j])
				}
			}
		}
	})
}
