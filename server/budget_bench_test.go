package server

import (
	"bufio"
	"bytes"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkAmplifyingUploads sends DOCX archives that each inflate to 60
// MiB of text, under the default budgets: ten in one request, and fifty
// requests of one in a row from one key. It reports the process's peak
// resident memory (VmHWM, Linux only) and the documents added; run one
// sub-benchmark per process (-bench 'AmplifyingUploads/ten') so the peak
// is its own.
func BenchmarkAmplifyingUploads(b *testing.B) {
	bomb := amplifyingDOCX(b, 60<<20)
	b.Logf("each archive: %d bytes", len(bomb))
	b.Run("ten-in-one-request", func(b *testing.B) {
		s := newTestServer(b, Config{MaxKeyText: -1})
		h := s.Handler()
		before := documentCount(b, h)
		files := make([]upload, 10)
		for i := range files {
			files[i] = upload{"bomb" + strconv.Itoa(i) + ".docx", bomb}
		}
		for b.Loop() {
			if r := uploadAs(b, h, "", files...); r.code != http.StatusRequestEntityTooLarge {
				b.Fatalf("status %d: %s", r.code, r.body)
			}
		}
		reportUploadCost(b, h, before)
	})
	b.Run("fifty-requests-of-one", func(b *testing.B) {
		s := newTestServer(b, Config{})
		h := s.Handler()
		before := documentCount(b, h)
		for b.Loop() {
			for i := range 50 {
				r := uploadAs(b, h, "", upload{"bomb" + strconv.Itoa(i) + ".docx", bomb})
				if r.code != http.StatusRequestEntityTooLarge && r.code != http.StatusTooManyRequests {
					b.Fatalf("request %d: status %d: %s", i, r.code, r.body)
				}
			}
			s.budget = newTextBudget(0, 0, 0, 0) // the next round starts a fresh window
		}
		reportUploadCost(b, h, before)
	})
}

func reportUploadCost(b *testing.B, h http.Handler, before int) {
	b.ReportMetric(float64(peakRSS(b))/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(documentCount(b, h)-before), "docs-added")
}

// peakRSS is the process's peak resident set (VmHWM) in bytes, 0 where
// /proc is absent.
func peakRSS(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Logf("no /proc/self/status: %v", err)
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
