// Command ragcite ingests articles and answers questions and writes
// summaries in which every sentence cites the passage it came from.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCodeTo(err, os.Stderr))
}

// exitCodeError carries a specific exit code (eval gates: 1, usage: 2).
type exitCodeError struct {
	code int
	err  error
}

func (e *exitCodeError) Error() string { return e.err.Error() }
func (e *exitCodeError) Unwrap() error { return e.err }

// exitCodeTo reports err on stderr, with a hint when there is one, and
// returns the process exit code.
func exitCodeTo(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if h := hint(err); h != "" {
		fmt.Fprintf(stderr, "ragcite: %s; %s\n", termSafe(err.Error()), h)
	} else {
		fmt.Fprintln(stderr, "ragcite:", termSafe(err.Error()))
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		return ec.code
	}
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}
