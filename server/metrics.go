package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ragcite/ragcite/rag"
)

// metrics are the server's Prometheus collectors, on a registry of their own
// (no process-wide state, so several servers can live in one test binary).
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	ingestDoc *prometheus.CounterVec
	ingestChk prometheus.Counter
	answers   *prometheus.CounterVec
	abstained *prometheus.CounterVec
	conflicts *prometheus.CounterVec
}

func newMetrics(eng *rag.Engine) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ragcite_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ragcite_http_request_duration_seconds", Help: "HTTP request latency by method, route and status.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"method", "route", "status"}),
		ingestDoc: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ragcite_ingest_documents_total", Help: "Documents ingested, by status (created, updated, unchanged).",
		}, []string{"status"}),
		ingestChk: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ragcite_ingest_chunks_total", Help: "Chunks of the documents ingested (unchanged ones included).",
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ragcite_answers_total", Help: "Answers and summaries written, by kind (ask, summarize) and mode.",
		}, []string{"kind", "mode"}),
		abstained: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ragcite_answers_abstained_total", Help: "Answers that abstained because the documents do not cover the question, by mode.",
		}, []string{"mode"}),
		conflicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ragcite_answers_conflicts_total", Help: "Conflicts between sources reported in answers, by mode.",
		}, []string{"mode"}),
	}
	for _, s := range []rag.IngestStatus{rag.StatusCreated, rag.StatusUpdated, rag.StatusUnchanged} {
		m.ingestDoc.WithLabelValues(string(s))
	}
	m.reg.MustRegister(m.requests, m.latency, m.ingestDoc, m.ingestChk, m.answers, m.abstained, m.conflicts,
		&storeCollector{eng: eng},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in the Prometheus exposition format.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return gin.WrapH(h)
}

// observe is the middleware counting requests and their latency.
func (m *metrics) observe() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		lv := []string{c.Request.Method, routeLabel(c), strconv.Itoa(c.Writer.Status())}
		m.requests.WithLabelValues(lv...).Inc()
		m.latency.WithLabelValues(lv...).Observe(time.Since(start).Seconds())
	}
}

func (m *metrics) ingested(results []rag.IngestResult) {
	var n IngestCounts
	for _, r := range results {
		switch r.Status {
		case rag.StatusCreated:
			n.Created++
		case rag.StatusUpdated:
			n.Updated++
		case rag.StatusUnchanged:
			n.Unchanged++
		}
		n.Chunks += r.Chunks
	}
	m.count(n)
}

func (m *metrics) count(n IngestCounts) {
	m.ingestDoc.WithLabelValues(string(rag.StatusCreated)).Add(float64(n.Created))
	m.ingestDoc.WithLabelValues(string(rag.StatusUpdated)).Add(float64(n.Updated))
	m.ingestDoc.WithLabelValues(string(rag.StatusUnchanged)).Add(float64(n.Unchanged))
	m.ingestChk.Add(float64(n.Chunks))
}

func (m *metrics) answered(a *rag.Answer) {
	mode := string(a.Mode)
	m.answers.WithLabelValues("ask", mode).Inc()
	if a.Abstained {
		m.abstained.WithLabelValues(mode).Inc()
	}
	if len(a.Conflicts) > 0 {
		m.conflicts.WithLabelValues(mode).Add(float64(len(a.Conflicts)))
	}
}

func (m *metrics) summarized(s *rag.Summary) {
	m.answers.WithLabelValues("summarize", string(s.Mode)).Inc()
}

// storeCollector reports the store's size when scraped, so the gauges are
// right whoever changed the store (the API, the initial ingest, the CLI).
type storeCollector struct {
	eng *rag.Engine
}

var (
	storeDocsDesc   = prometheus.NewDesc("ragcite_store_documents", "Documents in the store.", nil, nil)
	storeChunksDesc = prometheus.NewDesc("ragcite_store_chunks", "Chunks in the store.", nil, nil)
)

func (s *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- storeDocsDesc
	ch <- storeChunksDesc
}

func (s *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	docs, err := s.eng.Documents(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(storeDocsDesc, err)
		return
	}
	chunks := 0
	for _, d := range docs {
		chunks += d.Chunks
	}
	ch <- prometheus.MustNewConstMetric(storeDocsDesc, prometheus.GaugeValue, float64(len(docs)))
	ch <- prometheus.MustNewConstMetric(storeChunksDesc, prometheus.GaugeValue, float64(chunks))
}
