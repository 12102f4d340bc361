package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
	"github.com/ragcite/ragcite/rag/openai"
	"github.com/ragcite/ragcite/rag/pgstore"
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
	// LLM: OPENAI_API_KEY and/or OPENAI_BASE_URL configure it.
	OpenAIKey     string
	OpenAIBaseURL string
	LLMModel      string
	EmbedModel    string
	LLMTimeout    time.Duration
	ContextTokens int
	EmbedCache    string
	// Store: "" is the embedded chromem-go store under Data; a postgres://
	// URL selects PostgreSQL with pgvector.
	Store      string
	PGMaxConns int
	PGExecMode string
	// Verification: the verifier of generated sentences (lexical, llm or
	// overlap), the model and endpoint of the llm verifier ("" means the
	// answering ones), and the default policy.
	Verifier      string
	VerifyModel   string
	VerifyBaseURL string
	Policy        string
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
		return &usageError{oneLine(err)}
	}
	return err
}

// oneLine folds cobra's multi-line "Did you mean this?" suggestions into
// the error's one line.
func oneLine(err error) error {
	msg := err.Error()
	head, tail, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return err
	}
	return fmt.Errorf("%s (did you mean %s?)", head, strings.Join(strings.Fields(tail), " or "))
}

type app struct {
	cfg    Config
	stdout io.Writer
	stderr io.Writer
	// httpClient carries LLM and embedding requests; nil means the default.
	// The eval harness sets a record/replay transport.
	httpClient *http.Client
	// writeOnly opens the embedded store without its in-memory index
	// (withWriter): for commands that only list, add or delete documents.
	writeOnly bool
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr}
	a.cfg.OpenAIKey = os.Getenv("OPENAI_API_KEY") // a secret: environment only, never a flag
	root := &cobra.Command{
		Use:           "ragcite",
		Short:         "Cited answers and summaries over your articles",
		Long:          "ragcite ingests articles and answers questions and writes summaries in which every sentence cites the exact passage it came from. It works offline; with an OpenAI-compatible endpoint it writes answers with an LLM and still verifies every citation.",
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("ragcite {{.Version}}\n")
	pf := root.PersistentFlags()
	pf.StringVar(&a.cfg.Data, "data", envString("RAGCITE_DATA", "ragcite-data"), "data directory of the store (RAGCITE_DATA)")
	pf.StringVar(&a.cfg.Embedder, "embedder", envString("RAGCITE_EMBEDDER", "local"), "embedder: local or openai (RAGCITE_EMBEDDER)")
	pf.IntVar(&a.cfg.ChunkTokens, "chunk-tokens", envInt("RAGCITE_CHUNK_TOKENS", rag.DefaultChunkTokens), "chunk size in tokens (RAGCITE_CHUNK_TOKENS)")
	pf.IntVar(&a.cfg.ChunkOverlap, "chunk-overlap", envInt("RAGCITE_CHUNK_OVERLAP", rag.DefaultChunkOverlap), "chunk overlap in tokens (RAGCITE_CHUNK_OVERLAP)")
	pf.StringVar(&a.cfg.OpenAIBaseURL, "openai-base-url", os.Getenv("OPENAI_BASE_URL"), "OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (OPENAI_BASE_URL; the key comes from OPENAI_API_KEY)")
	pf.StringVar(&a.cfg.LLMModel, "llm-model", envString("RAGCITE_LLM_MODEL", openai.DefaultChatModel), "chat model (RAGCITE_LLM_MODEL)")
	pf.StringVar(&a.cfg.EmbedModel, "embed-model", envString("RAGCITE_EMBED_MODEL", openai.DefaultEmbedModel), "embedding model for --embedder openai (RAGCITE_EMBED_MODEL)")
	pf.DurationVar(&a.cfg.LLMTimeout, "llm-timeout", envDuration("RAGCITE_LLM_TIMEOUT", 60*time.Second), "timeout of one LLM call, retries included (RAGCITE_LLM_TIMEOUT)")
	pf.IntVar(&a.cfg.ContextTokens, "context-tokens", envInt("RAGCITE_CONTEXT_TOKENS", 8192), "the model's context window in tokens; passages are fitted to it (RAGCITE_CONTEXT_TOKENS)")
	pf.StringVar(&a.cfg.EmbedCache, "embed-cache", envString("RAGCITE_EMBED_CACHE", ""), "cache directory for API embeddings (RAGCITE_EMBED_CACHE; default DATA/embed-cache)")
	pf.StringVar(&a.cfg.Store, "store", envString("RAGCITE_STORE", ""), "postgres://... to use PostgreSQL with pgvector instead of the embedded store under --data (RAGCITE_STORE)")
	pf.IntVar(&a.cfg.PGMaxConns, "pg-max-conns", envInt("RAGCITE_PG_MAX_CONNS", 0), "PostgreSQL pool size; 0 keeps the URL's pool_max_conns or pgx's default (RAGCITE_PG_MAX_CONNS)")
	pf.StringVar(&a.cfg.PGExecMode, "pg-exec-mode", envString("RAGCITE_PG_EXEC_MODE", ""), "pgx query exec mode: cache_statement, cache_describe, describe_exec, exec, simple_protocol (RAGCITE_PG_EXEC_MODE)")
	pf.StringVar(&a.cfg.LogLevel, "log-level", envString("RAGCITE_LOG_LEVEL", "info"), "log level: debug, info, warn, error (RAGCITE_LOG_LEVEL)")
	pf.StringVar(&a.cfg.Verifier, "verifier", envString("RAGCITE_VERIFIER", "lexical"), "verifier of generated sentences: lexical, llm or overlap (RAGCITE_VERIFIER)")
	pf.StringVar(&a.cfg.VerifyModel, "verify-model", envString("RAGCITE_VERIFY_MODEL", ""), "chat model of --verifier llm, e.g. bespoke-minicheck; default --llm-model (RAGCITE_VERIFY_MODEL)")
	pf.StringVar(&a.cfg.VerifyBaseURL, "verify-base-url", envString("RAGCITE_VERIFY_BASE_URL", ""), "OpenAI-compatible endpoint of --verifier llm; default --openai-base-url (RAGCITE_VERIFY_BASE_URL)")
	pf.StringVar(&a.cfg.Policy, "policy", envString("RAGCITE_POLICY", string(rag.DefaultPolicy)), "default verification policy: drop, flag or strict (RAGCITE_POLICY)")
	root.AddCommand(a.verifyCommand())
	root.AddCommand(a.ingestCommand(), a.askCommand(), a.searchCommand(), a.summarizeCommand(), a.docsCommand(), a.evalCommand(), a.trainCommand())
	root.AddCommand(a.serveCommand(), a.healthCommand(), a.checkCommand(), a.mcpCommand())
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

// llmConfigured reports whether an OpenAI-compatible endpoint is set.
func (a *app) llmConfigured() bool {
	return a.cfg.OpenAIKey != "" || a.cfg.OpenAIBaseURL != ""
}

// embedder builds the configured embedder. The local one stays the default
// even when an LLM is configured.
func (a *app) embedder() (embed.Embedder, error) {
	switch a.cfg.Embedder {
	case "local", "":
		return embed.DefaultLocal(), nil
	case "openai":
		if !a.llmConfigured() {
			return nil, &usageError{errors.New("--embedder openai needs OPENAI_API_KEY and/or OPENAI_BASE_URL")}
		}
		cache := a.cfg.EmbedCache
		if cache == "" && a.cfg.Data != "" {
			cache = filepath.Join(a.cfg.Data, "embed-cache")
		}
		return openai.NewEmbedder(openai.EmbedderConfig{BaseURL: a.cfg.OpenAIBaseURL, APIKey: a.cfg.OpenAIKey, Model: a.cfg.EmbedModel,
			HTTPClient: a.retryingClient(), CacheDir: cache})
	}
	return nil, &usageError{fmt.Errorf("--embedder %q: want local or openai", a.cfg.Embedder)}
}

// retryingClient wraps the app's HTTP client (a record/replay transport
// under eval) with retries.
func (a *app) retryingClient() *http.Client {
	var next http.RoundTripper
	if a.httpClient != nil {
		next = a.httpClient.Transport
	}
	return &http.Client{Transport: openai.NewRetryTransport(next)}
}

// version is the module version and VCS revision the binary was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " " + rev + dirty
	}
	return v + " " + info.GoVersion
}

// withDocuments opens the engine like withEngine, but first refuses a store
// that holds no documents: a mistyped --data path would otherwise create a
// new empty store, and every question would abstain with no hint why.
func (a *app) withDocuments(cmd *cobra.Command, fn func(eng *rag.Engine) error) error {
	if a.cfg.Store == "" {
		if _, err := os.Stat(a.cfg.Data); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no store in %s: ingest documents first (ragcite ingest --data %s PATH), or point --data at an existing store", a.cfg.Data, a.cfg.Data)
		}
	}
	return a.withEngine(cmd, func(eng *rag.Engine) error {
		docs, err := eng.Documents(cmd.Context())
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			if a.cfg.Store != "" {
				return errors.New("the PostgreSQL store has no documents: ingest some first (ragcite ingest --store URL PATH)")
			}
			return fmt.Errorf("the store in %s has no documents: ingest some first (ragcite ingest --data %s PATH)", a.cfg.Data, a.cfg.Data)
		}
		return fn(eng)
	})
}

// withEngine opens the engine, runs fn with it and closes it.
func (a *app) withEngine(cmd *cobra.Command, fn func(eng *rag.Engine) error) error {
	eng, err := a.openEngine(cmd.Context())
	if err != nil {
		return err
	}
	defer eng.Close()
	return fn(eng)
}

// withWriter is withEngine for commands that only list, add or delete
// documents: the embedded store opens write-only (its registry, not its
// index), which at a million chunks saves seconds and gigabytes, and an
// ingest streams each document's vectors to disk as they are computed.
func (a *app) withWriter(cmd *cobra.Command, fn func(eng *rag.Engine) error) error {
	a.writeOnly = true
	return a.withEngine(cmd, fn)
}

// openStore opens the configured store.
func (a *app) openStore(ctx context.Context) (rag.Store, error) {
	switch {
	case a.cfg.Store == "":
		return chromemstore.OpenWith(ctx, a.cfg.Data, chromemstore.Options{Logger: a.logger(), WriteOnly: a.writeOnly})
	case strings.HasPrefix(a.cfg.Store, "postgres://"), strings.HasPrefix(a.cfg.Store, "postgresql://"):
		return pgstore.Open(ctx, a.cfg.Store, pgstore.Options{MaxConns: int32(a.cfg.PGMaxConns), ExecMode: a.cfg.PGExecMode})
	}
	return nil, &usageError{fmt.Errorf("--store %q: want a postgres:// URL, or nothing for the embedded store", a.cfg.Store)}
}

// chat builds the LLM client, or nil when none is configured.
func (a *app) chat() (rag.Chat, error) {
	if !a.llmConfigured() {
		return nil, nil
	}
	return openai.NewChat(openai.ChatConfig{BaseURL: a.cfg.OpenAIBaseURL, APIKey: a.cfg.OpenAIKey, Model: a.cfg.LLMModel,
		HTTPClient: a.httpClient, Timeout: a.cfg.LLMTimeout})
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
	chat, err := a.chat()
	if err != nil {
		return nil, err
	}
	store, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	verifier, err := a.verifier()
	if err != nil {
		store.Close()
		return nil, err
	}
	policy, err := rag.ValidatePolicy(rag.Policy(a.cfg.Policy), rag.DefaultPolicy)
	if err != nil {
		store.Close()
		return nil, &usageError{fmt.Errorf("--policy: %w", err)}
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: store, Embedder: emb, Chunker: chunker, Chat: chat,
		ContextTokens: a.cfg.ContextTokens, Logger: a.logger(), Verifier: verifier, Policy: policy})
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
