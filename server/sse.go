package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// streamEvent is one message from a streaming producer to its handler:
// a piece of text, the final reply, or the error that ended the work.
type streamEvent struct {
	delta string
	done  any
	err   error
}

// produceFunc does the work of a streaming request, calling emit with each
// piece of text, and returns the whole reply object.
type produceFunc func(ctx context.Context, emit func(string) error) (any, error)

// streamFormat writes a stream's events in one wire format.
type streamFormat interface {
	delta(c *gin.Context, text string) error
	done(c *gin.Context, reply any) error
	fail(c *gin.Context, err error) error
}

// ragciteEvents is the format of /v1/ask and /v1/summarize: "delta" events
// {"text"}, then one "done" event with the reply object, or an "error"
// event with the JSON error.
type ragciteEvents struct{ s *Server }

func (f ragciteEvents) delta(c *gin.Context, text string) error {
	return writeEvent(c.Writer, "delta", struct {
		Text string `json:"text"`
	}{text})
}

func (f ragciteEvents) done(c *gin.Context, reply any) error {
	return writeEvent(c.Writer, "done", reply)
}

func (f ragciteEvents) fail(c *gin.Context, err error) error {
	_, body := f.s.errorReply(c, err)
	return writeEvent(c.Writer, "error", body)
}

// stream runs produce on its own goroutine and writes what it sends as
// Server-Sent Events in the ragcite format (see ragciteEvents).
func (s *Server) stream(c *gin.Context, produce produceFunc) {
	s.streamAs(c, produce, ragciteEvents{s})
}

// streamAs runs produce on its own goroutine and writes what it sends as
// Server-Sent Events in format f. An error before the first event is written
// gets a normal status and JSON error; after it, f's error event. A client
// that goes away cancels the request context, which stops produce.
func (s *Server) streamAs(c *gin.Context, produce produceFunc, f streamFormat) {
	ctx := c.Request.Context()
	events := make(chan streamEvent)
	go func() {
		defer close(events)
		send := func(ev streamEvent) error {
			select {
			case events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		reply, err := produce(ctx, func(text string) error {
			if text == "" {
				return nil
			}
			return send(streamEvent{delta: text})
		})
		if err != nil {
			_ = send(streamEvent{err: err})
			return
		}
		_ = send(streamEvent{done: reply})
	}()

	started := false
	for ev := range events {
		if ev.err != nil && !started {
			s.fail(c, ev.err)
			continue
		}
		if !started {
			started = true
			h := c.Writer.Header()
			h.Set("Content-Type", "text/event-stream; charset=utf-8")
			h.Set("Cache-Control", "no-cache")
			h.Set("Connection", "keep-alive")
			h.Set("X-Accel-Buffering", "no")
			c.Status(http.StatusOK)
		}
		var err error
		switch {
		case ev.err != nil:
			err = f.fail(c, ev.err)
		case ev.done != nil:
			err = f.done(c, ev.done)
		default:
			err = f.delta(c, ev.delta)
		}
		if err != nil {
			// The client is gone; the request context is canceled with the
			// connection, so the producer stops and closes events.
			continue
		}
		c.Writer.Flush()
	}
}

// writeEvent writes one SSE event whose data is v as a single line of JSON.
func writeEvent(w http.ResponseWriter, name string, v any) error {
	var buf bytes.Buffer
	buf.WriteString("event: ")
	buf.WriteString(name)
	buf.WriteString("\ndata: ")
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode ends the line with '\n'
		return err
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
}
