package rag

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Progress reports how many of a batch's documents are done.
type Progress func(done, total int)

// Ingest validates every document first (an invalid one fails the batch
// before anything is written), then chunks and embeds changed documents on
// e.workers goroutines and stores each as it completes. An unchanged document
// (same content hash) is a no-op; a changed one replaces its old chunks.
// Results are in input order. The batch is stored all or nothing: on error
// no document of it was written.
func (e *Engine) Ingest(ctx context.Context, docs []Document, progress Progress) ([]IngestResult, error) {
	return e.IngestIn(ctx, Scope{}, docs, progress)
}

// IngestIn is Ingest for a caller limited to the collections of s: a
// document placed outside s is invalid, and one whose id a document outside
// s holds fails the batch with ErrIDTaken before anything is compared or
// written, so the reply says nothing of that document.
func (e *Engine) IngestIn(ctx context.Context, s Scope, docs []Document, progress Progress) ([]IngestResult, error) {
	docs, err := validateBatch(docs)
	if err != nil {
		return nil, err
	}
	if err := checkScope(s, docs); err != nil {
		return nil, err
	}
	e.ingestMu.Lock()
	defer e.ingestMu.Unlock()

	results, jobs, err := e.planIngest(ctx, s, docs)
	if err != nil {
		return nil, err
	}
	if bs, ok := e.store.(BatchStore); ok && len(jobs) > 0 {
		b, err := bs.BeginBatch(ctx)
		switch {
		case err == nil:
			if err := e.streamAll(ctx, b, docs, jobs, results, progress); err != nil {
				return nil, fmt.Errorf("ingest: %w", err)
			}
			return results, nil
		case !errors.Is(err, errors.ErrUnsupported):
			return nil, fmt.Errorf("ingest: store: %w", err)
		}
	}
	prepared, err := e.prepareAll(ctx, docs, jobs, results, progress)
	if err != nil {
		return nil, fmt.Errorf("ingest: %w", err)
	}
	if len(prepared) > 0 {
		if err := e.store.Put(ctx, prepared...); err != nil {
			return nil, fmt.Errorf("ingest: store: %w", err)
		}
	}
	return results, nil
}

// validateBatch checks every document and that no id appears twice, and
// returns a copy of docs with each document placed in its collection.
func validateBatch(docs []Document) ([]Document, error) {
	seen := make(map[string]bool, len(docs))
	docs = slices.Clone(docs)
	for i, d := range docs {
		if err := ValidateDocument(d); err != nil {
			return nil, err
		}
		placed, err := placeInCollection(d)
		if err != nil {
			return nil, err
		}
		docs[i] = placed
		if seen[d.ID] {
			return nil, fmt.Errorf("%w: document id %q appears twice in the batch", ErrInvalidArgument, d.ID)
		}
		seen[d.ID] = true
	}
	return docs, nil
}

// ingestJob is a document of the batch to chunk and embed: its index in the
// batch and its content hash.
type ingestJob struct {
	i    int
	hash string
}

// planIngest compares each document with its stored version: unchanged ones
// are done, created and updated ones become jobs.
func (e *Engine) planIngest(ctx context.Context, s Scope, docs []Document) ([]IngestResult, []ingestJob, error) {
	results := make([]IngestResult, len(docs))
	var jobs []ingestJob
	for i, d := range docs {
		results[i] = IngestResult{ID: d.ID, Title: d.Title}
		hash := ContentHash(d)
		info, err := e.store.Info(ctx, d.ID)
		switch {
		case err == nil && !s.Allows(collectionOf(info.Metadata)):
			return nil, nil, idTaken(d.ID)
		case err == nil && info.Hash == hash:
			results[i].Status, results[i].Chunks = StatusUnchanged, info.Chunks
		case err == nil:
			results[i].Status = StatusUpdated
			if results[i].Changed, err = e.changedFields(ctx, d); err != nil {
				return nil, nil, fmt.Errorf("ingest %q: %w", d.ID, err)
			}
			jobs = append(jobs, ingestJob{i, hash})
		case errors.Is(err, ErrNotFound):
			results[i].Status = StatusCreated
			jobs = append(jobs, ingestJob{i, hash})
		default:
			return nil, nil, fmt.Errorf("ingest %q: %w", d.ID, err)
		}
	}
	return results, jobs, nil
}

// prepareAll chunks and embeds the jobs' documents on e.workers goroutines,
// recording chunk counts in results and reporting progress. The first error
// cancels the rest; the prepared documents are in job order.
func (e *Engine) prepareAll(ctx context.Context, docs []Document, jobs []ingestJob, results []IngestResult, progress Progress) ([]StoredDocument, error) {
	prepared := make([]StoredDocument, len(jobs))
	err := e.forEachJob(ctx, docs, jobs, results, progress, func(ctx context.Context, k int) (int, error) {
		j := jobs[k]
		sd, err := e.prepare(ctx, docs[j.i], j.hash)
		prepared[k] = sd
		return len(sd.Chunks), err
	})
	if err != nil {
		return nil, err
	}
	return prepared, nil
}

// streamAll chunks and embeds the jobs' documents on e.workers goroutines
// and adds each to b as it is ready, a large document window by window (its
// vectors are written as they are computed, never all held); then commits
// b. On error b is aborted: nothing of the batch is applied.
func (e *Engine) streamAll(ctx context.Context, b Batch, docs []Document, jobs []ingestJob, results []IngestResult, progress Progress) error {
	err := e.forEachJob(ctx, docs, jobs, results, progress, func(ctx context.Context, k int) (int, error) {
		sd, more, err := e.embedded(ctx, docs[jobs[k].i], jobs[k].hash)
		if err != nil {
			return 0, err
		}
		if err := b.Add(ctx, sd, more); err != nil {
			return 0, fmt.Errorf("store: %w", err)
		}
		return len(sd.Chunks), nil
	})
	if err != nil {
		b.Abort()
		return err
	}
	if err := b.Commit(ctx); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// forEachJob runs do(k) for every job k on e.workers goroutines, recording
// the chunk count it returns in results and reporting progress. The first
// error cancels the rest.
func (e *Engine) forEachJob(ctx context.Context, docs []Document, jobs []ingestJob, results []IngestResult, progress Progress, do func(ctx context.Context, k int) (int, error)) error {
	total, done := len(docs), len(docs)-len(jobs)
	if progress != nil {
		progress(done, total)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int) // index into jobs
	var mu sync.Mutex      // guards results and done
	var wg sync.WaitGroup
	for range min(e.workers, max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				chunks, err := do(ctx, k)
				if err != nil {
					cancel(err)
					return
				}
				mu.Lock()
				results[jobs[k].i].Chunks = chunks
				done++
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for k := range jobs {
		select {
		case work <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// changedFields names the fields in which d differs from its stored version.
func (e *Engine) changedFields(ctx context.Context, d Document) ([]string, error) {
	old, err := e.store.Document(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, f := range []struct {
		name string
		same bool
	}{
		{"title", old.Title == d.Title}, {"source", old.Source == d.Source}, {"text", old.Text == d.Text},
		{"metadata", maps.Equal(old.Metadata, d.Metadata)},
	} {
		if !f.same {
			changed = append(changed, f.name)
		}
	}
	return changed, nil
}

// embedWindow is the number of chunks embedded at once: the texts given
// to the embedder (a chunk with its heading path) exist for one window at
// a time, not for a whole large document.
const embedWindow = 4096

// prepare chunks and embeds one document.
func (e *Engine) prepare(ctx context.Context, d Document, hash string) (StoredDocument, error) {
	sd, more, err := e.embedded(ctx, d, hash)
	if err != nil {
		return StoredDocument{}, err
	}
	for len(sd.Vectors) < len(sd.Chunks) {
		vs, err := more()
		if err != nil {
			return StoredDocument{}, err
		}
		sd.Vectors = append(sd.Vectors, vs...)
	}
	return sd, nil
}

// embedded chunks d and embeds its first embedWindow chunks: sd holds the
// chunks and those first vectors, and each call of more embeds the next
// window. A large document's vectors are thus computed a window at a time.
func (e *Engine) embedded(ctx context.Context, d Document, hash string) (sd StoredDocument, more func() ([][]float32, error), err error) {
	chunks := e.chunker.Chunk(d)
	hs := headingsOf(d)
	next := 0
	more = func() ([][]float32, error) {
		vs, err := e.embedWindow(ctx, d, hs, chunks[next:min(next+embedWindow, len(chunks))])
		next += len(vs)
		return vs, err
	}
	first, err := more()
	if err != nil {
		return StoredDocument{}, nil, err
	}
	d.Metadata = copyMap(d.Metadata)
	return StoredDocument{Document: d, Hash: hash, Chunks: chunks, Vectors: first}, more, nil
}

// embedWindow embeds a window of d's chunks (at most embedWindow).
func (e *Engine) embedWindow(ctx context.Context, d Document, hs []heading, window []Chunk) ([][]float32, error) {
	if len(window) == 0 {
		return nil, nil
	}
	texts := make([]string, len(window))
	for i, c := range window {
		// The heading path joins the embedded text, so a passage is
		// found by its section's words too; the chunk itself stays
		// verbatim.
		texts[i] = c.Text
		if ctxt := chunkContext(d, hs, c); ctxt != "" {
			texts[i] = ctxt + "\n\n" + c.Text
		}
	}
	vs, err := e.embedder.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("embed %q: %w", d.ID, err)
	}
	if len(vs) != len(texts) {
		return nil, fmt.Errorf("embed %q: %d vectors for %d chunks", d.ID, len(vs), len(texts))
	}
	return vs, nil
}

// copyMap returns a copy of m, never nil.
func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// CountChunks is how many chunks docs would be split into, counted before
// anything is embedded, so a caller can refuse a batch that is too large.
func (e *Engine) CountChunks(docs []Document) int {
	n := 0
	for _, d := range docs {
		n += len(e.chunker.Spans(d.Text))
	}
	return n
}
