package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
)

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// Config is everything the commands share, from flags with RAGCITE_*
// environment fallbacks.
type Config struct {
	Data         string
	Embedder     string
	ChunkTokens  int
	ChunkOverlap int
	LogLevel     string
}

// run executes the command line args; main only maps the error to an exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetContext(ctx)
	cmd, err := root.ExecuteC()
	if err != nil && cmd != nil && isFlagError(err) {
		return &usageError{err}
	}
	return err
}

type app struct {
	cfg    Config
	stdout io.Writer
	stderr io.Writer
	// httpClient carries LLM and embedding requests; nil means the default.
	// The eval harness sets a record/replay transport.
	httpClient *http.Client
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "ragcite",
		Short:         "Cited answers and summaries over your articles",
		Long:          "ragcite ingests articles and answers questions and writes summaries in which every sentence cites the exact passage it came from. It works offline; with an OpenAI-compatible endpoint it writes answers with an LLM and still verifies every citation.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.cfg.Data, "data", envString("RAGCITE_DATA", "ragcite-data"), "data directory of the store (RAGCITE_DATA)")
	pf.StringVar(&a.cfg.Embedder, "embedder", envString("RAGCITE_EMBEDDER", "local"), "embedder: local or openai (RAGCITE_EMBEDDER)")
	pf.IntVar(&a.cfg.ChunkTokens, "chunk-tokens", envInt("RAGCITE_CHUNK_TOKENS", rag.DefaultChunkTokens), "chunk size in tokens (RAGCITE_CHUNK_TOKENS)")
	pf.IntVar(&a.cfg.ChunkOverlap, "chunk-overlap", envInt("RAGCITE_CHUNK_OVERLAP", rag.DefaultChunkOverlap), "chunk overlap in tokens (RAGCITE_CHUNK_OVERLAP)")
	pf.StringVar(&a.cfg.LogLevel, "log-level", envString("RAGCITE_LOG_LEVEL", "info"), "log level: debug, info, warn, error (RAGCITE_LOG_LEVEL)")
	root.AddCommand(a.ingestCommand(), a.askCommand(), a.searchCommand(), a.summarizeCommand(), a.docsCommand(), a.evalCommand())
	root.AddCommand(a.serveCommand())
	return root
}

func isFlagError(err error) bool {
	// cobra reports unknown flags, bad values and wrong argument counts as plain errors.
	_, ok := err.(*usageError)
	return ok || isCobraUsage(err.Error())
}

func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "invalid argument", "flag needs an argument", "accepts ", "requires at least", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) logger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(a.cfg.LogLevel)); err != nil {
		lvl = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: lvl}))
}

// embedder builds the configured embedder.
func (a *app) embedder() (embed.Embedder, error) {
	switch a.cfg.Embedder {
	case "local", "":
		return embed.DefaultLocal(), nil
	}
	return nil, &usageError{fmt.Errorf("--embedder %q: want local or openai", a.cfg.Embedder)}
}

// openEngine opens the store in cfg.Data and an engine over it.
func (a *app) openEngine(ctx context.Context) (*rag.Engine, error) {
	chunker, err := rag.NewChunker(rag.WithMaxTokens(a.cfg.ChunkTokens), rag.WithOverlap(a.cfg.ChunkOverlap))
	if err != nil {
		return nil, &usageError{err}
	}
	emb, err := a.embedder()
	if err != nil {
		return nil, err
	}
	store, err := rag.OpenChromemStore(ctx, a.cfg.Data)
	if err != nil {
		return nil, err
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: emb, Chunker: chunker, Logger: a.logger()})
	if err != nil {
		store.Close()
		return nil, err
	}
	return eng, nil
}

func envString(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	return def
}
