package openai

import (
	"regexp"
	"strings"
)

// Secrets an endpoint may echo in an error body: bearer tokens, OpenAI
// style keys, and key=value or "key": "value" pairs named like credentials.
var (
	bearerToken = regexp.MustCompile(`(?i)(bearer\s+)[^\s"',;]+`)
	openAIKey   = regexp.MustCompile(`\b(?:sk|rk|pk)-[A-Za-z0-9_\-]{8,}`)
	namedSecret = regexp.MustCompile(`(?i)("?(?:api[_-]?key|x-api-key|authorization|access[_-]?token|secret)"?\s*[:=]\s*"?)[^\s"',;]+`)
)

const redacted = "[redacted]"

// redact removes key (the configured API key) and anything that looks like
// a credential from s, an endpoint's error text, before it reaches a log.
func redact(s, key string) string {
	if len(key) >= 4 {
		s = strings.ReplaceAll(s, key, redacted)
	}
	s = bearerToken.ReplaceAllString(s, "${1}"+redacted)
	s = openAIKey.ReplaceAllString(s, redacted)
	return namedSecret.ReplaceAllString(s, "${1}"+redacted)
}

// redactedError is an endpoint error whose text has its secrets removed;
// errors.Is and errors.As still see the original.
type redactedError struct {
	err error
	key string
}

func (e *redactedError) Error() string { return redact(e.err.Error(), e.key) }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr wraps err so that its text carries no secret; nil stays nil.
func redactErr(err error, key string) error {
	if err == nil {
		return nil
	}
	return &redactedError{err: err, key: key}
}
