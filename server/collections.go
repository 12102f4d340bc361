package server

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
)

// ctxCollections holds the collections the request's key is limited to
// ([]string), absent for a key that may use them all.
const ctxCollections = "ragcite.collections"

// collectionLimits maps key digests to the collections each key may use.
type collectionLimits map[[sha256.Size]byte][]string

func newCollectionLimits(keyCollections map[string][]string) collectionLimits {
	l := collectionLimits{}
	for key, colls := range keyCollections {
		if key = strings.TrimSpace(key); key != "" {
			l[sha256.Sum256([]byte(key))] = slices.Clone(colls)
		}
	}
	return l
}

// limitsOf returns the request's collection limit; nil means none.
func limitsOf(c *gin.Context) []string {
	v, ok := c.Get(ctxCollections)
	if !ok {
		return nil
	}
	colls, _ := v.([]string)
	return colls
}

// resolveCollection applies the key's limit to a requested collection: a
// limited key may only name its collections (403 otherwise), and one that
// names none gets its only collection, or must name one (400). Without a
// limit the requested collection ("" = all) stands.
func resolveCollection(c *gin.Context, requested string) (string, error) {
	allowed := limitsOf(c)
	switch {
	case allowed == nil:
		return requested, nil
	case requested == "" && len(allowed) == 1:
		return allowed[0], nil
	case requested == "":
		return "", newAPIError(http.StatusBadRequest, "invalid_argument", "this API key is limited to the collections %s: name one in \"collection\"", strings.Join(allowed, ", "))
	case !slices.Contains(allowed, requested):
		return "", forbiddenCollection(requested)
	}
	return requested, nil
}

// scopeOf is the engine scope of the request's key: its collections, or
// all of them.
func scopeOf(c *gin.Context) rag.Scope {
	if allowed := limitsOf(c); allowed != nil {
		return rag.Only(allowed...)
	}
	return rag.Scope{}
}

// checkDocIDs makes the documents a limited key names by id (summarize,
// verify) answer exactly as absent ones when they are outside its
// collections.
func (s *Server) checkDocIDs(c *gin.Context, ids []string) error {
	scope := scopeOf(c)
	if !scope.Limited() {
		return nil
	}
	for _, id := range ids {
		if _, err := s.eng.DocumentInfoIn(c.Request.Context(), scope, id); err != nil {
			return err
		}
	}
	return nil
}

// mayUse reports whether the request's key may use collection.
func mayUse(c *gin.Context, collection string) bool {
	allowed := limitsOf(c)
	return allowed == nil || slices.Contains(allowed, collection)
}

func forbiddenCollection(name string) error {
	return newAPIError(http.StatusForbidden, "forbidden", "this API key may not use collection %q", name)
}

// scopeRequest resolves a query's collection from its top-level
// "collection" or, failing that, its filter's.
func scopeRequest(c *gin.Context, collection *string, f *rag.Filter) error {
	requested := *collection
	if requested == "" {
		requested = f.Collection
	}
	got, err := resolveCollection(c, requested)
	if err != nil {
		return err
	}
	*collection = got // a filter naming another collection is refused by the engine
	return nil
}

// requireAllCollections refuses keys limited to collections (403) on
// routes that do not take a collection.
func (s *Server) requireAllCollections() gin.HandlerFunc {
	return func(c *gin.Context) {
		if limitsOf(c) != nil {
			s.fail(c, newAPIError(http.StatusForbidden, "forbidden", "this API key is limited to collections; %s does not take one", c.FullPath()))
			return
		}
		c.Next()
	}
}

func (s *Server) listCollections(c *gin.Context) {
	colls, err := s.eng.Collections(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []rag.CollectionInfo{}
	for _, cl := range colls {
		if mayUse(c, cl.Name) {
			out = append(out, cl)
		}
	}
	c.JSON(http.StatusOK, gin.H{"collections": out})
}

func (s *Server) deleteCollection(c *gin.Context) {
	name := c.Param("name")
	if !mayUse(c, name) {
		s.fail(c, forbiddenCollection(name))
		return
	}
	n, err := s.eng.DeleteCollection(c.Request.Context(), name)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"collection": name, "deleted": n})
}

// checkDocumentCollections applies the key's limit to documents about to
// be ingested, placing those without a collection in the key's only one.
func checkDocumentCollections(c *gin.Context, docs []rag.Document) error {
	for i := range docs {
		coll := docs[i].Collection
		if coll == "" {
			coll = docs[i].Metadata[rag.MetaCollection]
		}
		if coll == "" && limitsOf(c) == nil {
			continue
		}
		if coll == "" {
			var err error
			if coll, err = resolveCollection(c, ""); err != nil {
				return fmt.Errorf("document %q: %w", docs[i].ID, err)
			}
			docs[i].Collection = coll
			continue
		}
		if !mayUse(c, coll) {
			return forbiddenCollection(coll)
		}
	}
	return nil
}
