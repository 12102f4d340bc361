package server

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
)

// ctxOpenAIErrors marks a request whose errors are written in the OpenAI
// shape (the OpenAI-compatible routes).
const ctxOpenAIErrors = "ragcite.openai_errors"

// openAIErrorBody is the error shape of the OpenAI API:
// {"error":{"message","type","param","code"}}.
type openAIErrorBody struct {
	Error openAIError `json:"error"`
}

type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// paramError is a request mistake in one named parameter of an
// OpenAI-compatible request; it reports the parameter in "param".
type paramError struct {
	*apiError
	param string
}

func (e *paramError) Unwrap() error { return e.apiError }

func newParamError(status int, code, param, format string, args ...any) *paramError {
	return &paramError{apiError: newAPIError(status, code, format, args...), param: param}
}

// withOpenAIErrors makes s.fail write errors in the OpenAI shape for the
// rest of the request. It runs before auth so 401s are in that shape too.
func withOpenAIErrors() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Set(ctxOpenAIErrors, true)
		c.Next()
	}
}

// openAIErrorOf converts an error reply to the OpenAI shape: the status
// gives the type, our code stays the code (401 is "invalid_api_key" as in
// the OpenAI API).
func openAIErrorOf(err error, status int, body errorBody) openAIErrorBody {
	e := openAIError{Message: body.Error.Message, Code: body.Error.Code}
	var pe *paramError
	if errors.As(err, &pe) {
		e.Param = &pe.param
	}
	switch {
	case status == http.StatusUnauthorized:
		e.Type, e.Code = "invalid_request_error", "invalid_api_key"
	case status == http.StatusForbidden:
		e.Type = "permission_error"
	case status == http.StatusTooManyRequests:
		e.Type = "rate_limit_error"
	case status >= 500:
		e.Type = "server_error"
	default:
		e.Type = "invalid_request_error"
	}
	return openAIErrorBody{Error: e}
}
