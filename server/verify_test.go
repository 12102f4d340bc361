package server

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestVerifyRoute(t *testing.T) {
	s := newTestServer(t, Config{})
	passage := `"passages":["Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue."]`
	many := `"claims":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 101), ",") + `]`
	cases := []routeCase{
		{name: "text and passages", method: "POST", path: "/v1/verify",
			body:       `{"text":"Amazon is in talks to invest at least $10 billion in OpenAI. Amazon will buy Google for $900 billion.",` + passage + `}`,
			wantStatus: 200, wantBodyContains: []string{`"sentences":[`, `"support":"supported"`, `"support":"unsupported"`, `"passage":1`, `"verifier":"lexical"`}},
		{name: "claims and documents", method: "POST", path: "/v1/verify",
			body:       `{"claims":["Amazon is reportedly considering an investment in OpenAI."],"doc_ids":["000_bc28017ad2dcc5a8"]}`,
			wantStatus: 200, wantBodyContains: []string{`"doc_id":"000_bc28017ad2dcc5a8"`, `"quote":"`}},
		{name: "empty body", method: "POST", path: "/v1/verify", body: ``, header: map[string]string{"Content-Type": "application/json"}, wantStatus: 400},
		{name: "no text", method: "POST", path: "/v1/verify", body: `{` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"non-empty text or claims"}},
		{name: "text and claims", method: "POST", path: "/v1/verify", body: `{"text":"a","claims":["b"],` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"not both"}},
		{name: "no passages", method: "POST", path: "/v1/verify", body: `{"text":"Amazon invests."}`, wantStatus: 400, wantBodyContains: []string{"passages or doc_ids"}},
		{name: "passages and docs", method: "POST", path: "/v1/verify", body: `{"text":"a",` + passage + `,"doc_ids":["x"]}`, wantStatus: 400, wantBodyContains: []string{"passages or doc_ids"}},
		{name: "empty claim", method: "POST", path: "/v1/verify", body: `{"claims":[" "],` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"claims[0]"}},
		{name: "empty passage", method: "POST", path: "/v1/verify", body: `{"claims":["a"],"passages":[""]}`, wantStatus: 400, wantBodyContains: []string{"passages[0]"}},
		{name: "too many claims", method: "POST", path: "/v1/verify", body: `{` + many + `,` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"at most 100"}},
		{name: "unknown document", method: "POST", path: "/v1/verify", body: `{"claims":["a"],"doc_ids":["no-such-doc"]}`, wantStatus: 404, wantBodyContains: []string{`"not_found"`}},
		{name: "unknown field", method: "POST", path: "/v1/verify", body: `{"claim":"a",` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"claim"}},
		{name: "ask with a bad policy", method: "POST", path: "/v1/ask", body: `{"question":"How much?","policy":"lenient"}`, wantStatus: 400, wantBodyContains: []string{"policy"}},
		{name: "summarize with a bad policy", method: "POST", path: "/v1/summarize", body: `{"doc_ids":["000_bc28017ad2dcc5a8"],"policy":"lenient"}`, wantStatus: 400, wantBodyContains: []string{"policy"}},
		{name: "ask with a policy", method: "POST", path: "/v1/ask", body: `{"question":"How much is Amazon reportedly considering investing in OpenAI?","policy":"strict"}`, wantStatus: 200, wantBodyContains: []string{`"sentences":[`}},
		{name: "claims not a list", method: "POST", path: "/v1/verify", body: `{"claims":"a",` + passage + `}`, wantStatus: 400, wantBodyContains: []string{"claims"}},
	}
	runRouteCases(t, s.routes(), cases)
}

// TestVerifyQuotesAreVerbatim checks that every citation of a verify reply
// quotes its document at its offsets.
func TestVerifyQuotesAreVerbatim(t *testing.T) {
	s := newTestServer(t, Config{})
	h := s.routes()
	rec := request{"POST", "/v1/verify", `{"text":"Amazon is reportedly considering an investment in OpenAI. It would use AWS.","doc_ids":["000_bc28017ad2dcc5a8"]}`, nil}.do(t, h)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var res struct {
		Sentences []struct {
			Text      string `json:"text"`
			Support   string `json:"support"`
			Citations []int  `json:"citations"`
		} `json:"sentences"`
		Citations []struct {
			N          int    `json:"n"`
			DocID      string `json:"doc_id"`
			Quote      string `json:"quote"`
			Start, End int
		} `json:"citations"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Sentences) != 2 || len(res.Citations) == 0 {
		t.Fatalf("reply %s", rec.Body)
	}
	doc := request{"GET", "/v1/documents/000_bc28017ad2dcc5a8", "", nil}.do(t, h)
	var d struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(doc.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Citations {
		if d.Text[c.Start:c.End] != c.Quote {
			t.Errorf("citation %d: quote %q is not the document at [%d,%d)", c.N, c.Quote, c.Start, c.End)
		}
	}
}
