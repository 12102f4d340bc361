package main

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"
)

// healthCommand checks a running server's readiness. Container images have
// no curl; the Dockerfile's HEALTHCHECK and compose.yaml run this instead.
func (a *app) healthCommand() *cobra.Command {
	var addr string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 when the server at --addr is ready (GET /readyz), 1 otherwise",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			url, err := readyURL(addr)
			if err != nil {
				return &usageError{err}
			}
			client := &http.Client{Timeout: timeout}
			res, err := client.Get(url)
			if err != nil {
				return fmt.Errorf("healthcheck: %w", err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("healthcheck: %s answered %s", url, res.Status)
			}
			fmt.Fprintln(a.stdout, "ready")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", envString("RAGCITE_ADDR", "127.0.0.1:8080"), "the server's listen address HOST:PORT (RAGCITE_ADDR)")
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Second, "how long to wait for the answer")
	return cmd
}

// readyURL is the readiness URL of a server listening on addr; a wildcard
// host (0.0.0.0, ::, empty) is reached on the loopback address.
func readyURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: %w", addr, err)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/readyz", nil
}
