package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/load"
)

// documentInput is one document of a JSON ingest batch. ID defaults to a
// hash of the text (so re-posting the same text is a no-op) and Title to
// the ID. A document given by URL instead of text is fetched (see
// load.FetchURL); its id, title and metadata default to what the page gives.
type documentInput struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Text     string            `json:"text"`
	URL      string            `json:"url"`
	Source   string            `json:"source"`
	Metadata map[string]string `json:"metadata"`
	// Collection defaults to the request's ?collection=, then "default".
	Collection string `json:"collection"`
}

type addDocumentsRequest struct {
	Documents []documentInput `json:"documents"`
}

// addDocuments ingests a JSON batch or a multipart upload. Every document
// (and every file) is parsed and validated before anything is written, so
// a bad one fails the request with nothing ingested. The request's text is
// taken from the key's budget before files are extracted; extraction stops
// at the budget, and chunks are counted before anything is embedded.
func (s *Server) addDocuments(c *gin.Context) {
	g, err := s.budget.reserve(keyDigest(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	var used int64
	defer func() { s.budget.settle(g, used) }()
	docs, defaulted, err := s.documentsFromRequest(c, g.bytes)
	used = textSize(docs)
	if errors.Is(err, load.ErrTextLimit) || err == nil && used > g.bytes {
		used = g.bytes
		s.fail(c, s.budget.exceeded(g))
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.budget.checkChunks(s.eng.CountChunks(docs)); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.placeDocuments(c, docs, defaulted); err != nil {
		s.fail(c, err)
		return
	}
	results, err := s.eng.IngestIn(c.Request.Context(), scopeOf(c), docs, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.metrics.ingested(results)
	c.JSON(http.StatusCreated, gin.H{"documents": results})
}

// placeDocuments puts each document in its collection (the request's
// ?collection= for those naming none, then the key's) and gives documents
// whose id came from their text the id of that collection.
func (s *Server) placeDocuments(c *gin.Context, docs []rag.Document, defaulted map[int]bool) error {
	if coll := c.Query("collection"); coll != "" {
		for i := range docs {
			if docs[i].Collection == "" && docs[i].Metadata[rag.MetaCollection] == "" {
				docs[i].Collection = coll
			}
		}
	}
	if err := checkDocumentCollections(c, docs); err != nil {
		return err
	}
	for i := range defaulted {
		rekeyByCollection(&docs[i])
	}
	return nil
}

// textSize is the text docs hold.
func textSize(docs []rag.Document) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d.Text))
	}
	return n
}

// documentsFromRequest parses the batch; defaulted holds the indexes of
// documents whose id was derived from their text.
// maxText bounds the text extracted from files and fetched pages.
func (s *Server) documentsFromRequest(c *gin.Context, maxText int64) (docs []rag.Document, defaulted map[int]bool, err error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "application/json":
		var req addDocumentsRequest
		if err := bindJSON(c, &req); err != nil {
			return nil, nil, err
		}
		return s.documentsFromJSON(c.Request.Context(), req, maxText)
	case "multipart/form-data":
		docs, err := documentsFromUpload(c.Request, maxText)
		return docs, nil, err
	}
	return nil, nil, newAPIError(http.StatusUnsupportedMediaType, "unsupported_media_type",
		"Content-Type %q is not supported: want application/json or multipart/form-data", c.GetHeader("Content-Type"))
}

func (s *Server) documentsFromJSON(ctx context.Context, req addDocumentsRequest, maxText int64) ([]rag.Document, map[int]bool, error) {
	if len(req.Documents) == 0 {
		return nil, nil, newAPIError(http.StatusBadRequest, "invalid_argument", `"documents" is empty: give at least one {"title","text"} or {"url"}`)
	}
	docs := make([]rag.Document, len(req.Documents))
	defaulted := map[int]bool{}
	for i, in := range req.Documents {
		if in.URL != "" {
			d, err := s.fetchDocument(ctx, i, in, maxText)
			if err != nil {
				return nil, nil, err
			}
			maxText -= int64(len(d.Text))
			docs[i] = d
			continue
		}
		d := rag.Document{ID: strings.TrimSpace(in.ID), Title: strings.TrimSpace(in.Title), Text: in.Text, Source: in.Source, Metadata: in.Metadata, Collection: in.Collection}
		if d.ID == "" {
			d.ID = textID(rag.DefaultCollection, in.Text)
			defaulted[i] = true
		}
		if d.Title == "" {
			d.Title = d.ID
		}
		if err := rag.ValidateDocument(d); err != nil {
			return nil, nil, newAPIError(http.StatusBadRequest, "invalid_argument", "documents[%d]: %v", i, err)
		}
		docs[i] = d
	}
	return docs, defaulted, nil
}

// textID is the id of a document given without one: a hash of its text
// and, outside the default collection, of its collection, so posting a
// text to one collection never collides with (and so never reveals) the
// same text in another. Ids in the default collection are as they always
// were.
func textID(collection, text string) string {
	h := sha256.New()
	if collection != rag.DefaultCollection {
		h.Write([]byte(collection))
		h.Write([]byte{0})
	}
	h.Write([]byte(text))
	return "doc-" + hex.EncodeToString(h.Sum(nil)[:8])
}

// rekeyByCollection gives a document whose id came from its text the id
// of its resolved collection (and the title, when that was the id).
func rekeyByCollection(d *rag.Document) {
	coll := d.Collection
	if coll == "" {
		coll = d.Metadata[rag.MetaCollection]
	}
	if coll == "" || coll == rag.DefaultCollection {
		return
	}
	id := textID(coll, d.Text)
	if d.Title == d.ID {
		d.Title = id
	}
	d.ID = id
}

// fetchDocument fetches documents[i] given by URL; the request's id, title
// and metadata override the page's.
func (s *Server) fetchDocument(ctx context.Context, i int, in documentInput, maxText int64) (rag.Document, error) {
	if in.Text != "" || in.Source != "" {
		return rag.Document{}, newAPIError(http.StatusBadRequest, "invalid_argument", `documents[%d]: give "url" or "text", not both (the URL is the source)`, i)
	}
	opts := s.fetch
	opts.MaxText = int(min(max(maxText, 1), load.MaxFileBytes))
	d, err := load.FetchURL(ctx, in.URL, opts)
	if err != nil {
		return rag.Document{}, fmt.Errorf("documents[%d]: %w", i, err)
	}
	if id := strings.TrimSpace(in.ID); id != "" {
		d.ID = id
	}
	if title := strings.TrimSpace(in.Title); title != "" {
		d.Title = title
	}
	d.Collection = in.Collection
	for k, v := range in.Metadata {
		if d.Metadata == nil {
			d.Metadata = map[string]string{}
		}
		d.Metadata[k] = v
	}
	if err := rag.ValidateDocument(d); err != nil {
		return rag.Document{}, newAPIError(http.StatusBadRequest, "invalid_argument", "documents[%d]: %v", i, err)
	}
	return d, nil
}

// documentsFromUpload parses every file part of a multipart body with
// load.ParseFileContext, keyed by the file's base name (its id is the name without
// extension). Non-file fields are ignored.
// Extraction stops once the files' text passes maxText (load.ErrTextLimit).
func documentsFromUpload(r *http.Request, maxText int64) ([]rag.Document, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, newAPIError(http.StatusBadRequest, "invalid_multipart", "multipart body: %v", err)
	}
	var docs []rag.Document
	files := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, multipartError(err)
		}
		got, err := parsePart(r.Context(), part, maxText)
		part.Close()
		if err != nil {
			return nil, err
		}
		if got != nil {
			files++
			docs = append(docs, got...)
			maxText -= textSize(got)
		}
	}
	if files == 0 {
		return nil, newAPIError(http.StatusBadRequest, "invalid_argument", "the upload has no files: send each as a multipart file part")
	}
	return docs, nil
}

// parsePart reads one multipart part; a part that is not a file gives nil.
func parsePart(ctx context.Context, part *multipart.Part, maxText int64) ([]rag.Document, error) {
	raw := part.FileName()
	if raw == "" {
		return nil, nil
	}
	name := path.Base(strings.ReplaceAll(raw, `\`, "/"))
	if name == "." || name == "/" || name == ".." {
		return nil, newAPIError(http.StatusBadRequest, "invalid_argument", "file name %q is not usable", raw)
	}
	data, err := io.ReadAll(part)
	if err != nil {
		return nil, multipartError(err)
	}
	docs, err := load.ParseFileLimit(ctx, name, name, data, int(min(max(maxText, 0), load.MaxFileBytes)))
	if err != nil {
		return nil, &fileError{name: name, err: err}
	}
	return docs, nil
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("read request body: %w", err)
	}
	return newAPIError(http.StatusBadRequest, "invalid_multipart", "multipart body: %v", err)
}

// Page sizes of GET /v1/documents.
const (
	defaultPageSize = 1000
	maxPageSize     = 10000
)

// listDocuments answers one page of documents ordered by id: ?limit= (1 to
// 10000, default 1000) and ?cursor= (the next_cursor of the page before).
func (s *Server) listDocuments(c *gin.Context) {
	limit, after, err := pageParams(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	want := c.Query("collection")
	if want != "" && !mayUse(c, want) {
		s.fail(c, forbiddenCollection(want))
		return
	}
	docs, err := s.eng.ListDocuments(c.Request.Context(), after, limit+1)
	if err != nil {
		s.fail(c, err)
		return
	}
	reply := gin.H{}
	if len(docs) > limit {
		docs = docs[:limit]
		reply["next_cursor"] = base64.RawURLEncoding.EncodeToString([]byte(docs[limit-1].ID))
	}
	// The collection filter applies within the page: a page may hold fewer
	// than limit documents and still have a next one.
	out := []rag.DocumentInfo{}
	for _, d := range docs {
		if (want != "" && d.Collection != want) || !mayUse(c, d.Collection) {
			continue
		}
		if d.Metadata == nil {
			d.Metadata = map[string]string{}
		}
		out = append(out, d)
	}
	reply["documents"] = out
	c.JSON(http.StatusOK, reply)
}

// pageParams reads ?limit= and ?cursor= (an opaque encoding of the last id
// of the page before).
func pageParams(c *gin.Context) (int, string, error) {
	limit := defaultPageSize
	if v, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return 0, "", newAPIError(http.StatusBadRequest, "invalid_argument", "limit %q: want a whole number from 1 to %d", v, maxPageSize)
		}
		limit = n
	}
	after, err := base64.RawURLEncoding.DecodeString(c.Query("cursor"))
	if err != nil {
		return 0, "", newAPIError(http.StatusBadRequest, "invalid_argument", "cursor %q is not one this server gave out", c.Query("cursor"))
	}
	return limit, string(after), nil
}

// docID is the wildcard id, which may contain '/'.
func docID(c *gin.Context) (string, error) {
	id := strings.TrimPrefix(c.Param("id"), "/")
	if id == "" {
		return "", newAPIError(http.StatusBadRequest, "invalid_argument", "document id is empty")
	}
	if rag.HasDotSegment(id) {
		return "", newAPIError(http.StatusBadRequest, "invalid_argument", "document id %q: no '/'-separated part may be \".\" or \"..\"", id)
	}
	return id, nil
}

func (s *Server) getDocument(c *gin.Context) {
	id, err := docID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	doc, ok := s.usableDocument(c, id)
	if !ok {
		return
	}
	reply := documentReply{Document: doc, Source: doc.Source, Metadata: doc.Metadata}
	if reply.Metadata == nil {
		reply.Metadata = map[string]string{}
	}
	c.JSON(http.StatusOK, reply)
}

// usableDocument returns document id when the caller's key may use its
// collection; otherwise it writes the error reply (404, as for an absent
// id) and returns false.
func (s *Server) usableDocument(c *gin.Context, id string) (rag.Document, bool) {
	doc, err := s.eng.DocumentIn(c.Request.Context(), scopeOf(c), id)
	if err != nil {
		s.fail(c, err)
		return rag.Document{}, false
	}
	return doc, true
}

// documentReply always carries source and metadata, even when empty.
type documentReply struct {
	rag.Document
	Source   string            `json:"source"`
	Metadata map[string]string `json:"metadata"`
}

func (s *Server) deleteDocument(c *gin.Context) {
	id, err := docID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.eng.DeleteIn(c.Request.Context(), scopeOf(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
