package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMCPCommand runs `ragcite mcp` in-process on pipes, as an MCP client
// that starts it would: the SDK's client lists the tools, gets a cited
// answer, and closing its end stops the command cleanly.
func TestMCPCommand(t *testing.T) {
	t.Setenv("RAGCITE_EMBEDDER", "")
	data := t.TempDir()
	if _, stderr, err := runCLI(t, "ingest", "--data", data, "../../testdata/articles"); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	toServer, fromClient := io.Pipe()
	toClient, fromServer := io.Pipe()
	var stderr lockedBuffer
	root := newRootCommand(fromServer, &stderr)
	root.SetIn(toServer)
	root.SetArgs([]string{"mcp", "--data", data})
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(context.Background())
		fromServer.Close()
		done <- err
	}()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "stdio-test", Version: "1"}, nil).
		Connect(ctx, &mcp.IOTransport{Reader: toClient, Writer: fromClient}, nil)
	if err != nil {
		t.Fatalf("connect: %v\n%s", err, stderr.String())
	}
	tools, err := cs.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range tools.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	if want := []string{"ask", "get_document", "search", "summarize"}; !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v (read-only without --allow-write)", names, want)
	}
	res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "ask", Arguments: map[string]any{"question": "Which Amazon AI chips would OpenAI use as part of the proposed deal?"}})
	if err != nil {
		t.Fatal(err)
	}
	text := res.Content[0].(*mcp.TextContent).Text
	if res.IsError || !strings.Contains(text, "Trainium") || !strings.Contains(text, "[1]") {
		t.Errorf("ask: isError %v, text %q", res.IsError, text)
	}
	cs.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("mcp command: %v\n%s", err, stderr.String())
		}
	case <-ctx.Done():
		t.Fatal("mcp command did not stop after the client closed its end")
	}
}
