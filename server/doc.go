// Package server is ragcite's HTTP API: the gin router, its middleware
// (request ids, structured logs, recovery, auth, body limits, timeouts,
// Prometheus metrics), the JSON and Server-Sent Events handlers over a
// rag.Engine, the embedded OpenAPI document and the embedded web page.
//
// It owns the wire: binding and validating requests, mapping errors to
// statuses in one place (see errorStatus), streaming. It does not own the
// pipeline (package rag), configuration loading or process lifecycle
// (package main in cmd/ragcite, which calls Serve).
package server
