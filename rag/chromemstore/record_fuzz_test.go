package chromemstore

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// FuzzDecodeRecord checks that decoding never panics on any bytes, and
// that decoding against a term dictionary, or into the keys a bulk reopen
// collects, gives the same terms as decoding them as strings.
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
		keys := &keyCollector{dict: dict}
		_, t3, err3 := decodeRecordDict(rec, keys)
		if (err1 == nil) != (err3 == nil) {
			t.Fatalf("errors differ: %v, collecting keys %v", err1, err3)
		}
		// What a write-only store reads: never a panic, and what decodes
		// whole decodes the same in part.
		info, errInfo := decodeInfo(rec)
		sdText, errText := decodeText(rec)
		if err1 != nil {
			return
		}
		if errInfo != nil || errText != nil {
			t.Fatalf("a record that decodes whole fails in part: %v, %v", errInfo, errText)
		}
		if want := infoOf(sd1); info.ID != want.ID || info.Title != want.Title || info.Source != want.Source ||
			info.Hash != want.Hash || info.Chunks != want.Chunks || info.Bytes != want.Bytes || !maps.Equal(info.Metadata, want.Metadata) {
			t.Fatalf("decodeInfo %+v, want %+v", info, want)
		}
		if sdText.Text != sd1.Text || !slices.Equal(sdText.Chunks, sd1.Chunks) {
			t.Fatal("decodeText differs from decodeRecord")
		}
		if sd1.Text != sd2.Text || len(t1) != len(t2) {
			t.Fatal("documents differ")
		}
		for i := range t1 {
			a, b, c := t1[i], t2[i], t3[i]
			b.resolve(dict)
			if a.length != b.length || a.distinct() != b.distinct() || a.length != c.length || a.distinct() != c.distinct() {
				t.Fatalf("chunk %d: terms differ", i)
			}
			for j, tf := range a.terms {
				id, ok := dict.lookup(tf.term)
				if !ok || b.ids[j] != (idFreq{id, tf.tf}) {
					t.Fatalf("chunk %d term %q: id %d %v, got %v", i, tf.term, id, ok, b.ids[j])
				}
				if c.ids == nil { // analysed afresh: terms as strings
					if c.terms[j] != tf {
						t.Fatalf("chunk %d term %q: collecting keys gave %v", i, tf.term, c.terms[j])
					}
					continue
				}
				if k := keys.keys[c.ids[j].id]; k != dict.keyString(tf.term) || c.ids[j].tf != tf.tf {
					t.Fatalf("chunk %d term %q: collected key %v tf %d, want %v tf %d", i, tf.term, k, c.ids[j].tf, dict.keyString(tf.term), tf.tf)
				}
			}
		}
	})
}

// TestDecodeFloats: the one-copy decoding of vectors gives the same bits as
// decoding each float, special values included.
func TestDecodeFloats(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []float32
	}{
		{"empty", nil},
		{"one", []float32{1}},
		{"special", []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32}},
		{"mixed", []float32{0.25, -3.5, 1e-20, 7e12, -0.001}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			for _, f := range tc.in {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
			}
			got := decodeFloats(b, len(tc.in))
			if len(got) != len(tc.in) {
				t.Fatalf("%d floats, want %d", len(got), len(tc.in))
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(tc.in[i]) {
					t.Errorf("float %d: bits %08x, want %08x", i, math.Float32bits(got[i]), math.Float32bits(tc.in[i]))
				}
			}
		})
	}
}
