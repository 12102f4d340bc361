package load

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ragcite/ragcite/rag"
)

// BenchmarkParsePDF reads a generated 40-page PDF and reports pages/s and
// MB/s (b.SetBytes).
func BenchmarkParsePDF(b *testing.B) {
	var pages []pdfPage
	for i := range 40 {
		pages = append(pages, pdfPage{fmt.Sprintf("Section %d", i+1),
			"Revenue grew in every region, led by the northern division and exports.",
			"The board approved a dividend and a programme of new investment.",
			"Costs fell as the new plant reached full capacity during the year."})
	}
	data := makePDF(b, "bench", pages)
	benchPDF(b, data)
}

// BenchmarkParsePDFDir reads every PDF in $RAGCITE_PDF_BENCH_DIR (real
// documents kept outside the repository); skipped when it is not set.
func BenchmarkParsePDFDir(b *testing.B) {
	dir := os.Getenv("RAGCITE_PDF_BENCH_DIR")
	if dir == "" {
		b.Skip("RAGCITE_PDF_BENCH_DIR not set")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.pdf"))
	if len(files) == 0 {
		b.Skip("no PDFs in " + dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) { benchPDF(b, data) })
	}
}

func benchPDF(b *testing.B, data []byte) {
	if _, err := pdfPool(); err != nil { // start-up is not per-document cost
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	pages := 0
	for b.Loop() {
		d, err := ParsePDF(context.Background(), data)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := strconv.Atoi(d.Metadata[rag.MetaPages])
		pages += n
	}
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
}
