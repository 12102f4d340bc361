package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag/chromemstore"
)

func (a *app) checkCommand() *cobra.Command {
	var repair, asJSON bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Verify the embedded store: every record's checksum and the indexes against the records",
		Long: "check opens the store in --data (stop a running serve first: the directory is locked), verifies the checksum of " +
			"every stored record and compares the documents, vectors and BM25 entries in memory with the records. " +
			"It exits 1 when something is wrong. With --repair it rewrites the store from the sound records; " +
			"damaged records stay copied under DATA/quarantine.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.cfg.Store != "" {
				return &usageError{errors.New("check verifies the embedded store under --data; PostgreSQL checks its own pages")}
			}
			st, err := chromemstore.OpenWith(cmd.Context(), a.cfg.Data, chromemstore.Options{Logger: a.logger()})
			if err != nil {
				return err
			}
			defer st.Close()
			rep, err := st.Check(cmd.Context(), repair)
			if err != nil {
				return err
			}
			if asJSON {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				printCheck(a, rep)
			}
			if !rep.OK() && !rep.Repaired {
				return fmt.Errorf("check: %d damaged records, %d mismatches (run ragcite check --repair)", len(rep.Damaged), len(rep.Mismatches))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&repair, "repair", false, "rewrite the store from its sound records")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func printCheck(a *app, rep chromemstore.CheckReport) {
	fmt.Fprintf(a.stdout, "%d files, %d records, %d documents, %d chunks\n", rep.Files, rep.Records, rep.Documents, rep.Chunks)
	for _, d := range rep.Damaged {
		fmt.Fprintln(a.stdout, "damaged:", d)
	}
	for _, m := range rep.Mismatches {
		fmt.Fprintln(a.stdout, "mismatch:", m)
	}
	switch {
	case rep.Repaired:
		fmt.Fprintln(a.stdout, "repaired: the store was rewritten from its sound records")
	case rep.OK():
		fmt.Fprintln(a.stdout, "ok")
	}
}
