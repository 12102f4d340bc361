package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
)

// verify judges a text or claims against passages or stored documents.
func (s *Server) verify(c *gin.Context) {
	var req rag.VerifyRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := scopeRequest(c, &req.Collection, &rag.Filter{}); err != nil {
		s.fail(c, err)
		return
	}
	if err := s.checkDocIDs(c, req.DocIDs); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.eng.Verify(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}
