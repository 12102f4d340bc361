package server

import (
	"embed"
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
)

// openapiYAML is the OpenAPI 3 description of every route, served at
// GET /openapi.yaml; a test checks it against the registered routes.
//
//go:embed openapi.yaml
var openapiYAML []byte

// webFS is the web page: plain HTML, CSS and JavaScript, no build step.
//
//go:embed web
var webFS embed.FS

// pageCSP keeps the page to its own origin's scripts, styles and API.
const pageCSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

func (s *Server) openapi(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", openapiYAML)
}

// page serves one embedded web file.
func (s *Server) page(name string) gin.HandlerFunc {
	data, err := webFS.ReadFile("web/" + name)
	if err != nil {
		panic("server: embedded web file missing: " + name) // a build defect, caught by every test
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	return func(c *gin.Context) {
		c.Header("Content-Security-Policy", pageCSP)
		c.Header("X-Content-Type-Options", "nosniff")
		c.Header("Cache-Control", "no-cache")
		c.Data(http.StatusOK, ctype, data)
	}
}
