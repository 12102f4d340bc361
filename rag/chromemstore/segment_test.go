package chromemstore

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

func TestSegmentRoundTrip(t *testing.T) {
	dir := t.TempDir()
	doc := rag.Document{ID: "a/b", Title: "T", Text: "Alpha beta. Gamma “delta” 3.5%.\nÉpsilon.", Source: "s", Metadata: map[string]string{"k": "v"}}
	sd := &rag.StoredDocument{Document: doc, Hash: "h",
		Chunks:  []rag.Chunk{{ID: "a/b#0", DocID: "a/b", Start: 0, End: 11}, {ID: "a/b#1", DocID: "a/b", Index: 1, Start: 12, End: len(doc.Text)}},
		Vectors: [][]float32{{1, 0}, {0.6, 0.8}}}
	for i := range sd.Chunks {
		sd.Chunks[i].Text = doc.Text[sd.Chunks[i].Start:sd.Chunks[i].End]
	}
	path := filepath.Join(dir, "x.seg")
	terms := chunkTerms(sd)
	if err := writeSegment(path, sd, terms); err != nil {
		t.Fatal(err)
	}
	got, gotTerms, err := readSegment(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sd) {
		t.Errorf("read %+v, want %+v", got, sd)
	}
	if !reflect.DeepEqual(gotTerms, terms) {
		t.Errorf("terms %+v, want %+v", gotTerms, terms)
	}

	// Every truncation is an error naming the file, never a panic.
	data, _ := os.ReadFile(path)
	for n := 0; n < len(data); n += 7 {
		if err := os.WriteFile(path, data[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readSegment(path); err == nil || !strings.Contains(err.Error(), path) || !errors.Is(err, ErrCorruptSegment) {
			t.Fatalf("truncated to %d bytes: err = %v", n, err)
		}
	}
}

// TestSegmentReanalysesOnAnalyserChange: terms written by another analyser
// (another fingerprint) are not trusted; the chunks are analysed again.
func TestSegmentReanalysesOnAnalyserChange(t *testing.T) {
	doc := rag.Document{ID: "d", Title: "T", Text: "Studies of investing. Boxes were running."}
	sd := &rag.StoredDocument{Document: doc, Hash: "h",
		Chunks:  []rag.Chunk{{ID: "d#0", DocID: "d", Start: 0, End: len(doc.Text), Text: doc.Text}},
		Vectors: [][]float32{{1, 0}}}
	stale := []analysed{{length: 1, terms: []termFreq{{"stale", 1}}}}
	path := filepath.Join(t.TempDir(), "d.seg")
	if err := writeSegment(path, sd, stale); err != nil {
		t.Fatal(err)
	}
	_, terms, err := readSegment(path)
	if err != nil || !reflect.DeepEqual(terms, stale) {
		t.Fatalf("same analyser: terms %+v, %v; want the stored ones", terms, err)
	}
	data, _ := os.ReadFile(path)
	fp := []byte(`"analyser":"` + text.Fingerprint() + `"`)
	old := []byte(`"analyser":"` + strings.Repeat("0", len(text.Fingerprint())) + `"`)
	if !bytes.Contains(data, fp) {
		t.Fatalf("segment header lacks %s", fp)
	}
	if err := os.WriteFile(path, bytes.Replace(data, fp, old, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, terms, err = readSegment(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := chunkTerms(sd); !reflect.DeepEqual(terms, want) {
		t.Errorf("other analyser: terms %+v, want fresh %+v", terms, want)
	}
}
