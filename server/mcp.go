package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ragcite/ragcite/rag"
)

// MCPOptions configures the MCP server.
type MCPOptions struct {
	// Version is reported to clients as the server's version.
	Version string
	// Write adds the add_document tool; without it the tools only read.
	Write bool
}

// Tool arguments. Their JSON Schemas are inferred from these types (a
// field without omitempty is required) and refined in mcpSchema.
type (
	searchArgs struct {
		Query      string   `json:"query" jsonschema:"what to search for"`
		TopK       int      `json:"top_k,omitempty" jsonschema:"how many passages to return (default 6)"`
		DocIDs     []string `json:"doc_ids,omitempty" jsonschema:"search only these documents"`
		Collection string   `json:"collection,omitempty" jsonschema:"search only this collection (default: all)"`
	}
	askArgs struct {
		Question   string   `json:"question" jsonschema:"the question, answered from the stored documents only"`
		TopK       int      `json:"top_k,omitempty" jsonschema:"how many passages to answer from (default 6)"`
		DocIDs     []string `json:"doc_ids,omitempty" jsonschema:"answer only from these documents"`
		Mode       string   `json:"mode,omitempty" jsonschema:"auto (the LLM when configured), extractive or llm"`
		Collection string   `json:"collection,omitempty" jsonschema:"answer only from this collection (default: all)"`
	}
	summarizeArgs struct {
		DocIDs       []string `json:"doc_ids,omitempty" jsonschema:"the documents to summarise (or give query)"`
		Query        string   `json:"query,omitempty" jsonschema:"summarise the passages about this (or give doc_ids)"`
		MaxSentences int      `json:"max_sentences,omitempty" jsonschema:"the longest summary in sentences"`
		Mode         string   `json:"mode,omitempty" jsonschema:"auto (the LLM when configured), extractive or llm"`
		Collection   string   `json:"collection,omitempty" jsonschema:"summarise only passages of this collection (default: all)"`
	}
	getDocumentArgs struct {
		ID string `json:"id" jsonschema:"the document id, as in citations' doc_id"`
	}
	addDocumentArgs struct {
		ID         string `json:"id,omitempty" jsonschema:"a stable id (default: derived from the title)"`
		Title      string `json:"title" jsonschema:"the document's title"`
		Text       string `json:"text" jsonschema:"the document's full text"`
		Source     string `json:"source,omitempty" jsonschema:"where the text came from, e.g. a URL"`
		Collection string `json:"collection,omitempty" jsonschema:"the collection to put it in (default: default)"`
	}
)

// Tool results (structured content).
type (
	searchResult struct {
		Results []rag.SearchResult `json:"results"`
	}
	addDocumentResult struct {
		Documents []rag.IngestResult `json:"documents"`
	}
)

// NewMCP returns a Model Context Protocol server over eng with the tools
// search, ask, summarize and get_document (and add_document when
// opts.Write). Each tool's result is text (the answer or summary with its
// Sources list) plus structured content: the same JSON object the HTTP API
// returns. Arguments that do not match a tool's schema, and values the
// engine rejects, are JSON-RPC "invalid params" errors; other failures are
// tool errors. It is long because it is the table of tools: each tool is
// registered with its schema and handler in a few lines, side by side.
func NewMCP(eng *rag.Engine, opts MCPOptions) *mcp.Server {
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	s := mcp.NewServer(&mcp.Implementation{Name: "ragcite", Title: "ragcite", Version: version}, &mcp.ServerOptions{
		Instructions: "Answers questions and writes summaries over the user's stored documents. " +
			"Every sentence carries a [n] marker that refers to a citation with the exact quote it came from.",
		Capabilities: &mcp.ServerCapabilities{},
	})
	ro := &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)}
	addTool(s, &mcp.Tool{Name: "search", Title: "Search documents", Annotations: ro,
		Description: "Find the passages of the stored documents most relevant to a query (hybrid dense and BM25 retrieval)."},
		func(ctx context.Context, a searchArgs) (string, any, error) {
			res, err := eng.Search(ctx, rag.SearchRequest{Query: a.Query, TopK: a.TopK, Filter: rag.Filter{DocIDs: a.DocIDs}, Collection: a.Collection})
			if err != nil {
				return "", nil, err
			}
			if res == nil {
				res = []rag.SearchResult{}
			}
			return searchText(res), searchResult{Results: res}, nil
		})
	addTool(s, &mcp.Tool{Name: "ask", Title: "Ask the documents", Annotations: ro,
		Description: "Answer a question from the stored documents. Every sentence cites its passage with [n]; " +
			"the answer abstains when the documents do not cover the question and says so when sources disagree."},
		func(ctx context.Context, a askArgs) (string, any, error) {
			ans, err := eng.Ask(ctx, rag.AskRequest{Question: a.Question, TopK: a.TopK, Filter: rag.Filter{DocIDs: a.DocIDs}, Mode: rag.Mode(a.Mode), Collection: a.Collection})
			if err != nil {
				return "", nil, err
			}
			return ans.Answer + sourcesBlock(ans.Citations, true), ans, nil
		})
	addTool(s, &mcp.Tool{Name: "summarize", Title: "Summarise documents", Annotations: ro,
		Description: "Summarise some documents (doc_ids) or the passages about a query, every sentence cited with [n]."},
		func(ctx context.Context, a summarizeArgs) (string, any, error) {
			sum, err := eng.Summarize(ctx, rag.SummarizeRequest{DocIDs: a.DocIDs, Query: a.Query, MaxSentences: a.MaxSentences, Mode: rag.Mode(a.Mode), Collection: a.Collection})
			if err != nil {
				return "", nil, err
			}
			return sum.Summary + sourcesBlock(sum.Citations, true), sum, nil
		})
	addTool(s, &mcp.Tool{Name: "get_document", Title: "Read a document", Annotations: ro,
		Description: "Read one stored document in full: its title, source, metadata and text (citations' start and end are byte offsets into it)."},
		func(ctx context.Context, a getDocumentArgs) (string, any, error) {
			d, err := eng.Document(ctx, a.ID)
			if err != nil {
				return "", nil, err
			}
			return d.Title + "\n\n" + d.Text, d, nil
		})
	if opts.Write {
		addTool(s, &mcp.Tool{Name: "add_document", Title: "Add a document",
			Annotations: &mcp.ToolAnnotations{IdempotentHint: true, OpenWorldHint: new(false)},
			Description: "Add or replace one document in the store; an unchanged document is left as it is."},
			func(ctx context.Context, a addDocumentArgs) (string, any, error) {
				res, err := eng.Ingest(ctx, []rag.Document{{ID: a.ID, Title: a.Title, Text: a.Text, Source: a.Source, Collection: a.Collection}}, nil)
				if err != nil {
					return "", nil, err
				}
				var b strings.Builder
				for _, r := range res {
					fmt.Fprintf(&b, "%s %q (%s): %d chunks\n", r.Status, r.Title, r.ID, r.Chunks)
				}
				return b.String(), addDocumentResult{Documents: res}, nil
			})
	}
	return s
}

// addTool registers a tool whose arguments are In, with In's JSON Schema.
// Unlike the SDK's generic AddTool, which reports invalid arguments as a
// tool error, arguments that fail the schema (or that the engine rejects as
// invalid) are a JSON-RPC "invalid params" error; other errors from run are
// tool errors (IsError) carrying the message.
func addTool[In any](s *mcp.Server, t *mcp.Tool, run func(context.Context, In) (string, any, error)) {
	schema, resolved := mcpSchema[In]()
	t.InputSchema = schema
	s.AddTool(t, func(ctx context.Context, req *mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var raw any = map[string]any{}
		if len(req.Params.Arguments) > 0 {
			if err := json.Unmarshal(req.Params.Arguments, &raw); err != nil {
				return nil, invalidParams("arguments: %v", err)
			}
		}
		if err := resolved.Validate(raw); err != nil {
			return nil, invalidParams("arguments: %v", err)
		}
		var in In
		if len(req.Params.Arguments) > 0 {
			if err := json.Unmarshal(req.Params.Arguments, &in); err != nil {
				return nil, invalidParams("arguments: %v", err)
			}
		}
		text, structured, err := run(ctx, in)
		switch {
		case errors.Is(err, rag.ErrInvalidArgument), errors.Is(err, rag.ErrEmptyQuestion):
			return nil, invalidParams("%v", err)
		case err != nil:
			res := &mcp.CallToolResult{}
			res.SetError(err)
			return res, nil
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}, StructuredContent: structured}, nil
	})
}

func invalidParams(format string, args ...any) error {
	return &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf(format, args...)}
}

// mcpSchema infers In's JSON Schema, adds the bounds the engine enforces
// (top_k, max_sentences, mode), and resolves it for validation. It panics on
// a schema error: the argument types are fixed at compile time, and every
// test would fail.
func mcpSchema[In any]() (*jsonschema.Schema, *jsonschema.Resolved) {
	schema, err := jsonschema.For[In](nil)
	if err != nil {
		panic(fmt.Sprintf("mcp schema: %v", err))
	}
	if p := schema.Properties["top_k"]; p != nil {
		p.Minimum, p.Maximum = new(float64(1)), new(float64(rag.MaxTopK))
	}
	if p := schema.Properties["max_sentences"]; p != nil {
		p.Minimum = new(float64(1))
	}
	if p := schema.Properties["mode"]; p != nil {
		p.Enum = []any{string(rag.ModeAuto), string(rag.ModeExtractive), string(rag.ModeLLM)}
	}
	for _, name := range []string{"query", "question", "id", "title", "text"} {
		if p := schema.Properties[name]; p != nil && required(schema, name) {
			p.MinLength = new(1)
		}
	}
	resolved, err := schema.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("mcp schema: %v", err))
	}
	return schema, resolved
}

func required(s *jsonschema.Schema, name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// searchText renders search results as text, one passage a paragraph.
func searchText(res []rag.SearchResult) string {
	if len(res) == 0 {
		return "No passages found."
	}
	var b strings.Builder
	for i, r := range res {
		fmt.Fprintf(&b, "[%d] %s (%s, bytes %d-%d, score %.3f)\n%s\n\n", i+1, r.Title, r.DocID, r.Start, r.End, r.Score, r.Text)
	}
	return strings.TrimSpace(b.String())
}

// mcpHandler serves MCP over streamable HTTP (stateless, JSON replies) at
// /mcp, behind the API's auth. A request made with a write key, when keys
// are configured, gets the server with add_document; every other request
// gets the read-only one.
func (s *Server) mcpHandler() gin.HandlerFunc {
	opts := &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true, MaxRequestBodyBytes: s.maxBody}
	read := NewMCP(s.eng, MCPOptions{Version: s.version})
	write := NewMCP(s.eng, MCPOptions{Version: s.version, Write: true})
	readH := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return read }, opts)
	writeH := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return write }, opts)
	return func(c *gin.Context) {
		h := readH
		if r, _ := c.Get(ctxRole); r == roleWrite && s.keys.enabled() {
			h = writeH
		}
		h.ServeHTTP(c.Writer, c.Request)
	}
}
