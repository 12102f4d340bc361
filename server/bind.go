package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// bindJSON decodes the request body into v strictly: the Content-Type must
// be application/json, the body non-empty valid UTF-8 holding exactly one
// JSON value, and every field known to v. Unlike gin's ShouldBindJSON it
// rejects unknown fields without gin's process-wide decoder switch, and
// names the offending field or byte offset in its errors.
func bindJSON(c *gin.Context, v any) error {
	if err := requireContentType(c.Request, "application/json"); err != nil {
		return err
	}
	data, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return mbe
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("read request body: %w", err)
		}
		return newAPIError(http.StatusBadRequest, "invalid_body", "read request body: %v", err)
	}
	return decodeStrict(data, v)
}

// decodeStrict decodes one JSON value from data into v, rejecting unknown
// fields and trailing data.
func decodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return newAPIError(http.StatusBadRequest, "invalid_json", "request body is empty: want a JSON object")
	}
	if !utf8.Valid(data) {
		return newAPIError(http.StatusBadRequest, "invalid_utf8", "request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return newAPIError(http.StatusBadRequest, "invalid_json", "request body has data after the JSON object")
	}
	return nil
}

// jsonError turns a decoding error into a 400 that says what is wrong.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return newAPIError(http.StatusBadRequest, "invalid_json", "malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ):
		field := jsonField(typ.Field)
		if field == "" {
			return newAPIError(http.StatusBadRequest, "invalid_json", "request body must be a JSON object, not %s", typ.Value)
		}
		return newAPIError(http.StatusBadRequest, "invalid_json", "field %q: got %s, want %s", field, typ.Value, jsonType(typ.Type.Kind().String()))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return newAPIError(http.StatusBadRequest, "invalid_json", "malformed JSON: unexpected end of the body")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return newAPIError(http.StatusBadRequest, "unknown_field", "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return newAPIError(http.StatusBadRequest, "invalid_json", "malformed JSON: %v", err)
}

// jsonField drops the Go names of embedded structs ("AskRequest.question"
// becomes "question"); JSON names in this API are lower case.
func jsonField(path string) string {
	parts := strings.Split(path, ".")
	for len(parts) > 1 && parts[0] != "" && parts[0][0] >= 'A' && parts[0][0] <= 'Z' {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

func jsonType(kind string) string {
	switch kind {
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "a number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return kind
}

// requireContentType answers 415 unless the request's media type is want.
func requireContentType(r *http.Request, want string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return newAPIError(http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type %q is not supported: want %s", r.Header.Get("Content-Type"), want)
	}
	return nil
}
