package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
)

func (a *app) askCommand() *cobra.Command {
	var (
		asJSON  bool
		req     rag.AskRequest
		mode    string
		docIDs  []string
		minConf float64
	)
	cmd := &cobra.Command{
		Use:   "ask QUESTION",
		Short: "Answer a question with cited sources",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Question = strings.Join(args, " ")
			req.Mode = rag.Mode(mode)
			req.Filter.DocIDs = docIDs
			if err := atLeastOne(cmd, "top-k", req.TopK); err != nil {
				return err
			}
			if strings.TrimSpace(req.Question) == "" {
				return &usageError{rag.ErrEmptyQuestion}
			}
			if cmd.Flags().Changed("min-confidence") {
				req.MinConfidence = &minConf
			}
			return a.withDocuments(cmd, func(eng *rag.Engine) error {
				ans, err := eng.Ask(cmd.Context(), req)
				if err != nil {
					return asUsage(err, eng)
				}
				if asJSON {
					return writeJSON(a.stdout, ans)
				}
				printAnswer(a.stdout, ans)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reply object of POST /v1/ask")
	cmd.Flags().IntVarP(&req.TopK, "top-k", "k", rag.DefaultTopK, "passages to retrieve")
	cmd.Flags().StringVar(&mode, "mode", "auto", "auto, extractive or llm")
	cmd.Flags().Float64Var(&minConf, "min-confidence", 0, "abstain below this confidence (0 to 1; default: the ranker's)")
	cmd.Flags().StringSliceVar(&docIDs, "doc", nil, "only these document ids (repeatable)")
	cmd.Flags().StringVar(&req.Collection, "collection", "", "only this collection (default: every collection)")
	return cmd
}

func (a *app) searchCommand() *cobra.Command {
	var (
		asJSON bool
		req    rag.SearchRequest
		docIDs []string
	)
	cmd := &cobra.Command{
		Use:   "search QUERY",
		Short: "Show the passages retrieved for a query",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Query = strings.Join(args, " ")
			req.Filter.DocIDs = docIDs
			if err := atLeastOne(cmd, "top-k", req.TopK); err != nil {
				return err
			}
			if strings.TrimSpace(req.Query) == "" {
				return &usageError{errors.New("the query is empty")}
			}
			return a.withDocuments(cmd, func(eng *rag.Engine) error {
				res, err := eng.Search(cmd.Context(), req)
				if err != nil {
					return asUsage(err, eng)
				}
				if asJSON {
					return writeJSON(a.stdout, map[string]any{"results": res})
				}
				for i, r := range res {
					fmt.Fprintf(a.stdout, "%d. %s (%s, bytes %d-%d, score %.4f)\n%s\n\n", i+1, termSafe(r.Title), termSafe(r.DocID), r.Start, r.End, r.Score, indent(termSafe(r.Text)))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reply object of POST /v1/search")
	cmd.Flags().IntVarP(&req.TopK, "top-k", "k", rag.DefaultTopK, "passages to return")
	cmd.Flags().StringSliceVar(&docIDs, "doc", nil, "only these document ids (repeatable)")
	cmd.Flags().StringVar(&req.Collection, "collection", "", "only this collection (default: every collection)")
	return cmd
}

func (a *app) summarizeCommand() *cobra.Command {
	var (
		asJSON bool
		req    rag.SummarizeRequest
		mode   string
	)
	cmd := &cobra.Command{
		Use:   "summarize (--doc ID... | --query Q)",
		Short: "Summarize documents or the passages for a query, with citations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			req.Mode = rag.Mode(mode)
			if err := atLeastOne(cmd, "max-sentences", req.MaxSentences); err != nil {
				return err
			}
			return a.withDocuments(cmd, func(eng *rag.Engine) error {
				sum, err := eng.Summarize(cmd.Context(), req)
				if err != nil {
					return asUsage(err, eng)
				}
				if asJSON {
					return writeJSON(a.stdout, sum)
				}
				fmt.Fprintln(a.stdout, termSafe(sum.Summary))
				printSources(a.stdout, sum.Citations)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reply object of POST /v1/summarize")
	cmd.Flags().StringSliceVar(&req.DocIDs, "doc", nil, "document ids to summarize (repeatable)")
	cmd.Flags().StringVar(&req.Query, "query", "", "summarize the passages retrieved for this query")
	cmd.Flags().IntVar(&req.MaxSentences, "max-sentences", rag.DefaultSummarySentences, "sentences in the summary")
	cmd.Flags().StringVar(&req.Collection, "collection", "", "only this collection: the query's passages come from it, --doc documents must be in it")
	cmd.Flags().StringVar(&mode, "mode", "auto", "auto, extractive or llm")
	return cmd
}

// atLeastOne refuses a count flag below 1: the library reads 0 as "the
// default", but on the command line 0 is a mistake, not a request for it.
func atLeastOne(cmd *cobra.Command, flag string, v int) error {
	if v < 1 {
		return &usageError{fmt.Errorf("--%s %d: must be 1 or more", flag, v)}
	}
	return nil
}

// asUsage marks request mistakes (empty question, bad top-k) as usage errors.
// A failing LLM endpoint is not a usage mistake; asking for mode llm
// without one is.
func asUsage(err error, eng *rag.Engine) error {
	if errors.Is(err, rag.ErrLLMUnavailable) && eng.Chat() != nil {
		return err
	}
	if isRequestError(err) {
		return &usageError{err}
	}
	return err
}

func printAnswer(w io.Writer, ans *rag.Answer) {
	fmt.Fprintln(w, termSafe(ans.Answer))
	if ans.Degraded {
		fmt.Fprintf(w, "\n(answered extractively: %s)\n", ans.Reason)
	}
	printPartial(w, ans.Sentences)
	if len(ans.Unsupported) > 0 {
		fmt.Fprintln(w, "\nNot supported by the sources (removed):")
		for _, s := range ans.Unsupported {
			fmt.Fprintf(w, "  - %s\n", termSafe(s))
		}
	}
	printSources(w, ans.Citations)
}

func printSources(w io.Writer, cites []rag.Citation) {
	if len(cites) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	for _, c := range cites {
		fmt.Fprintf(w, "[%d] %s (%s, bytes %d-%d)\n    %q\n", c.N, termSafe(c.Title), termSafe(c.DocID), c.Start, c.End, c.Quote)
	}
}

func indent(s string) string {
	return "   " + strings.ReplaceAll(s, "\n", "\n   ")
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
