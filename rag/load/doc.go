// Package load turns files into rag.Documents: plain text and Markdown, HTML
// (main content through go-readability, then visible text), and JSONL with one
// document per line, PDF (text per page through PDFium compiled to
// WebAssembly, page offsets kept for citations) and Word .docx. Paths walks files and directories, skipping unreadable
// or unsupported files with a warning rather than failing the batch.
package load
