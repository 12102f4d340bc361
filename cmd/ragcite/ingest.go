package main

import (
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
			return a.withWriter(cmd, func(eng *rag.Engine) error {
				sum, err := ingestPaths(cmd, eng, args, a.stderr, fetch, collection)
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

// ingestPaths loads and ingests paths and http(s) URLs, warning about
// skipped files and drawing a progress bar when stderr is a terminal. A URL
// that cannot be fetched fails the run before anything is ingested. The
// progress bar, warnings and the batch share the counts, so loading and
// ingesting stay in one function.
func ingestPaths(cmd *cobra.Command, eng *rag.Engine, paths []string, stderr interface{ Write([]byte) (int, error) }, fetch load.FetchOptions, collection string) (ingestSummary, error) {
	start := time.Now()
	var files, urls []string
	for _, p := range paths {
		if load.IsURL(p) {
			urls = append(urls, p)
		} else {
			files = append(files, p)
		}
	}
	var docs []rag.Document
	var warns []load.Warning
	if len(files) > 0 {
		var err error
		if docs, warns, err = load.Paths(files); err != nil {
			return ingestSummary{}, err
		}
	}
	for _, u := range urls {
		d, err := load.FetchURL(cmd.Context(), u, fetch)
		if err != nil {
			return ingestSummary{}, fmt.Errorf("ingest: %w", err)
		}
		docs = append(docs, d)
	}
	if collection != "" {
		for i := range docs {
			if docs[i].Metadata[rag.MetaCollection] == "" {
				docs[i].Collection = collection
			}
		}
	}
	for _, w := range warns {
		fmt.Fprintln(stderr, "warning:", w)
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
