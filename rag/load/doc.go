// Package load turns files into rag.Documents: plain text and Markdown, HTML
// (main content through go-readability, then visible text), and JSONL with one
// document per line. Paths walks files and directories, skipping unreadable
// or unsupported files with a warning rather than failing the batch.
package load
