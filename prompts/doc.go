// Package prompts holds the LLM prompt templates (embedded with go:embed)
// and renders them with text/template. Instructions live only in the system
// message; passages are numbered and fenced as data in the user message, so
// a passage that says "ignore previous instructions" is just text.
//
// It imports nothing of ragcite.
package prompts
