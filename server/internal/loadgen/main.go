// Command loadgen measures the HTTP API's answer path against the same path
// called in-process, on a seeded synthetic corpus, at a fixed concurrency for
// a bounded time. It only ever talks to servers it starts on 127.0.0.1.
//
//	go run ./server/internal/loadgen -chunks 10000 -concurrency 8 -duration 10s
//
// It reports requests/s and p50/p99 latency for three targets: eng.Ask
// in-process, POST /v1/ask (extractive) over HTTP through the full
// middleware stack, and a bare gin JSON handler (the HTTP ceiling), and exits
// 1 when /v1/ask reaches less than -min-ratio of the in-process rate.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/internal/synth"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/server"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type config struct {
	chunks      int
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	rounds      int
	seed        uint64
	minRatio    float64
	cpuProfile  string
}

// run parses the flags, builds the corpus, starts a server on 127.0.0.1 and
// measures both paths. It reads top to bottom as the measurement protocol,
// which is why it is kept in one function.
func run(args []string, out io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.IntVar(&cfg.chunks, "chunks", 10000, "chunks in the synthetic corpus")
	fs.IntVar(&cfg.concurrency, "concurrency", 8, "concurrent clients")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "measured time per target (at most 60s)")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured time before each target")
	fs.IntVar(&cfg.rounds, "rounds", 5, "split each target's time into this many rounds, interleaving the targets to even out drift")
	fs.Uint64Var(&cfg.seed, "seed", 1, "corpus and question seed")
	fs.Float64Var(&cfg.minRatio, "min-ratio", 0.8, "fail when /v1/ask reaches less than this fraction of the in-process rate")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured phases to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.duration <= 0 || cfg.duration > time.Minute || cfg.concurrency < 1 || cfg.chunks < 1 || cfg.rounds < 1 {
		return errors.New("want 0 < -duration <= 60s, -concurrency >= 1, -chunks >= 1, -rounds >= 1")
	}
	ctx := context.Background()

	store, err := chromemstore.Open(ctx, "")
	if err != nil {
		return err
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: embed.DefaultLocal()})
	if err != nil {
		return err
	}
	defer eng.Close()
	start := time.Now()
	gen := newCorpus(cfg.seed)
	docs, chunks, err := gen.ingest(ctx, eng, cfg.chunks)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "corpus: %d documents, %d chunks (seed %d), ingested in %s\n", docs, chunks, cfg.seed, time.Since(start).Round(time.Millisecond))
	questions := gen.questions(256)

	srv, err := server.New(server.Config{Engine: eng, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	srv.SetReady(true)
	apiURL, stopAPI, err := serve(srv.Handler())
	if err != nil {
		return err
	}
	defer stopAPI()
	bareURL, stopBare, err := serve(bareGin())
	if err != nil {
		return err
	}
	defer stopBare()

	client := &http.Client{Transport: &http.Transport{MaxIdleConns: cfg.concurrency * 2, MaxIdleConnsPerHost: cfg.concurrency * 2}}
	bodies := make([][]byte, len(questions))
	for i, q := range questions {
		bodies[i], _ = json.Marshal(map[string]any{"question": q, "mode": "extractive"})
	}
	post := func(url string, body []byte) error {
		res, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	targets := []struct {
		name string
		call func(i int) error
	}{
		{"eng.Ask in-process", func(i int) error {
			_, err := eng.Ask(ctx, rag.AskRequest{Question: questions[i%len(questions)], Mode: rag.ModeExtractive})
			return err
		}},
		{"POST /v1/ask over HTTP", func(i int) error { return post(apiURL+"/v1/ask", bodies[i%len(bodies)]) }},
		{"bare gin JSON handler", func(i int) error { return post(bareURL+"/echo", bodies[i%len(bodies)]) }},
	}
	fmt.Fprintf(out, "concurrency %d, %s per target in %d interleaved rounds after %s warm-up, GOMAXPROCS %d\n\n",
		cfg.concurrency, cfg.duration, cfg.rounds, cfg.warmup, runtime.GOMAXPROCS(0))
	fmt.Fprintf(out, "%-24s %10s %10s %10s %8s\n", "target", "req/s", "p50", "p99", "errors")
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, tg := range targets {
		measure(tg.call, cfg.concurrency, cfg.warmup)
	}
	samples := make([]samples, len(targets))
	for range cfg.rounds {
		for i, tg := range targets {
			samples[i].add(measure(tg.call, cfg.concurrency, cfg.duration/time.Duration(cfg.rounds)))
		}
	}
	results := make([]result, len(targets))
	for i, tg := range targets {
		results[i] = samples[i].result()
		r := results[i]
		fmt.Fprintf(out, "%-24s %10.1f %10s %10s %8d\n", tg.name, r.rps, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.errors)
		if r.firstErr != nil {
			fmt.Fprintf(out, "  first error: %v\n", r.firstErr)
		}
	}
	ratio := results[1].rps / results[0].rps
	fmt.Fprintf(out, "\n/v1/ask reaches %.1f%% of the in-process rate (target >= %.0f%%)\n", 100*ratio, 100*cfg.minRatio)
	if results[1].errors > 0 || results[0].errors > 0 {
		return errors.New("requests failed")
	}
	if ratio < cfg.minRatio {
		return fmt.Errorf("/v1/ask at %.1f%% of the in-process rate is under the %.0f%% target", 100*ratio, 100*cfg.minRatio)
	}
	return nil
}

// result is one target's measurement.
type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	firstErr error
}

// samples are the latencies and errors of one target over its rounds.
type samples struct {
	lat      []time.Duration
	elapsed  time.Duration
	errors   int
	firstErr error
}

func (s *samples) add(o samples) {
	s.lat = append(s.lat, o.lat...)
	s.elapsed += o.elapsed
	s.errors += o.errors
	if s.firstErr == nil {
		s.firstErr = o.firstErr
	}
}

func (s *samples) result() result {
	r := result{errors: s.errors, firstErr: s.firstErr}
	sort.Slice(s.lat, func(i, j int) bool { return s.lat[i] < s.lat[j] })
	r.rps = float64(len(s.lat)) / s.elapsed.Seconds()
	if len(s.lat) > 0 {
		r.p50 = s.lat[len(s.lat)*50/100]
		r.p99 = s.lat[min(len(s.lat)*99/100, len(s.lat)-1)]
	}
	return r
}

// measure calls call from n goroutines until d has passed.
func measure(call func(i int) error, n int, d time.Duration) samples {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var res samples
	start := time.Now()
	deadline := start.Add(d)
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var errs int
			var first error
			for i := w; time.Now().Before(deadline); i += n {
				t0 := time.Now()
				err := call(i)
				lat = append(lat, time.Since(t0))
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// serve serves h on a fresh 127.0.0.1 port.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}
	return "http://" + ln.Addr().String(), stop, nil
}

// bareGin is the HTTP ceiling: gin decoding a small JSON body and replying.
func bareGin() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.POST("/echo", func(c *gin.Context) {
		var req struct {
			Question string `json:"question"`
			Mode     string `json:"mode"`
		}
		if err := c.ShouldBindJSON(&req); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
			return
		}
		c.JSON(http.StatusOK, gin.H{"answer": req.Question, "citations": []any{}})
	})
	return r
}

// corpus builds documents from the project's seeded synthetic generator.
type corpus struct {
	g *synth.Generator
}

func newCorpus(seed uint64) *corpus { return &corpus{g: synth.New(seed, 20_000)} }

// document is a titled article of eight paragraphs.
func (c *corpus) document(i int) rag.Document {
	var b strings.Builder
	title := strings.TrimSuffix(c.g.Sentence(), ".")
	b.WriteString(title + "\n\n")
	for p := range 8 {
		if p > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(c.g.Passage(120))
	}
	return rag.Document{ID: fmt.Sprintf("synthetic/%05d", i), Title: title, Text: b.String(), Source: "loadgen"}
}

// ingest adds documents in batches until the store holds at least n chunks.
func (c *corpus) ingest(ctx context.Context, eng *rag.Engine, n int) (docs, chunks int, err error) {
	for chunks < n {
		batch := make([]rag.Document, 50)
		for i := range batch {
			batch[i] = c.document(docs + i)
		}
		res, err := eng.Ingest(ctx, batch, nil)
		if err != nil {
			return docs, chunks, err
		}
		for _, r := range res {
			chunks += r.Chunks
		}
		docs += len(batch)
	}
	return docs, chunks, nil
}

// questions are queries of four to seven mid-frequency words.
func (c *corpus) questions(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = c.g.Query(4+i%4) + "?"
	}
	return out
}
