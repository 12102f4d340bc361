package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/ragcite/ragcite/eval"
	"github.com/ragcite/ragcite/rag"
)

// runAttribution judges the claims of o.attribution with the configured
// verifier, or with --fit cross-validates a freshly fitted lexical
// verifier, and reports and gates the verdicts like a suite. It reads as
// the command's steps in order (load, judge or fit, report, gate), so it is
// kept in one function.
func (a *app) runAttribution(ctx context.Context, o evalOptions) error {
	setup := func(err error) error { return &exitCodeError{code: 2, err: err} }
	claims, err := eval.LoadAttributionFile(o.attribution)
	if err != nil {
		return setup(err)
	}
	var baseline *eval.AttributionMetrics
	if o.baseline != "" {
		if baseline, err = eval.LoadAttributionBaseline(o.baseline); err != nil {
			return setup(err)
		}
	}
	if o.llmCache != "" {
		a.httpClient = &http.Client{Transport: &eval.Replay{Dir: o.llmCache, ReplayOnly: o.replayOnly}}
	}
	start := time.Now()
	var vs []eval.AttributionVerdict
	name := "attribution " + o.attribution
	if o.fit != "" {
		res, err := eval.FitLexical(claims, eval.FitOptions{Folds: o.folds})
		if err != nil {
			return setup(err)
		}
		if err := writeModel(o.fit, res.Model); err != nil {
			return setup(err)
		}
		vs = res.HeldOut
		name += fmt.Sprintf(" (lexical, fitted; %d-fold cross-validation by question, held-out verdicts)", o.folds)
		fmt.Fprintf(a.stderr, "wrote %s\n", o.fit)
	} else {
		a.cfg.Data = "" // judgements are recorded with --llm-cache, not in a store's cache
		v, err := a.verifier()
		if err != nil {
			return err
		}
		if vs, err = eval.RunAttribution(ctx, claims, v); err != nil {
			return setup(err)
		}
		name += " (" + v.Name() + ")"
	}
	rep := eval.AttributionReport(name, vs, time.Since(start))
	rep.Target = "in-process"
	eval.ApplyAttributionGates(rep, o.attrGates, baseline, o.maxRegression)
	if err := eval.WriteConsole(a.stdout, rep); err != nil {
		return err
	}
	for _, out := range []struct {
		path  string
		write func(io.Writer, *eval.Report) error
	}{{o.jsonOut, eval.WriteJSON}, {o.junitOut, eval.WriteJUnit}, {o.mdOut, eval.WriteMarkdown}, {o.htmlOut, eval.WriteHTML}} {
		if out.path == "" {
			continue
		}
		if err := writeReport(out.path, rep, out.write); err != nil {
			return setup(err)
		}
	}
	if !rep.Pass {
		return &exitCodeError{code: 1, err: fmt.Errorf("eval %s: a gate failed", o.attribution)}
	}
	return nil
}

func writeModel(path string, m rag.LexicalModel) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	return nil
}
