package wordvec

import "testing"

// BenchmarkLookup looks words up by the paths Lookup takes: a table word
// as the analysis yields it, one that needs the analysis, one found by its
// stem, and a name the table lacks.
func BenchmarkLookup(b *testing.B) {
	load()
	for _, w := range []string{"investment", "Investment’s", "ubiquitously", "openai", "state-of-the-art"} {
		b.Run(w, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Lookup(w)
			}
		})
	}
}

func BenchmarkCosine(b *testing.B) {
	x, _ := Lookup("reduce")
	y, _ := Lookup("lessen")
	var sink float32
	for b.Loop() {
		sink += Cosine(x, y)
	}
	_ = sink
}

func BenchmarkAddTo(b *testing.B) {
	x, _ := Lookup("reduce")
	dst := make([]float32, Dim)
	for b.Loop() {
		x.AddTo(dst, 0.5)
	}
}

// BenchmarkParse is the cost of the first use: parsing the embedded table.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(vectorsBin); err != nil {
			b.Fatal(err)
		}
	}
}
