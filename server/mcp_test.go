package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ragcite/ragcite/rag"
)

// connectMCP connects the SDK's client to an MCP server over eng through
// in-memory transports.
func connectMCP(t *testing.T, eng *rag.Engine, opts MCPOptions) *mcp.ClientSession {
	t.Helper()
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := NewMCP(eng, opts).Connect(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "test-client", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func toolNames(t *testing.T, cs *mcp.ClientSession) []string {
	t.Helper()
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// callTool calls a tool and returns its text and structured content.
func callTool(t *testing.T, cs *mcp.ClientSession, name string, args any) (string, json.RawMessage, bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var text strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			text.WriteString(tc.Text)
		}
	}
	sc, _ := json.Marshal(res.StructuredContent)
	return text.String(), sc, res.IsError
}

func TestMCPListsToolsWithSchemas(t *testing.T) {
	eng := newEngine(t)
	cs := connectMCP(t, eng, MCPOptions{})
	if got, want := toolNames(t, cs), []string{"ask", "get_document", "search", "summarize"}; !slices.Equal(got, want) {
		t.Fatalf("read-only tools %v, want %v", got, want)
	}
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	required := map[string]string{"ask": "question", "search": "query", "get_document": "id"}
	for _, tool := range res.Tools {
		b, _ := json.Marshal(tool.InputSchema)
		var schema struct {
			Type       string
			Required   []string
			Properties map[string]json.RawMessage
		}
		if err := json.Unmarshal(b, &schema); err != nil {
			t.Fatal(err)
		}
		if schema.Type != "object" || len(schema.Properties) == 0 || tool.Description == "" {
			t.Errorf("%s: schema %s, description %q", tool.Name, b, tool.Description)
		}
		if r := required[tool.Name]; r != "" && !slices.Contains(schema.Required, r) {
			t.Errorf("%s: %q is not required: %s", tool.Name, r, b)
		}
		if tool.Annotations == nil || !tool.Annotations.ReadOnlyHint {
			t.Errorf("%s is not marked read-only", tool.Name)
		}
	}
	if got := toolNames(t, connectMCP(t, eng, MCPOptions{Write: true})); !slices.Contains(got, "add_document") {
		t.Errorf("with Write the tools are %v, want add_document among them", got)
	}
}

func TestMCPToolCalls(t *testing.T) {
	eng := newEngine(t)
	cs := connectMCP(t, eng, MCPOptions{})
	docID := sampleArticles(t)[4].ID

	text, sc, isErr := callTool(t, cs, "ask", map[string]any{"question": amazonQuestion})
	var ans rag.Answer
	if err := json.Unmarshal(sc, &ans); err != nil || isErr {
		t.Fatalf("ask: error %v, isError %v", err, isErr)
	}
	for _, w := range []string{"$10 billion", "$50 billion", "[1]", "\n\nSources:\n- [1] "} {
		if !strings.Contains(text, w) {
			t.Errorf("ask text lacks %q:\n%s", w, text)
		}
	}
	if !strings.HasPrefix(text, ans.Answer) || len(ans.Citations) == 0 || len(ans.Conflicts) == 0 {
		t.Errorf("ask structured content: %+v", ans)
	}

	text, sc, isErr = callTool(t, cs, "search", map[string]any{"query": "Trainium chips", "top_k": 2})
	var sr searchResult
	if err := json.Unmarshal(sc, &sr); err != nil || isErr || len(sr.Results) != 2 || !strings.Contains(text, sr.Results[0].Text) {
		t.Errorf("search: %v %v %+v", err, isErr, sr)
	}

	text, sc, isErr = callTool(t, cs, "summarize", map[string]any{"doc_ids": []string{docID}, "max_sentences": 2})
	var sum rag.Summary
	if err := json.Unmarshal(sc, &sum); err != nil || isErr || len(sum.Citations) == 0 || !strings.HasPrefix(text, sum.Summary) {
		t.Errorf("summarize: %v %v %+v", err, isErr, sum)
	}

	text, sc, isErr = callTool(t, cs, "get_document", map[string]any{"id": docID})
	var doc rag.Document
	if err := json.Unmarshal(sc, &doc); err != nil || isErr || doc.ID != docID || !strings.Contains(text, doc.Text) {
		t.Errorf("get_document: %v %v %q", err, isErr, doc.ID)
	}
	text, _, isErr = callTool(t, cs, "get_document", map[string]any{"id": "no-such-doc"})
	if !isErr || !strings.Contains(text, "not found") {
		t.Errorf("get_document of an unknown id: isError %v, text %q", isErr, text)
	}
}

// TestMCPInvalidArguments: arguments that break a tool's schema, or that the
// engine rejects, are JSON-RPC invalid-params errors, and the session goes on.
func TestMCPInvalidArguments(t *testing.T) {
	cs := connectMCP(t, newEngine(t), MCPOptions{})
	tests := []struct {
		name, tool string
		args       any
	}{
		{"missing question", "ask", map[string]any{}},
		{"question of the wrong type", "ask", map[string]any{"question": 5}},
		{"empty question", "ask", map[string]any{"question": ""}},
		{"blank question", "ask", map[string]any{"question": "   "}},
		{"top_k too large", "ask", map[string]any{"question": "x", "top_k": 1000}},
		{"top_k zero", "search", map[string]any{"query": "x", "top_k": 0}},
		{"unknown mode", "ask", map[string]any{"question": "x", "mode": "magic"}},
		{"unknown argument", "ask", map[string]any{"question": "x", "temperature": 1}},
		{"doc_ids of the wrong type", "search", map[string]any{"query": "x", "doc_ids": "a"}},
		{"summarize with neither doc_ids nor query", "summarize", map[string]any{}},
		{"missing id", "get_document", map[string]any{}},
		{"unknown tool", "delete_everything", map[string]any{}},
		{"bad collection name", "ask", map[string]any{"question": "x", "collection": "../north"}},
		{"collection of the wrong type", "search", map[string]any{"query": "x", "collection": 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: tc.tool, Arguments: tc.args})
			var rpcErr *jsonrpc.Error
			if !errors.As(err, &rpcErr) || rpcErr.Code != jsonrpc.CodeInvalidParams {
				t.Fatalf("got %v (%T), want a JSON-RPC invalid params error", err, err)
			}
		})
	}
	if _, _, isErr := callTool(t, cs, "ask", map[string]any{"question": amazonQuestion}); isErr {
		t.Error("the session does not answer after invalid calls")
	}
}

func TestMCPAddDocument(t *testing.T) {
	cs := connectMCP(t, newEngine(t), MCPOptions{Write: true})
	args := map[string]any{"id": "tardigrades", "title": "Tardigrades", "text": "Tardigrades survive the vacuum of space for ten days."}
	_, sc, isErr := callTool(t, cs, "add_document", args)
	var res addDocumentResult
	if err := json.Unmarshal(sc, &res); err != nil || isErr || len(res.Documents) != 1 || res.Documents[0].Status != rag.StatusCreated {
		t.Fatalf("add_document: %v %v %s", err, isErr, sc)
	}
	text, _, isErr := callTool(t, cs, "ask", map[string]any{"question": "How long do tardigrades survive in space?", "doc_ids": []string{"tardigrades"}})
	if isErr || !strings.Contains(text, "ten days") {
		t.Errorf("ask after add_document: %q", text)
	}
	if _, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "add_document", Arguments: map[string]any{"title": "no text"}}); err == nil {
		t.Error("add_document without text succeeded")
	}
}

// TestMCPOverHTTP connects the SDK's streamable HTTP client to /mcp: keys
// are required, and only a write key sees add_document.
func TestMCPOverHTTP(t *testing.T) {
	ts := httptest.NewServer(newTestServer(t, Config{WriteKeys: []string{"wk"}, ReadKeys: []string{"rk"}}).Handler())
	defer ts.Close()
	connect := func(key string) (*mcp.ClientSession, error) {
		hc := &http.Client{Transport: bearer{key: key}}
		tr := &mcp.StreamableClientTransport{Endpoint: ts.URL + "/mcp", HTTPClient: hc, MaxRetries: -1, DisableStandaloneSSE: true}
		return mcp.NewClient(&mcp.Implementation{Name: "http-client", Version: "1"}, nil).Connect(context.Background(), tr, nil)
	}
	if cs, err := connect(""); err == nil {
		cs.Close()
		t.Fatal("connected without a key")
	}
	for _, tc := range []struct {
		key       string
		wantWrite bool
	}{{"rk", false}, {"wk", true}} {
		cs, err := connect(tc.key)
		if err != nil {
			t.Fatalf("key %s: %v", tc.key, err)
		}
		if got := slices.Contains(toolNames(t, cs), "add_document"); got != tc.wantWrite {
			t.Errorf("key %s: add_document listed %v, want %v", tc.key, got, tc.wantWrite)
		}
		text, _, isErr := callTool(t, cs, "ask", map[string]any{"question": amazonQuestion})
		if isErr || !strings.Contains(text, "[1]") {
			t.Errorf("key %s: ask over HTTP: %q", tc.key, text)
		}
		cs.Close()
	}
}

// bearer adds an Authorization header to each request.
type bearer struct{ key string }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if b.key != "" {
		r.Header.Set("Authorization", "Bearer "+b.key)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestSameAnswerEverywhere: one question gives the same answer and
// citations through /v1/ask, /v1/chat/completions and the MCP ask tool.
func TestSameAnswerEverywhere(t *testing.T) {
	eng := newEngine(t)
	ts := httptest.NewServer(newTestServer(t, Config{Engine: eng}).Handler())
	defer ts.Close()
	cs := connectMCP(t, eng, MCPOptions{})
	for _, q := range []string{amazonQuestion, "Which Amazon AI chips would OpenAI use as part of the proposed deal?", abstainQuestion} {
		t.Run(q, func(t *testing.T) {
			direct := askDirect(t, ts.URL, q)
			body, _ := json.Marshal(map[string]any{"messages": []map[string]string{{"role": "user", "content": q}}})
			status, v := chatRaw(t, ts.URL, string(body))
			if status != http.StatusOK {
				t.Fatalf("chat: %d", status)
			}
			var chat chatMeta
			if err := json.Unmarshal(v["ragcite"], &chat); err != nil {
				t.Fatal(err)
			}
			_, sc, _ := callTool(t, cs, "ask", map[string]any{"question": q})
			var viaMCP rag.Answer
			if err := json.Unmarshal(sc, &viaMCP); err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]rag.Answer{"chat": *chat.Answer, "mcp": viaMCP} {
				if got.Answer != direct.Answer || got.Abstained != direct.Abstained {
					t.Errorf("%s answer differs:\n got %q\nwant %q", name, got.Answer, direct.Answer)
				}
				g, _ := json.Marshal(got.Citations)
				w, _ := json.Marshal(direct.Citations)
				if string(g) != string(w) {
					t.Errorf("%s citations differ:\n got %s\nwant %s", name, g, w)
				}
			}
		})
	}
}

// TestMCPCollection checks that the tools' collection argument keeps
// search, ask and summarize within one collection, and that add_document
// places a document in the one it names.
func TestMCPCollection(t *testing.T) {
	eng := newEngine(t)
	cs := connectMCP(t, eng, MCPOptions{Write: true})
	harbour := []map[string]any{
		{"id": "n1", "title": "North harbour log", "collection": "north", "text": "The northern harbour master counted 17 ships in May."},
		{"id": "s1", "title": "South harbour log", "collection": "south", "text": "The southern harbour master counted 42 ships in May."},
	}
	for _, args := range harbour {
		if _, _, isErr := callTool(t, cs, "add_document", args); isErr {
			t.Fatalf("add %v", args["id"])
		}
	}
	for _, id := range []string{"n1", "s1"} {
		if d, err := eng.Document(context.Background(), id); err != nil || d.Collection != map[string]string{"n1": "north", "s1": "south"}[id] {
			t.Fatalf("document %s: %+v %v", id, d, err)
		}
	}
	tests := []struct {
		tool         string
		args         map[string]any
		want, absent string
	}{
		{"ask", map[string]any{"question": harbourQuestion, "collection": "north"}, `"doc_id":"n1"`, `"doc_id":"s1"`},
		{"ask", map[string]any{"question": harbourQuestion, "collection": "south"}, `"doc_id":"s1"`, `"doc_id":"n1"`},
		{"search", map[string]any{"query": "harbour master ships", "collection": "north"}, `"doc_id":"n1"`, `"doc_id":"s1"`},
		{"summarize", map[string]any{"query": "harbour master ships", "collection": "south"}, `"doc_id":"s1"`, `"doc_id":"n1"`},
		{"ask", map[string]any{"question": amazonQuestion, "collection": "north"}, `"answer"`, `10 billion`},
	}
	for _, tc := range tests {
		t.Run(tc.tool+" "+tc.args["collection"].(string), func(t *testing.T) {
			_, sc, isErr := callTool(t, cs, tc.tool, tc.args)
			if isErr || !strings.Contains(string(sc), tc.want) || strings.Contains(string(sc), tc.absent) {
				t.Errorf("%s %v: want %s and not %s in %s", tc.tool, tc.args, tc.want, tc.absent, sc)
			}
		})
	}
}
