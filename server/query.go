package server

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ragcite/ragcite/rag"
)

// askRequest is rag.AskRequest plus "stream".
type askRequest struct {
	rag.AskRequest
	Stream bool `json:"stream"`
}

// summarizeRequest is rag.SummarizeRequest plus "stream".
type summarizeRequest struct {
	rag.SummarizeRequest
	Stream bool `json:"stream"`
}

func (s *Server) search(c *gin.Context) {
	var req rag.SearchRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := scopeRequest(c, &req.Collection, &req.Filter); err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.eng.Search(c.Request.Context(), req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if res == nil {
		res = []rag.SearchResult{}
	}
	c.JSON(http.StatusOK, gin.H{"results": res})
}

func (s *Server) ask(c *gin.Context) {
	var req askRequest
	if err := bindJSON(c, &req); err != nil {
		s.fail(c, err)
		return
	}
	if err := scopeRequest(c, &req.Collection, &req.Filter); err != nil {
		s.fail(c, err)
		return
	}
	run := func(ctx context.Context, emit func(string) error) (any, error) {
		ans, err := s.eng.AskStream(ctx, req.AskRequest, emit)
		if err != nil {
			return nil, s.llmErr(err)
		}
		s.metrics.answered(ans)
		return ans, nil
	}
	s.reply(c, req.Stream, run)
}

func (s *Server) summarize(c *gin.Context) {
	var req summarizeRequest
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
	run := func(ctx context.Context, emit func(string) error) (any, error) {
		sum, err := s.eng.SummarizeStream(ctx, req.SummarizeRequest, emit)
		if err != nil {
			return nil, s.llmErr(err)
		}
		s.metrics.summarized(sum)
		return sum, nil
	}
	s.reply(c, req.Stream, run)
}

// reply answers with the whole object as JSON, or streams it as SSE.
func (s *Server) reply(c *gin.Context, stream bool, run produceFunc) {
	if stream {
		s.stream(c, run)
		return
	}
	v, err := run(c.Request.Context(), nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
