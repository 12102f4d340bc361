package chromemstore

import (
	"fmt"
	"os"
	"path/filepath"
)

// mkBenchDir makes a fresh directory for a benchmark corpus. Benchmarks keep
// their corpora for the life of the process; the OS temp dir is cleaned by
// the next run.
func mkBenchDir(n int) (string, error) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ragcite-bench-%d-%d", n, os.Getpid()))
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
}
