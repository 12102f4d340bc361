package chromemstore

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ragcite/ragcite/rag"
)

// TestCrashChild is the writer that TestKillDuringIngest kills; it runs
// only when started by it.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("RAGCITE_CRASH_DIR")
	if dir == "" {
		t.Skip("started by TestKillDuringIngest only")
	}
	seed, _ := strconv.ParseUint(os.Getenv("RAGCITE_CRASH_SEED"), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()
	stream := os.Getenv("RAGCITE_CRASH_STREAM") != ""
	s, err := OpenWith(ctx, dir, Options{WriteOnly: stream})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	for op := 0; ; op++ {
		id := fmt.Sprintf("k%d", rng.IntN(30))
		if rng.IntN(5) == 0 {
			fmt.Fprintf(out, "begin delete %s\n", id)
			out.Flush()
			err := s.Delete(ctx, id)
			fmt.Fprintf(out, "ack delete %s %v\n", id, err == nil)
			out.Flush()
			continue
		}
		n := 1 + rng.IntN(3)
		var ids []string
		var hashes []string
		docs := docsFor(rng, n, int(seed)*1000+op)
		for _, d := range docs {
			ids = append(ids, d.ID)
			hashes = append(hashes, d.Hash)
		}
		fmt.Fprintf(out, "begin put %s %s\n", strings.Join(ids, ","), strings.Join(hashes, ","))
		out.Flush()
		if err := crashPut(ctx, s, stream, docs); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Fprintf(out, "ack put\n")
		out.Flush()
	}
}

// crashPut writes docs with Put, or, when stream, as a streamed batch of a
// write-only store (vectors one at a time).
func crashPut(ctx context.Context, s *Store, stream bool, docs []rag.StoredDocument) error {
	if !stream {
		return s.Put(ctx, docs...)
	}
	b, err := s.BeginBatch(ctx)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if err := streamDoc(ctx, b, d, 1); err != nil {
			b.Abort()
			return err
		}
	}
	return b.Commit(ctx)
}

// TestKillDuringIngest kills a writing child process at random moments
// (kill -9), 24 times over one data directory; after each kill every
// acknowledged write must be there, intact, and nothing else may have
// changed but the one write in flight. Every other child writes through a
// write-only store's streamed batches.
func TestKillDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes; skipped with -short")
	}
	dir := t.TempDir()
	state := map[string]string{} // id -> hash; absent: deleted or never written
	rng := rand.New(rand.NewPCG(12, 12))
	const trials = 24
	acked := 0
	for trial := range trials {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "RAGCITE_CRASH_DIR="+dir, fmt.Sprintf("RAGCITE_CRASH_SEED=%d", trial+1))
		if trial%2 == 1 {
			cmd.Env = append(cmd.Env, "RAGCITE_CRASH_STREAM=1")
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it write for a while, then kill it mid-stride.
		kill := time.After(time.Duration(150+rng.IntN(400)) * time.Millisecond)
		var inflight []string // the begin line without its ack
		next := map[string]string{}
		for k, v := range state {
			next[k] = v
		}
	read:
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					break read
				}
				f := strings.Fields(l)
				switch {
				case f[0] == "error":
					t.Fatalf("child: %s", l)
				case f[0] == "begin":
					inflight = f
				case f[0] == "ack":
					apply(next, inflight)
					inflight = nil
					acked++
				}
			case <-kill:
				cmd.Process.Signal(syscall.SIGKILL)
				kill = nil
			}
		}
		cmd.Wait()
		s, err := Open(context.Background(), dir)
		if err != nil {
			t.Fatalf("trial %d: reopen after kill -9: %v", trial, err)
		}
		got := snapshot(t, s)
		if err := s.Health(context.Background()); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		s.Close()
		// Acknowledged state, or that plus the write in flight.
		maybe := map[string]string{}
		for k, v := range next {
			maybe[k] = v
		}
		apply(maybe, inflight)
		if !equalMaps(got, next) && !equalMaps(got, maybe) {
			t.Fatalf("trial %d: store after kill -9 is neither the acknowledged state nor it plus the write in flight\n got  %v\n want %v", trial, got, next)
		}
		state = got
	}
	if acked < trials {
		t.Fatalf("only %d writes acknowledged in %d trials: the child barely ran", acked, trials)
	}
	t.Logf("%d trials, %d acknowledged writes, none lost", trials, acked)
}

// apply applies a begin line's write to state.
func apply(state map[string]string, begin []string) {
	if len(begin) < 3 {
		return
	}
	switch begin[1] {
	case "delete":
		delete(state, begin[2])
	case "put":
		ids, hashes := strings.Split(begin[2], ","), strings.Split(begin[3], ",")
		for i, id := range ids {
			state[id] = hashes[i]
		}
	}
}

// docsFor makes n distinct documents with random ids, sizes up to ~60 KB.
func docsFor(rng *rand.Rand, n, version int) []rag.StoredDocument {
	seen := map[string]bool{}
	var out []rag.StoredDocument
	for len(out) < n {
		id := fmt.Sprintf("k%d", rng.IntN(30))
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, testDoc(id, version, 1+rng.IntN(4), rng.IntN(2000)))
	}
	return out
}
