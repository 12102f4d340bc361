package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"syscall"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
)

// errorBody is the one error shape of the API: {"error":{"code","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError is a request mistake found by the server itself (bad JSON, wrong
// content type, missing auth), carrying its status and code.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, msg: fmt.Sprintf(format, args...)}
}

// llmNotConfiguredError wraps rag.ErrLLMUnavailable raised because mode llm
// was asked of a server with no LLM endpoint: a client mistake (400), unlike
// an endpoint that is configured but failing (503).
type llmNotConfiguredError struct{ err error }

func (e *llmNotConfiguredError) Error() string { return e.err.Error() }
func (e *llmNotConfiguredError) Unwrap() error { return e.err }

// fileError names the uploaded file a parse error came from.
type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string { return fmt.Sprintf("file %q: %v", e.name, e.err) }
func (e *fileError) Unwrap() error { return e.err }

// StatusClientClosedRequest is the status logged for a request whose client
// went away before the reply (nginx's 499); no reply reaches it.
const StatusClientClosedRequest = 499

// errorStatus maps an error to its HTTP status, code and client message.
// It is the only place statuses for errors are decided:
//
//	*apiError                     its own status (400, 401, 403, 413, 415, ...)
//	*http.MaxBytesError           413 request_too_large
//	*budgetError                  429 text_budget_exhausted (the key's text
//	                              budget for the window is spent; Retry-After)
//	load.ErrTextLimit             413 text_too_large (a file's text is too long)
//	rag.ErrNotFound               404 not_found
//	rag.ErrEmptyQuestion          400 empty_question
//	load.ErrURLNotAllowed         400 url_not_allowed (not http(s), or not a public address)
//	load.ErrFetch                 422 fetch_failed (the page could not be fetched)
//	rag.ErrInvalidArgument        400 invalid_argument
//	rag.ErrUnsupportedFile        422 unsupported_file (the request is well formed,
//	                              a file in it cannot be read as text; 415 is kept
//	                              for a wrong request Content-Type)
//	rag.ErrEmbedderMismatch       409 embedder_mismatch
//	rag.ErrIDTaken                409 id_taken (the id is held outside the key's
//	                              collections; nothing else is said of it)
//	*llmNotConfiguredError        400 llm_not_configured (mode llm, no endpoint)
//	rag.ErrLLMUnavailable         503 llm_unavailable
//	os.ErrDeadlineExceeded        408 body_timeout (the body was not sent in time)
//	syscall.ENOSPC                507 insufficient_storage (nothing of the batch stored)
//	rag.ErrUnavailable            503 store_unavailable (the database is unreachable)
//	context.DeadlineExceeded      504 timeout
//	context.Canceled              499 client_closed_request (the client went away;
//	                              logged, never sent, not an error of the server)
//	rag.ErrClosed                 503 unavailable
//	anything else                 500 internal, with a generic message
func errorStatus(err error) (status int, code, msg string) {
	var ae *apiError
	var mbe *http.MaxBytesError
	var nce *llmNotConfiguredError
	var be *budgetError
	switch {
	case errors.As(err, &ae):
		return ae.status, ae.code, ae.msg
	case errors.As(err, &be):
		return http.StatusTooManyRequests, "text_budget_exhausted", be.Error()
	case errors.Is(err, load.ErrTextLimit):
		return http.StatusRequestEntityTooLarge, "text_too_large", err.Error()
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, "request_too_large", fmt.Sprintf("request body is larger than the %d byte limit", mbe.Limit)
	case errors.Is(err, rag.ErrNotFound):
		return http.StatusNotFound, "not_found", err.Error()
	case errors.Is(err, rag.ErrEmptyQuestion):
		return http.StatusBadRequest, "empty_question", err.Error()
	case errors.Is(err, load.ErrURLNotAllowed):
		return http.StatusBadRequest, "url_not_allowed", err.Error()
	case errors.Is(err, load.ErrFetch):
		return http.StatusUnprocessableEntity, "fetch_failed", err.Error()
	case errors.Is(err, rag.ErrInvalidArgument):
		return http.StatusBadRequest, "invalid_argument", err.Error()
	case errors.Is(err, rag.ErrUnsupportedFile):
		return http.StatusUnprocessableEntity, "unsupported_file", err.Error()
	case errors.Is(err, rag.ErrEmbedderMismatch):
		return http.StatusConflict, "embedder_mismatch", err.Error()
	case errors.Is(err, rag.ErrIDTaken):
		return http.StatusConflict, "id_taken", err.Error()
	case errors.As(err, &nce):
		return http.StatusBadRequest, "llm_not_configured", err.Error()
	case errors.Is(err, rag.ErrLLMUnavailable):
		return http.StatusServiceUnavailable, "llm_unavailable", rag.LLMReason(err) // the log has the detail
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout, "body_timeout", "the request body was not received within the server's body timeout"
	case errors.Is(err, syscall.ENOSPC):
		return http.StatusInsufficientStorage, "insufficient_storage", "the server's disk is full: nothing of this request was stored"
	case errors.Is(err, rag.ErrUnavailable):
		return http.StatusServiceUnavailable, "store_unavailable", "the document store is unreachable; try again later"
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout, "timeout", "the request took longer than the server's request timeout"
	case errors.Is(err, context.Canceled):
		return StatusClientClosedRequest, "client_closed_request", "the client closed the request"
	case errors.Is(err, rag.ErrClosed):
		return http.StatusServiceUnavailable, "unavailable", "the server is shutting down"
	}
	return http.StatusInternalServerError, "internal", "internal error"
}

// errorReply returns the error's JSON body and status, logging 5xx details.
func (s *Server) errorReply(c *gin.Context, err error) (int, errorBody) {
	status, code, msg := errorStatus(err)
	if status >= 500 {
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "request failed",
			slog.String("request_id", requestID(c)), slog.String("route", c.FullPath()),
			slog.Int("status", status), slog.String("error", err.Error()))
	}
	return status, errorBody{Error: errorDetail{Code: code, Message: msg}}
}

// fail writes err as the JSON error reply and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) {
	status, body := s.errorReply(c, err)
	var be *budgetError
	if errors.As(err, &be) {
		c.Header("Retry-After", be.retryAfter())
	}
	if c.GetBool(ctxOpenAIErrors) {
		c.AbortWithStatusJSON(status, openAIErrorOf(err, status, body))
		return
	}
	c.AbortWithStatusJSON(status, body)
}

// llmErr wraps rag's "mode llm needs an endpoint" in llmNotConfiguredError
// when this engine has no LLM, so it maps to 400 rather than 503.
func (s *Server) llmErr(err error) error {
	if errors.Is(err, rag.ErrLLMUnavailable) && s.eng.Chat() == nil {
		return &llmNotConfiguredError{err}
	}
	return err
}
