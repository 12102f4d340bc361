package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sashabaranov/go-openai"

	"github.com/ragcite/ragcite/rag"
)

// harbourQuestion is answered by both harbour documents, each in its own
// collection, with a different number.
const harbourQuestion = "How many ships did the harbour master count in May?"

// bodyRecorder is an http.RoundTripper that keeps the last response body,
// so a test can read the fields go-openai does not decode (citations).
type bodyRecorder struct {
	mu   sync.Mutex
	last []byte
}

func (b *bodyRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.last = data
	b.mu.Unlock()
	res.Body = io.NopCloser(bytes.NewReader(data))
	return res, nil
}

func (b *bodyRecorder) citations(t *testing.T) []rag.Citation {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var reply struct {
		Citations []rag.Citation `json:"citations"`
	}
	if err := json.Unmarshal(b.last, &reply); err != nil {
		t.Fatalf("decode reply: %v: %s", err, b.last)
	}
	return reply.Citations
}

// newCollectionsChat starts a live server (127.0.0.1) over the sample
// articles (collection "default") plus one harbour document in "north"
// and one in "south", with keys limited to collections. It returns a
// go-openai client per key, the recorder each client's replies pass
// through, and the collection of every document.
func newCollectionsChat(t *testing.T) (map[string]*openai.Client, map[string]*bodyRecorder, map[string]string) {
	t.Helper()
	eng := newEngine(t)
	harbour := []rag.Document{
		{ID: "n1", Title: "North harbour log", Source: "north.txt", Collection: "north",
			Text: "The northern harbour master counted 17 ships in May. The northern quay was repaired in June."},
		{ID: "s1", Title: "South harbour log", Source: "south.txt", Collection: "south",
			Text: "The southern harbour master counted 42 ships in May. The southern lighthouse was painted in April."},
	}
	if _, err := eng.Ingest(context.Background(), harbour, nil); err != nil {
		t.Fatal(err)
	}
	docs, err := eng.Documents(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	collOf := map[string]string{}
	for _, d := range docs {
		collOf[d.ID] = d.Collection
	}
	s := newTestServer(t, Config{
		Engine:         eng,
		ReadKeys:       []string{"admin", "north-reader", "both-reader"},
		KeyCollections: map[string][]string{"north-reader": {"north"}, "both-reader": {"north", "south"}},
	})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	clients, recorders := map[string]*openai.Client{}, map[string]*bodyRecorder{}
	for _, key := range []string{"admin", "north-reader", "both-reader"} {
		rec := &bodyRecorder{}
		oc := openai.DefaultConfig(key)
		oc.BaseURL = ts.URL + "/v1"
		oc.HTTPClient = &http.Client{Transport: rec}
		clients[key], recorders[key] = openai.NewClientWithConfig(oc), rec
	}
	return clients, recorders, collOf
}

// TestChatModelSelectsCollection asks through the model of each
// collection and checks that every citation comes from that collection,
// plain and streamed.
func TestChatModelSelectsCollection(t *testing.T) {
	clients, recorders, collOf := newCollectionsChat(t)
	tests := []struct {
		name, key, model, question string
		colls                      []string // the collections citations may come from
		want                       string   // in content
		not                        []string // not in content
	}{
		{"north model cites north only", "admin", "ragcite/north", harbourQuestion, []string{"north"}, "17 ships", []string{"42", "South harbour log"}},
		{"south model cites south only", "admin", "ragcite/south", harbourQuestion, []string{"south"}, "42 ships", []string{"17", "North harbour log"}},
		{"default collection has no harbour", "admin", "ragcite/default", amazonQuestion, []string{"default"}, "$10 billion", []string{"harbour log"}},
		{"north model does not reach the articles", "admin", "ragcite/north", amazonQuestion, []string{"north"}, "", []string{"$10 billion", "$50 billion"}},
		{"ragcite answers over all", "admin", "ragcite", harbourQuestion, []string{"default", "north", "south"}, "ships", nil},
		{"a one-collection key's ragcite is its collection", "north-reader", "ragcite", harbourQuestion, []string{"north"}, "17 ships", []string{"42"}},
		{"no model is ragcite", "north-reader", "", harbourQuestion, []string{"north"}, "17 ships", []string{"42"}},
		{"two-collection key names one", "both-reader", "ragcite/south", harbourQuestion, []string{"south"}, "42 ships", []string{"17"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client := clients[tc.key]
			req := openai.ChatCompletionRequest{Model: tc.model, Messages: []openai.ChatCompletionMessage{user(tc.question)}}
			res, err := client.CreateChatCompletion(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			wantModel := tc.model
			if wantModel == "" {
				wantModel = DefaultChatModel
			}
			if res.Model != wantModel {
				t.Errorf("reply model %q, want %q", res.Model, wantModel)
			}
			content := res.Choices[0].Message.Content
			if !strings.Contains(content, tc.want) {
				t.Errorf("content lacks %q:\n%s", tc.want, content)
			}
			for _, n := range tc.not {
				if strings.Contains(content, n) {
					t.Errorf("content has %q:\n%s", n, content)
				}
			}
			cits := recorders[tc.key].citations(t)
			if tc.want != "" && len(cits) == 0 {
				t.Errorf("no citations:\n%s", content)
			}
			for _, c := range cits {
				if coll, ok := collOf[c.DocID]; !ok || !slices.Contains(tc.colls, coll) {
					t.Errorf("cites %q of collection %q, want one of %v", c.DocID, coll, tc.colls)
				}
			}
			req.Stream = true
			if streamed, _ := streamContent(t, client, req); streamed != content {
				t.Errorf("streamed content differs from plain:\nstream %q\nplain  %q", streamed, content)
			}
		})
	}
}

// TestChatModelsPerKey checks that GET /v1/models lists the models a key
// may use, and that the others are refused in the OpenAI error shape.
func TestChatModelsPerKey(t *testing.T) {
	clients, _, _ := newCollectionsChat(t)
	lists := []struct {
		key  string
		want []string
	}{
		{"admin", []string{"ragcite", "ragcite/default", "ragcite/north", "ragcite/south"}},
		{"north-reader", []string{"ragcite", "ragcite/north"}},
		{"both-reader", []string{"ragcite/north", "ragcite/south"}},
	}
	for _, tc := range lists {
		t.Run("list "+tc.key, func(t *testing.T) {
			res, err := clients[tc.key].ListModels(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range res.Models {
				got = append(got, m.ID)
				if m.Object != "model" || m.OwnedBy != "ragcite" {
					t.Errorf("model %+v", m)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("models %v, want %v", got, tc.want)
			}
			for _, id := range tc.want {
				if m, err := clients[tc.key].GetModel(context.Background(), id); err != nil || m.ID != id {
					t.Errorf("get %q: %+v %v", id, m, err)
				}
			}
		})
	}
	refused := []struct {
		name, key, model string
		status           int
		typ, code        string
	}{
		{"unknown collection", "admin", "ragcite/east", 404, "invalid_request_error", "model_not_found"},
		{"not a collection name", "admin", "ragcite/../north", 404, "invalid_request_error", "model_not_found"},
		{"bare collection name", "admin", "north", 404, "invalid_request_error", "model_not_found"},
		{"another collection", "north-reader", "ragcite/south", 403, "permission_error", "forbidden"},
		{"another unknown collection", "north-reader", "ragcite/east", 403, "permission_error", "forbidden"},
		{"all collections", "both-reader", "ragcite", 403, "permission_error", "forbidden"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				var apiErr *openai.APIError
				if !errors.As(err, &apiErr) {
					t.Fatalf("%s: %v, want an API error", what, err)
				}
				if apiErr.HTTPStatusCode != tc.status || apiErr.Type != tc.typ || apiErr.Code != tc.code ||
					apiErr.Param == nil || *apiErr.Param != "model" || apiErr.Message == "" {
					t.Errorf("%s: %d %+v, want %d %s %s param model", what, apiErr.HTTPStatusCode, apiErr, tc.status, tc.typ, tc.code)
				}
			}
			c := clients[tc.key]
			req := openai.ChatCompletionRequest{Model: tc.model, Messages: []openai.ChatCompletionMessage{user(harbourQuestion)}}
			_, err := c.CreateChatCompletion(context.Background(), req)
			check("chat", err)
			req.Stream = true
			_, err = c.CreateChatCompletionStream(context.Background(), req)
			check("stream", err)
			_, err = c.GetModel(context.Background(), tc.model)
			check("get model", err)
		})
	}
}
