package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
)

// Defaults for Config fields left zero.
const (
	DefaultMaxBodyBytes    = 32 << 20
	DefaultRequestTimeout  = 60 * time.Second
	DefaultBodyTimeout     = 30 * time.Second
	DefaultShutdownTimeout = 30 * time.Second
)

// Config wires a Server. Engine is required.
type Config struct {
	Engine *rag.Engine
	// WriteKeys may do everything; ReadKeys may search, ask and summarize
	// (and read documents) but not add or delete them. With no keys at all
	// the API is open.
	WriteKeys, ReadKeys []string
	// MaxBodyBytes caps request bodies (uploads included); 0 means 32 MiB.
	MaxBodyBytes int64
	// RequestTimeout bounds each request's work; 0 means 60 s, negative none.
	RequestTimeout time.Duration
	// BodyTimeout bounds the time to receive a request body; 0 means 30 s,
	// negative none.
	BodyTimeout time.Duration
	// ShutdownTimeout bounds how long Serve waits for in-flight requests
	// once its context is done; 0 means 30 s.
	ShutdownTimeout time.Duration
	Logger          *slog.Logger
	// NoChatSources leaves the "Sources" block out of the content of
	// /v1/chat/completions replies unless a request asks for it.
	NoChatSources bool
	// Version is the version reported to MCP clients.
	Version string
	// KeyCollections limits API keys (of WriteKeys or ReadKeys) to the
	// named collections: such a key gets 403 on any other collection and on
	// routes that do not take a collection (MCP); on chat completions it may
	// use the models of its collections.
	KeyCollections map[string][]string
	// MaxRequestText caps the text of one ingest request once its files
	// are extracted (0: DefaultMaxRequestText, negative: none): past it the
	// request is refused with 413 and nothing is stored.
	MaxRequestText int64
	// MaxRequestChunks caps the chunks one ingest request is split into,
	// counted before embedding (0: DefaultMaxRequestChunks, negative: none).
	MaxRequestChunks int
	// MaxKeyText caps the text one API key (without keys: all clients
	// together) may ingest per TextWindow (0: DefaultMaxKeyText, negative:
	// none); past it, 429 with Retry-After.
	MaxKeyText int64
	// TextWindow is the window of MaxKeyText; 0 means DefaultTextWindow.
	TextWindow time.Duration
	// AllowedHosts are the Host names answered without API keys: names,
	// "*.suffix", or "*" for any; nil means DefaultAllowedHosts. Ignored
	// when keys are configured.
	AllowedHosts []string
	// AllowedOrigins are the origins (scheme://host[:port]) whose pages may
	// send writes to a server without API keys, besides its own.
	AllowedOrigins []string
	// AllowPrivateURLs lets documents given by "url" be fetched from
	// loopback, private and link-local addresses (refused by default).
	AllowPrivateURLs bool
}

// Server is the HTTP API over one engine. Create it with New; it is not
// ready (GET /readyz answers 503) until SetReady(true).
type Server struct {
	eng      *rag.Engine
	keys     *keyring
	maxBody  int64
	timeout  time.Duration
	bodyTime time.Duration
	shutdown time.Duration
	log      *slog.Logger
	metrics  *metrics
	router   *gin.Engine
	ready    atomic.Bool
	// started is when the server was built (the models' "created").
	started     time.Time
	chatSources bool
	version     string
	// fetch bounds the fetching of documents given by URL.
	fetch load.FetchOptions
	// limits are the collections limited keys may use.
	limits collectionLimits
	// budget bounds the text ingest requests may hold.
	budget *textBudget
	// guard keeps web pages of other origins out of a keyless server.
	guard browserGuard
}

// New builds the server and its router.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("server: an engine is required")
	}
	s := &Server{
		eng:      cfg.Engine,
		keys:     newKeyring(cfg.WriteKeys, cfg.ReadKeys),
		maxBody:  cfg.MaxBodyBytes,
		timeout:  cfg.RequestTimeout,
		bodyTime: cfg.BodyTimeout,
		shutdown: cfg.ShutdownTimeout,
		log:      cfg.Logger,
		metrics:  newMetrics(cfg.Engine),
		started:  time.Now(),
		// chatSources is the default of a chat request's "sources" option.
		chatSources: !cfg.NoChatSources,
		version:     cfg.Version,
		fetch:       load.FetchOptions{AllowPrivate: cfg.AllowPrivateURLs},
		limits:      newCollectionLimits(cfg.KeyCollections),
		budget:      newTextBudget(cfg.MaxRequestText, cfg.MaxRequestChunks, cfg.MaxKeyText, cfg.TextWindow),
		guard:       newBrowserGuard(cfg.AllowedHosts, cfg.AllowedOrigins),
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.timeout == 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.bodyTime == 0 {
		s.bodyTime = DefaultBodyTimeout
	}
	if s.shutdown <= 0 {
		s.shutdown = DefaultShutdownTimeout
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.router = s.routes()
	return s, nil
}

// routes registers every route in one place.
func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// The body deadline comes first, so no route and no refusal (401, 403)
	// waits on a body trickled in byte by byte.
	r.Use(withBodyDeadline(s.bodyTime), withRequestID(), withLogging(s.log), s.metrics.observe(), s.withRecovery(), s.withBrowserGuard())
	r.NoRoute(func(c *gin.Context) {
		s.fail(c, newAPIError(http.StatusNotFound, "not_found", "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		s.fail(c, newAPIError(http.StatusMethodNotAllowed, "method_not_allowed", "method %s is not allowed on %s", c.Request.Method, c.Request.URL.Path))
	})

	r.GET("/", s.page("index.html"))
	r.GET("/app.js", s.page("app.js"))
	r.GET("/style.css", s.page("style.css"))
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", s.metrics.handler())
	r.GET("/openapi.yaml", s.openapi)

	v1 := r.Group("/v1", s.withAuth(), s.withBodyLimit(s.maxBody), withTimeout(s.timeout))
	write := s.requireWrite()
	v1.POST("/documents", write, s.addDocuments)
	v1.GET("/documents", s.listDocuments)
	v1.GET("/documents/*id", s.getDocument)
	v1.DELETE("/documents/*id", write, s.deleteDocument)
	v1.GET("/collections", s.listCollections)
	v1.DELETE("/collections/:name", write, s.deleteCollection)
	v1.POST("/search", s.search)
	v1.POST("/ask", s.ask)
	v1.POST("/summarize", s.summarize)
	v1.POST("/verify", s.verify)

	// The OpenAI-compatible routes answer errors in the OpenAI shape.
	oai := r.Group("/v1", withOpenAIErrors(), s.withAuth(), s.withBodyLimit(s.maxBody), withTimeout(s.timeout))
	oai.POST("/chat/completions", s.chatCompletions)
	oai.GET("/models", s.listModels)
	oai.GET("/models/*model", s.getModel)

	r.POST("/mcp", s.withAuth(), s.requireAllCollections(), s.withBodyLimit(s.maxBody), withTimeout(s.timeout), s.mcpHandler())
	return r
}

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.router }

// SetReady marks the server ready (or not) for GET /readyz: ready once the
// store is open and the initial ingest is done.
func (s *Server) SetReady(ok bool) { s.ready.Store(ok) }

// IngestCounts sums up an ingest: documents by status and their chunks.
type IngestCounts struct {
	Created, Updated, Unchanged, Chunks int
}

// RecordIngest counts an ingest done outside the API (the initial ingest of
// ragcite serve --ingest) in the ingest metrics.
func (s *Server) RecordIngest(n IngestCounts) { s.metrics.count(n) }

// headerTimeout bounds the time to receive a request's headers.
const headerTimeout = 10 * time.Second

// readTimeout is http.Server's overall read limit: headers and body. The
// body deadline set per request (withBodyDeadline) is the one that counts
// for bodies; this is the backstop for what it does not see.
func (s *Server) readTimeout() time.Duration {
	if s.bodyTime < 0 {
		return 0
	}
	return headerTimeout + s.bodyTime
}

// Serve answers HTTP requests on ln until ctx is done, then shuts down
// gracefully: it stops accepting, waits up to the shutdown timeout for
// in-flight requests to finish, and returns. It does not close the engine.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.router,
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       s.readTimeout(),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.Store(false)
	s.log.Info("shutting down", slog.Duration("timeout", s.shutdown))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdown)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if !s.ready.Load() {
		s.fail(c, newAPIError(http.StatusServiceUnavailable, "not_ready", "the store is loading or the initial ingest is running"))
		return
	}
	err := s.eng.Health(c.Request.Context())
	switch {
	case err == nil:
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	case errors.Is(err, rag.ErrDegraded):
		// Serving what could be trusted: still ready, but say what is wrong.
		c.JSON(http.StatusOK, gin.H{"status": "degraded", "problem": err.Error()})
	default:
		s.fail(c, err)
	}
}
