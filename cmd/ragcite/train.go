package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/eval"
)

// trainCommand is `ragcite train`: it refits the answer ranker on the
// public benchmarks and writes the weights file. Most of its length is the
// command's help text and flags, kept beside the code that reads them.
func (a *app) trainCommand() *cobra.Command {
	var bench, out string
	opt := eval.DefaultTrainOptions
	cmd := &cobra.Command{
		Use:   "train --bench DIR [--out FILE]",
		Short: "Fit the answer ranker on public benchmarks and report cross-validated figures",
		Long: "train reads squad2/squad2-dev-two-articles.json and wikiqa/WikiQA-test-even.tsv under --bench, fits the " +
			"sentence ranker (pairwise logistic regression, calibrated), calibrates its confidence and picks the abstention threshold on " +
			"out-of-fold scores, prints figures cross-validated by SQuAD article and WikiQA question, and writes the " +
			"weights to --out (rag/rank_weights.json is the built-in file).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if bench == "" {
				return &usageError{errors.New("train: give --bench DIR")}
			}
			sf, err := os.Open(filepath.Join(bench, "squad2", "squad2-dev-two-articles.json"))
			if err != nil {
				return &exitCodeError{code: 2, err: fmt.Errorf("train: %w", err)}
			}
			defer sf.Close()
			arts, err := eval.LoadSquad2(sf)
			if err != nil {
				return &exitCodeError{code: 2, err: err}
			}
			wf, err := os.Open(filepath.Join(bench, "wikiqa", "WikiQA-test-even.tsv"))
			if err != nil {
				return &exitCodeError{code: 2, err: fmt.Errorf("train: %w", err)}
			}
			defer wf.Close()
			wiki, err := eval.LoadWikiQA(wf)
			if err != nil {
				return &exitCodeError{code: 2, err: err}
			}
			rep, err := eval.Train(cmd.Context(), arts, wiki, opt)
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			var b strings.Builder
			eval.WriteTrainReport(&b, rep)
			fmt.Fprint(a.stdout, b.String())
			if out == "" {
				return nil
			}
			data, err := json.MarshalIndent(rep.Model, "", "  ")
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
				return fmt.Errorf("train: %w", err)
			}
			fmt.Fprintf(a.stdout, "wrote %s\n", out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&bench, "bench", "", "directory holding squad2/ and wikiqa/")
	f.StringVar(&out, "out", "", "write the fitted ranker (JSON) here")
	f.Float64Var(&opt.L2, "l2", opt.L2, "ridge penalty on standardised weights")
	f.Float64Var(&opt.FalseAbstainGoal, "false-abstain", opt.FalseAbstainGoal, "share of answerable questions allowed to abstain")
	f.Float64Var(&opt.PresentGoal, "present", opt.PresentGoal, "share of answerable questions the presence check may judge unanswered (0: no presence check)")
	return cmd
}
