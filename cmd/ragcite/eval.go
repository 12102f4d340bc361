package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/eval"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
)

type evalOptions struct {
	suite, jsonOut, junitOut, mdOut, htmlOut string
	collection                               string
	baseline                                 string
	maxRegression                            float64
	server                                   string
	llmCache                                 string
	replayOnly                               bool
	wikiqa, dump                             string
	attribution, fit                         string
	folds                                    int
	attrGates                                eval.AttributionGates
}

func (a *app) evalCommand() *cobra.Command {
	var o evalOptions
	cmd := &cobra.Command{
		Use:   "eval (--suite FILE | --wikiqa FILE | --attribution FILE)",
		Short: "Run an eval suite or benchmark; exit 1 when a gate fails",
		Long: "eval runs a suite of questions with known facts against a fresh in-process store (or a running server with --server) " +
			"and checks the answers. Exit codes: 0 every gate holds, 1 a gate failed, 2 a usage or setup error.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkEvalFlags(cmd, o); err != nil {
				return err
			}
			switch {
			case o.wikiqa != "":
				return a.runWikiQA(o)
			case o.attribution != "":
				return a.runAttribution(cmd.Context(), o)
			case o.suite == "":
				return &usageError{errors.New("eval: give --suite FILE, --wikiqa FILE or --attribution FILE")}
			}
			return a.runSuite(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.suite, "suite", "", "suite YAML file")
	f.StringVar(&o.collection, "collection", "", "ingest the suite's documents into this collection and ask only there")
	f.StringVar(&o.jsonOut, "json", "", "write the JSON report to this file")
	f.StringVar(&o.junitOut, "junit", "", "write a JUnit XML report to this file")
	f.StringVar(&o.mdOut, "markdown", "", "write a Markdown summary to this file")
	f.StringVar(&o.htmlOut, "html", "", "write an HTML report to this file")
	f.StringVar(&o.baseline, "baseline", "", "a JSON report to compare metrics against")
	f.Float64Var(&o.maxRegression, "max-regression", 0.02, "largest allowed drop of any metric below the baseline")
	f.StringVar(&o.server, "server", "", "run against a ragcite server at this URL instead of in-process (key: RAGCITE_EVAL_API_KEY)")
	f.StringVar(&o.llmCache, "llm-cache", "", "record LLM and embedding exchanges here the first time and replay them later")
	f.BoolVar(&o.replayOnly, "replay-only", os.Getenv("RAGCITE_REPLAY_ONLY") == "1", "with --llm-cache: fail on a request not recorded (RAGCITE_REPLAY_ONLY=1)")
	f.StringVar(&o.wikiqa, "wikiqa", "", "rank WikiQA TSV candidate sentences and report MAP, MRR and answer triggering")
	f.StringVar(&o.dump, "dump", "", "with --wikiqa: write each question's ranking as JSON lines")
	f.StringVar(&o.attribution, "attribution", "", "judge the claims of a JSONL file (ExpertQA attribution format) with --verifier and report kept recall, caught and balanced accuracy")
	f.StringVar(&o.fit, "fit", "", "with --attribution: fit the lexical verifier, report its cross-validated verdicts, and write the model to this file")
	f.IntVar(&o.folds, "folds", 5, "with --fit: cross-validation folds, by question")
	f.Float64Var(&o.attrGates.MinKeptRecall, "min-kept-recall", 0, "with --attribution: gate on kept recall")
	f.Float64Var(&o.attrGates.MinCaught, "min-caught", 0, "with --attribution: gate on caught")
	f.Float64Var(&o.attrGates.MinBalancedAccuracy, "min-balanced-accuracy", 0, "with --attribution: gate on balanced accuracy")
	return cmd
}

// checkEvalFlags refuses flags the chosen mode would otherwise ignore.
func checkEvalFlags(cmd *cobra.Command, o evalOptions) error {
	if o.suite != "" && o.wikiqa != "" {
		return &usageError{errors.New("eval: give --suite or --wikiqa, not both")}
	}
	if o.attribution != "" && (o.suite != "" || o.wikiqa != "") {
		return &usageError{errors.New("eval: give --attribution alone, not with --suite or --wikiqa")}
	}
	if o.attribution == "" {
		for _, name := range []string{"fit", "folds", "min-kept-recall", "min-caught", "min-balanced-accuracy"} {
			if cmd.Flags().Changed(name) {
				return &usageError{fmt.Errorf("eval: --%s works with --attribution only", name)}
			}
		}
	} else if cmd.Flags().Changed("server") {
		return &usageError{errors.New("eval: --server works with --suite only; --attribution runs the verifier in-process")}
	}
	suiteOnly := []string{"baseline", "max-regression", "server", "llm-cache", "replay-only"}
	if o.wikiqa == "" {
		suiteOnly = []string{"dump"}
	}
	for _, name := range suiteOnly {
		if cmd.Flags().Changed(name) {
			mode := "--suite"
			if name == "dump" {
				mode = "--wikiqa"
			}
			return &usageError{fmt.Errorf("eval: --%s works with %s only", name, mode)}
		}
	}
	return nil
}

func (a *app) runSuite(ctx context.Context, o evalOptions) error {
	setup := func(err error) error { return &exitCodeError{code: 2, err: err} }
	suite, err := eval.LoadSuite(o.suite)
	if err != nil {
		return setup(err)
	}
	var baseline *eval.Metrics
	if o.baseline != "" {
		if baseline, err = eval.LoadBaseline(o.baseline); err != nil {
			return setup(err)
		}
	}
	if o.llmCache != "" {
		a.httpClient = &http.Client{Transport: &eval.Replay{Dir: o.llmCache, ReplayOnly: o.replayOnly}}
	}
	docs, warns, err := load.Paths(suite.DocumentPaths())
	if err != nil {
		return setup(fmt.Errorf("suite documents: %w", err))
	}
	for _, w := range warns {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
	if len(docs) == 0 {
		return setup(fmt.Errorf("suite documents %v hold no loadable files", suite.DocumentPaths()))
	}
	target, closeTarget, err := a.evalTarget(ctx, o)
	if err != nil {
		return setup(err)
	}
	defer closeTarget()
	if o.collection != "" {
		if err := rag.ValidateCollection(o.collection); err != nil {
			return &usageError{fmt.Errorf("--collection: %w", err)}
		}
		target = eval.InCollection(target, o.collection)
	}
	if err := target.Ingest(ctx, docs); err != nil {
		return setup(fmt.Errorf("ingest the suite's documents: %w", err))
	}
	rep, err := eval.Run(ctx, suite, target)
	if err != nil {
		return setup(err)
	}
	rep.Target = "in-process"
	if o.server != "" {
		rep.Target = o.server
	}
	eval.ApplyGates(rep, suite.Gates, baseline, o.maxRegression)
	if err := eval.WriteConsole(a.stdout, rep); err != nil {
		return err
	}
	if err := writeReports(o, rep, eval.WriteJSON, eval.WriteJUnit, eval.WriteMarkdown, eval.WriteHTML); err != nil {
		return setup(err)
	}
	if !rep.Pass {
		return &exitCodeError{code: 1, err: fmt.Errorf("eval %s: a gate failed", suite.Name)}
	}
	return nil
}

// evalTarget is a fresh in-memory engine, or the server at o.server.
func (a *app) evalTarget(ctx context.Context, o evalOptions) (eval.Target, func(), error) {
	if o.server != "" {
		return &eval.HTTPTarget{BaseURL: o.server, APIKey: os.Getenv("RAGCITE_EVAL_API_KEY")}, func() {}, nil
	}
	a.cfg.Data = "" // a fresh store in memory, unless --store names a database
	eng, err := a.openEngine(ctx)
	if err != nil {
		return nil, nil, err
	}
	return eval.EngineTarget{Engine: eng}, func() { eng.Close() }, nil
}

// writeReports writes every report format asked for (--json, --junit,
// --markdown, --html) with the writers of one eval mode, in that order.
func writeReports[R any](o evalOptions, rep R, json, junit, md, html func(io.Writer, R) error) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer, R) error
	}{{o.jsonOut, json}, {o.junitOut, junit}, {o.mdOut, md}, {o.htmlOut, html}} {
		if out.path == "" {
			continue
		}
		if err := writeReport(out.path, rep, out.write); err != nil {
			return err
		}
	}
	return nil
}

func writeReport[R any](path string, rep R, write func(io.Writer, R) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if err := write(f, rep); err != nil {
		f.Close()
		return fmt.Errorf("write report %s: %w", path, err)
	}
	return f.Close()
}

func (a *app) runWikiQA(o evalOptions) error {
	f, err := os.Open(o.wikiqa)
	if err != nil {
		return &exitCodeError{code: 2, err: fmt.Errorf("wikiqa: %w", err)}
	}
	defer f.Close()
	qs, err := eval.LoadWikiQA(f)
	if err != nil {
		return &exitCodeError{code: 2, err: err}
	}
	res := eval.RunWikiQA(qs, nil)
	fmt.Fprintf(a.stdout, "WikiQA: %d questions, %d with a correct sentence (the built-in ranker was fitted on the shared file: `ragcite train` gives cross-validated figures)\nanswer selection: MAP %.4f  MRR %.4f\nanswer triggering (threshold %.2f): precision %.4f  recall %.4f  F1 %.4f\n",
		res.Questions, res.Answerable, res.MAP, res.MRR, res.Threshold, res.Precision, res.Recall, res.F1)
	if o.dump != "" {
		if err := writeReport(o.dump, res, eval.WriteWikiQADump); err != nil {
			return &exitCodeError{code: 2, err: err}
		}
	}
	rep := eval.WikiQAReport(res, o.wikiqa)
	if err := writeReports(o, rep, eval.WriteBenchmarkJSON, eval.WriteBenchmarkJUnit, eval.WriteBenchmarkMarkdown, eval.WriteBenchmarkHTML); err != nil {
		return &exitCodeError{code: 2, err: err}
	}
	return nil
}
