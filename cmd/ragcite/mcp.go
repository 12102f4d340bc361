package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/server"
)

func (a *app) mcpCommand() *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the Model Context Protocol over stdio",
		Long: "mcp opens the store in --data and serves the Model Context Protocol on standard input and output, " +
			"for MCP clients that start ragcite themselves (desktop assistants, IDEs). Tools: search, ask, summarize, " +
			"get_document, and add_document with --allow-write. Logs go to standard error. It stops when the client " +
			"closes standard input. (ragcite serve offers the same tools over HTTP at /mcp.)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withEngine(cmd, func(eng *rag.Engine) error {
				return a.serveMCP(cmd.Context(), eng, cmd.InOrStdin(), write)
			})
		},
	}
	cmd.Flags().BoolVar(&write, "allow-write", envBool("RAGCITE_MCP_WRITE", false), "add the add_document tool (RAGCITE_MCP_WRITE)")
	return cmd
}

// serveMCP runs the MCP server on in and a.stdout until the client closes
// in or ctx is done.
func (a *app) serveMCP(ctx context.Context, eng *rag.Engine, in io.Reader, write bool) error {
	srv := server.NewMCP(eng, server.MCPOptions{Version: version(), Write: write})
	t := &mcp.IOTransport{Reader: io.NopCloser(in), Writer: nopWriteCloser{a.stdout}}
	err := srv.Run(ctx, t)
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return fmt.Errorf("mcp: %w", err)
}

// nopWriteCloser keeps the transport from closing standard output.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// envBool reads a boolean environment variable (1, true, 0, false, ...),
// with def when it is unset or not a boolean.
func envBool(key string, def bool) bool {
	b, err := strconv.ParseBool(envString(key, ""))
	if err != nil {
		return def
	}
	return b
}
