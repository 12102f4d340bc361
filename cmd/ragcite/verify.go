package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
)

func (a *app) verifyCommand() *cobra.Command {
	var (
		asJSON       bool
		req          rag.VerifyRequest
		passageFiles []string
	)
	cmd := &cobra.Command{
		Use:   "verify [TEXT]",
		Short: "Judge whether passages or stored documents support a text, sentence by sentence",
		Long: "verify grades each sentence of TEXT (or of standard input, or each --claim) as supported, partial or unsupported " +
			"by the passages of --passage files or by stored documents (--doc), with --verifier, and quotes what backs it.",
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Text = strings.Join(args, " ")
			if req.Text == "" && len(req.Claims) == 0 {
				b, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return fmt.Errorf("verify: read standard input: %w", err)
				}
				req.Text = string(b)
			}
			for _, f := range passageFiles {
				b, err := os.ReadFile(f)
				if err != nil {
					return &usageError{fmt.Errorf("verify: %w", err)}
				}
				req.Passages = append(req.Passages, string(b))
			}
			if err := rag.ValidateVerify(req); err != nil {
				return &usageError{fmt.Errorf("verify: %w", err)}
			}
			run := func(eng *rag.Engine) error {
				res, err := eng.Verify(cmd.Context(), req)
				if err != nil {
					return asUsage(err, eng)
				}
				if asJSON {
					return writeJSON(a.stdout, res)
				}
				printVerify(a.stdout, res, passageFiles)
				return nil
			}
			if len(req.DocIDs) > 0 {
				return a.withDocuments(cmd, run)
			}
			a.cfg.Data = "" // passages only: no store on disk is needed
			return a.withEngine(cmd, run)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reply object of POST /v1/verify")
	cmd.Flags().StringArrayVar(&req.Claims, "claim", nil, "a claim to judge (repeatable) instead of TEXT")
	cmd.Flags().StringArrayVar(&passageFiles, "passage", nil, "a file whose text is one passage (repeatable)")
	cmd.Flags().StringSliceVar(&req.DocIDs, "doc", nil, "a stored document to judge against (repeatable)")
	return cmd
}

func printVerify(w io.Writer, res *rag.VerifyResult, files []string) {
	for _, s := range res.Sentences {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-11s %.2f  %s %s", s.Support, s.Score, termSafe(s.Text), rag.FormatMarkers(s.Citations)), " "))
	}
	if len(res.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nQuotes:")
	for _, c := range res.Citations {
		from := c.DocID
		if c.Passage > 0 && c.Passage <= len(files) {
			from = files[c.Passage-1]
		}
		fmt.Fprintf(w, "[%d] %s, bytes %d-%d\n    %q\n", c.N, termSafe(from), c.Start, c.End, c.Quote)
	}
}

// printPartial lists the kept sentences the sources support only in part.
func printPartial(w io.Writer, ss []rag.VerifiedSentence) {
	var partial []string
	for _, s := range ss {
		if s.Support != rag.Supported {
			partial = append(partial, fmt.Sprintf("  - (%s) %s", s.Support, termSafe(s.Text)))
		}
	}
	if len(partial) > 0 {
		fmt.Fprintln(w, "\nNot fully supported by the sources (kept, marked):")
		fmt.Fprintln(w, strings.Join(partial, "\n"))
	}
}
