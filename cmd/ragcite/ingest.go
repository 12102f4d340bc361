package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
)

func (a *app) ingestCommand() *cobra.Command {
	var fetch load.FetchOptions
	var collection string
	cmd := &cobra.Command{
		Use:   "ingest PATH|URL...",
		Short: "Ingest files, directories (.txt, .md, .html, .jsonl, .pdf, .docx) and web pages by http(s) URL",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// The files load while the store and the tokenizer open.
			start := time.Now()
			loaded := make(chan loadedInputs, 1)
			go func() { loaded <- loadInputs(cmd.Context(), args, fetch, collection) }()
			return a.withWriter(cmd, func(eng *rag.Engine) error {
				sum, err := ingestLoaded(cmd, eng, <-loaded, a.stderr, start)
				if err != nil {
					return err
				}
				fmt.Fprintln(a.stdout, sum)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&fetch.AllowPrivate, "allow-private-urls", envBool("RAGCITE_ALLOW_PRIVATE_URLS", false),
		"fetch URLs on loopback, private and link-local addresses too (RAGCITE_ALLOW_PRIVATE_URLS)")
	cmd.Flags().DurationVar(&fetch.Timeout, "fetch-timeout", 20*time.Second, "time limit for fetching one URL")
	cmd.Flags().StringVar(&collection, "collection", "", "put the documents in this collection (default: their \"collection\" metadata, else default)")
	return cmd
}

// ingestSummary is the one-line report of an ingest run.
type ingestSummary struct {
	created, updated, unchanged, skipped, chunks int
	elapsed                                      time.Duration
}

func (s ingestSummary) String() string {
	return fmt.Sprintf("documents: %d created, %d updated, %d unchanged, %d skipped; %d chunks; %s",
		s.created, s.updated, s.unchanged, s.skipped, s.chunks, s.elapsed.Round(time.Millisecond))
}

// ingestPaths loads and ingests paths and http(s) URLs (see loadInputs and
// ingestLoaded).
func ingestPaths(cmd *cobra.Command, eng *rag.Engine, paths []string, stderr interface{ Write([]byte) (int, error) }, fetch load.FetchOptions, collection string) (ingestSummary, error) {
	start := time.Now()
	return ingestLoaded(cmd, eng, loadInputs(cmd.Context(), paths, fetch, collection), stderr, start)
}

// loadedInputs is what loadInputs read.
type loadedInputs struct {
	docs  []rag.Document
	warns []load.Warning
	err   error
}

// loadInputs loads paths and fetches http(s) URLs, placing the documents
// in collection when given. A URL that cannot be fetched fails the run
// before anything is ingested.
func loadInputs(ctx context.Context, paths []string, fetch load.FetchOptions, collection string) loadedInputs {
	var files, urls []string
	for _, p := range paths {
		if load.IsURL(p) {
			urls = append(urls, p)
		} else {
			files = append(files, p)
		}
	}
	var in loadedInputs
	if len(files) > 0 {
		if in.docs, in.warns, in.err = load.Paths(files); in.err != nil {
			return in
		}
	}
	for _, u := range urls {
		d, err := load.FetchURL(ctx, u, fetch)
		if err != nil {
			return loadedInputs{err: fmt.Errorf("ingest: %w", err)}
		}
		in.docs = append(in.docs, d)
	}
	if collection != "" {
		for i := range in.docs {
			if in.docs[i].Metadata[rag.MetaCollection] == "" {
				in.docs[i].Collection = collection
			}
		}
	}
	return in
}

// ingestLoaded ingests what loadInputs read, warning about skipped files
// and drawing a progress bar when stderr is a terminal. The progress bar,
// warnings and the batch share the counts, so they stay in one function.
func ingestLoaded(cmd *cobra.Command, eng *rag.Engine, in loadedInputs, stderr interface{ Write([]byte) (int, error) }, start time.Time) (ingestSummary, error) {
	if in.err != nil {
		return ingestSummary{}, in.err
	}
	docs, warns := in.docs, in.warns
	for _, w := range warns {
		fmt.Fprintln(stderr, "warning:", termSafe(w.String()))
	}
	if len(docs) == 0 && len(warns) > 0 {
		return ingestSummary{}, fmt.Errorf("nothing to ingest: all %d files were skipped (see the warnings above)", len(warns))
	}
	var progress rag.Progress
	if f, ok := stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) && len(docs) > 0 {
		bar := progressbar.NewOptions(len(docs), progressbar.OptionSetWriter(f), progressbar.OptionSetDescription("ingesting"),
			progressbar.OptionShowCount(), progressbar.OptionClearOnFinish())
		progress = func(done, total int) { _ = bar.Set(done) }
		defer bar.Finish()
	}
	results, err := eng.Ingest(cmd.Context(), docs, progress)
	if err != nil {
		return ingestSummary{}, err
	}
	s := ingestSummary{skipped: len(warns)}
	for _, r := range results {
		switch r.Status {
		case rag.StatusCreated:
			s.created++
		case rag.StatusUpdated:
			s.updated++
		case rag.StatusUnchanged:
			s.unchanged++
		}
		s.chunks += r.Chunks
	}
	s.elapsed = time.Since(start)
	return s, nil
}
