package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
)

func (a *app) docsCommand() *cobra.Command {
	docs := &cobra.Command{Use: "docs", Short: "List or delete stored documents", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return &usageError{errors.New("docs: give a subcommand: list or delete")}
		}}
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List stored documents",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withWriter(cmd, func(eng *rag.Engine) error {
				infos, err := eng.Documents(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, map[string]any{"documents": infos})
				}
				for _, d := range infos {
					fmt.Fprintf(a.stdout, "%s\t%d chunks\t%d bytes\t%s\n", termSafe(d.ID), d.Chunks, d.Bytes, termSafe(d.Title))
				}
				return nil
			})
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print the reply object of GET /v1/documents")
	del := &cobra.Command{
		Use:   "delete ID...",
		Short: "Delete documents and every chunk and vector of them",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withWriter(cmd, func(eng *rag.Engine) error {
				for _, id := range args {
					if err := eng.Delete(cmd.Context(), id); err != nil {
						return err
					}
					fmt.Fprintf(a.stdout, "deleted %s\n", termSafe(id))
				}
				return nil
			})
		},
	}
	docs.AddCommand(list, del)
	return docs
}

// isRequestError reports whether err is a mistake in the request itself.
func isRequestError(err error) bool {
	return errors.Is(err, rag.ErrEmptyQuestion) || errors.Is(err, rag.ErrInvalidArgument) ||
		errors.Is(err, rag.ErrNotFound) || errors.Is(err, rag.ErrLLMUnavailable)
}
