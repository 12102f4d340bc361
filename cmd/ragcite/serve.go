package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
	"github.com/ragcite/ragcite/server"
)

// serveConfig is the configuration of ragcite serve, from flags with
// RAGCITE_* environment fallbacks.
type serveConfig struct {
	Addr            string
	Ingest          []string
	WriteKeys       []string
	ReadKeys        []string
	MaxBody         int64
	RequestTimeout  time.Duration
	BodyTimeout     time.Duration
	ShutdownTimeout time.Duration
	ChatSources     bool
	// AllowPrivateURLs lets URL ingests reach non-public addresses.
	AllowPrivateURLs bool
	// KeyCollections are KEY=coll1+coll2 limits on API keys.
	KeyCollections []string
	// Upload budgets (see server.Config).
	MaxRequestText   int64
	MaxRequestChunks int
	MaxKeyText       int64
	TextWindow       time.Duration
	// AllowedHosts and AllowedOrigins loosen the keyless browser guard.
	AllowedHosts   []string
	AllowedOrigins []string
}

func (a *app) serveCommand() *cobra.Command {
	var sc serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API and the web page",
		Long: "serve opens the store in --data, ingests the --ingest paths, and serves the HTTP API (/v1/...) and the web page (/) " +
			"until SIGINT or SIGTERM, then finishes in-flight requests and flushes the store.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.warnKeyFlags(cmd)
			sc.WriteKeys = append(sc.WriteKeys, splitList(envString("RAGCITE_API_KEYS", ""))...)
			sc.ReadKeys = append(sc.ReadKeys, splitList(envString("RAGCITE_READ_KEYS", ""))...)
			sc.KeyCollections = append(sc.KeyCollections, splitList(envString("RAGCITE_KEY_COLLECTIONS", ""))...)
			if !cmd.Flags().Changed("allowed-hosts") {
				if v := envString("RAGCITE_ALLOWED_HOSTS", ""); v != "" {
					sc.AllowedHosts = splitList(v)
				}
			}
			sc.AllowedOrigins = append(sc.AllowedOrigins, splitList(envString("RAGCITE_ALLOWED_ORIGINS", ""))...)
			return a.serve(cmd, sc)
		},
	}
	f := cmd.Flags()
	f.StringVar(&sc.Addr, "addr", envString("RAGCITE_ADDR", "127.0.0.1:8080"), "listen address HOST:PORT (RAGCITE_ADDR)")
	f.StringArrayVar(&sc.Ingest, "ingest", nil, "ingest these files, directories or http(s) URLs before becoming ready (repeatable)")
	f.StringArrayVar(&sc.WriteKeys, "api-key", nil, "API key allowed to do everything: give it as RAGCITE_API_KEYS (comma-separated); the flag shows the key in ps and shell history (repeatable)")
	f.StringArrayVar(&sc.ReadKeys, "read-key", nil, "read-only API key (search, ask, summarize): give it as RAGCITE_READ_KEYS (comma-separated); the flag shows the key in ps (repeatable)")
	f.Int64Var(&sc.MaxRequestText, "max-request-text", int64(envInt("RAGCITE_MAX_REQUEST_TEXT", server.DefaultMaxRequestText)), "text one ingest request may hold once its files are extracted, in bytes; more is 413 (RAGCITE_MAX_REQUEST_TEXT; -1 for none)")
	f.IntVar(&sc.MaxRequestChunks, "max-request-chunks", envInt("RAGCITE_MAX_REQUEST_CHUNKS", server.DefaultMaxRequestChunks), "chunks one ingest request may be split into; more is 413 (RAGCITE_MAX_REQUEST_CHUNKS; -1 for none)")
	f.Int64Var(&sc.MaxKeyText, "max-key-text", int64(envInt("RAGCITE_MAX_KEY_TEXT", server.DefaultMaxKeyText)), "text one API key (without keys: all clients) may ingest per --text-window, in bytes; more is 429 (RAGCITE_MAX_KEY_TEXT; -1 for none)")
	f.DurationVar(&sc.TextWindow, "text-window", envDuration("RAGCITE_TEXT_WINDOW", server.DefaultTextWindow), "window of --max-key-text (RAGCITE_TEXT_WINDOW)")
	f.StringSliceVar(&sc.AllowedHosts, "allowed-hosts", server.DefaultAllowedHosts, "Host names a server without API keys answers: names, *.suffix or * (RAGCITE_ALLOWED_HOSTS, comma-separated)")
	f.StringArrayVar(&sc.AllowedOrigins, "allowed-origins", nil, "origins (scheme://host:port) whose pages may write to a server without API keys (repeatable; RAGCITE_ALLOWED_ORIGINS, comma-separated)")
	f.Int64Var(&sc.MaxBody, "max-body", int64(envInt("RAGCITE_MAX_BODY", server.DefaultMaxBodyBytes)), "request body limit in bytes (RAGCITE_MAX_BODY)")
	f.DurationVar(&sc.RequestTimeout, "request-timeout", envDuration("RAGCITE_REQUEST_TIMEOUT", server.DefaultRequestTimeout), "per-request timeout (RAGCITE_REQUEST_TIMEOUT)")
	f.BoolVar(&sc.ChatSources, "chat-sources", envBool("RAGCITE_CHAT_SOURCES", true), "append a Sources list to /v1/chat/completions content; a request's ragcite.sources overrides it (RAGCITE_CHAT_SOURCES)")
	f.StringArrayVar(&sc.KeyCollections, "key-collections", nil, "limit an API key to collections: KEY=coll1+coll2 (repeatable; RAGCITE_KEY_COLLECTIONS, comma-separated)")
	f.BoolVar(&sc.AllowPrivateURLs, "allow-private-urls", envBool("RAGCITE_ALLOW_PRIVATE_URLS", false), "let URL ingests fetch loopback, private and link-local addresses (RAGCITE_ALLOW_PRIVATE_URLS)")
	f.DurationVar(&sc.BodyTimeout, "body-timeout", envDuration("RAGCITE_BODY_TIMEOUT", server.DefaultBodyTimeout), "time allowed to receive a request body; slower uploads get 408 (RAGCITE_BODY_TIMEOUT)")
	f.DurationVar(&sc.ShutdownTimeout, "shutdown-timeout", envDuration("RAGCITE_SHUTDOWN_TIMEOUT", server.DefaultShutdownTimeout), "how long shutdown waits for in-flight requests (RAGCITE_SHUTDOWN_TIMEOUT)")
	return cmd
}

// serve runs the server until the command's context is done (SIGINT or
// SIGTERM), then shuts it down gracefully and closes the engine. It is long
// because it is the wiring, in order: engine, optional ingest, listener,
// server, signal handling and shutdown, each step a few lines.
func (a *app) serve(cmd *cobra.Command, sc serveConfig) (err error) {
	ctx := cmd.Context()
	if sc.MaxBody <= 0 {
		return &usageError{fmt.Errorf("--max-body %d: must be positive", sc.MaxBody)}
	}
	if sc.BodyTimeout <= 0 {
		return &usageError{fmt.Errorf("--body-timeout %s: must be positive", sc.BodyTimeout)}
	}
	if sc.RequestTimeout <= 0 {
		return &usageError{fmt.Errorf("--request-timeout %s: must be positive", sc.RequestTimeout)}
	}
	limits, err := parseKeyCollections(sc.KeyCollections, append(sc.WriteKeys, sc.ReadKeys...))
	if err != nil {
		return &usageError{err}
	}
	log := a.logger()
	newStore := false
	if a.cfg.Store == "" {
		_, statErr := os.Stat(a.cfg.Data)
		newStore = errors.Is(statErr, fs.ErrNotExist)
	}
	eng, err := a.openEngine(ctx)
	if err != nil {
		return err
	}
	if newStore {
		log.Info("created a new store", "data", a.cfg.Data)
	}
	defer func() {
		if cerr := eng.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close store: %w", cerr)
		}
	}()
	srv, err := server.New(server.Config{
		Engine: eng, WriteKeys: sc.WriteKeys, ReadKeys: sc.ReadKeys,
		MaxBodyBytes: sc.MaxBody, RequestTimeout: sc.RequestTimeout, BodyTimeout: sc.BodyTimeout, ShutdownTimeout: sc.ShutdownTimeout,
		Logger: log, NoChatSources: !sc.ChatSources, Version: version(),
		AllowPrivateURLs: sc.AllowPrivateURLs, KeyCollections: limits,
		MaxRequestText: sc.MaxRequestText, MaxRequestChunks: sc.MaxRequestChunks, MaxKeyText: sc.MaxKeyText, TextWindow: sc.TextWindow,
		AllowedHosts: sc.AllowedHosts, AllowedOrigins: sc.AllowedOrigins,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		return &usageError{fmt.Errorf("--addr %s: %w", sc.Addr, err)}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ctx, ln) }()
	fmt.Fprintf(a.stdout, "ragcite: serving on http://%s (data %s)\n", ln.Addr(), a.cfg.Data)

	if len(sc.Ingest) > 0 {
		sum, err := a.serveIngest(cmd, srv, eng, sc.Ingest, load.FetchOptions{AllowPrivate: sc.AllowPrivateURLs})
		if err != nil && ctx.Err() == nil {
			cancel()
			<-errc
			return err
		}
		if err == nil {
			fmt.Fprintln(a.stdout, "ragcite:", sum)
		}
	}
	if docs, err := eng.Documents(ctx); err == nil && len(docs) == 0 {
		log.Warn("the store has no documents: questions will abstain until some are ingested", "data", a.cfg.Data)
	}
	srv.SetReady(true)
	log.Info("ready", "addr", ln.Addr().String(), "auth", len(sc.WriteKeys)+len(sc.ReadKeys) > 0)
	if err := <-errc; err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// serveIngest ingests paths with ingestPaths and counts them in the
// server's ingest metrics.
func (a *app) serveIngest(cmd *cobra.Command, srv *server.Server, eng *rag.Engine, paths []string, fetch load.FetchOptions) (ingestSummary, error) {
	sum, err := ingestPaths(cmd, eng, paths, a.stderr, fetch, "")
	if err != nil {
		return sum, err
	}
	srv.RecordIngest(server.IngestCounts{Created: sum.created, Updated: sum.updated, Unchanged: sum.unchanged, Chunks: sum.chunks})
	return sum, nil
}

// parseKeyCollections reads KEY=coll1+coll2 limits; each key must be a
// configured API key and each collection a valid name.
func parseKeyCollections(specs, keys []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, spec := range specs {
		key, list, ok := strings.Cut(spec, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || list == "" {
			return nil, fmt.Errorf("--key-collections %q: want KEY=coll1+coll2", spec)
		}
		if !slices.Contains(keys, key) {
			return nil, fmt.Errorf("--key-collections: the key is not one of --api-key or --read-key")
		}
		for _, c := range strings.Split(list, "+") {
			if err := rag.ValidateCollection(c); err != nil {
				return nil, fmt.Errorf("--key-collections: %w", err)
			}
			out[key] = append(out[key], c)
		}
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// warnKeyFlags warns when keys are given as flags: every user of the
// machine can read them in the process list.
func (a *app) warnKeyFlags(cmd *cobra.Command) {
	for _, f := range []struct{ flag, env string }{{"api-key", "RAGCITE_API_KEYS"}, {"read-key", "RAGCITE_READ_KEYS"}} {
		if cmd.Flags().Changed(f.flag) {
			fmt.Fprintf(a.stderr, "ragcite: warning: --%s shows the key to every user of this machine (ps, /proc) and in shell history; set %s instead\n", f.flag, f.env)
		}
	}
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := envString(key, ""); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}
