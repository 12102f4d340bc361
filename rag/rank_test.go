package rag

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBuiltInRankModelLoads(t *testing.T) {
	m := DefaultRankModel()
	if m.TrainedOn == "" || !strings.Contains(m.TrainedOn, "squad2") || !strings.Contains(m.TrainedOn, "WikiQA") {
		t.Errorf("trained_on %q does not name its data", m.TrainedOn)
	}
	if m.AbstainBelow <= 0 || m.AbstainBelow >= 1 {
		t.Errorf("abstain_below %v, want in (0,1)", m.AbstainBelow)
	}
	// The fitted ranker must prefer covering the question to not covering it.
	if w := m.Weights[0]; w <= 0 {
		t.Errorf("cover weight %v, want > 0", w)
	}
}

func TestParseRankModelErrors(t *testing.T) {
	good, err := json.Marshal(DefaultRankModel())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseRankModel(good); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	tests := []struct{ name, from, to, want string }{
		{"features", `"cover_rel"`, `"cover_other"`, "features"},
		{"threshold", `"abstain_below":`, `"abstain_below":7,"x":`, "abstain_below"},
		{"json", `{`, `[`, "rank model"},
		{"present", `"present":{"mean":[`, `"present":{"mean":[1,`, "present"},
		{"present threshold", `"present_below":`, `"present_below":-1,"x":`, "present_below"},
	}
	for _, tc := range tests {
		bad := strings.Replace(string(good), tc.from, tc.to, 1)
		if _, err := ParseRankModel([]byte(bad)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}

// TestConfidencePresenceCheck checks that an answer whose passage the
// presence check judges missing gets confidence 0, and that a model
// without the check (written before it existed) is unchanged by it.
func TestConfidencePresenceCheck(t *testing.T) {
	row := func(set map[string]float64) []float64 {
		r := make([]float64, nFeatures)
		for name, v := range set {
			r[columnsOf([]string{name})[0]] = v
		}
		return r
	}
	held := row(map[string]float64{"cover": 1, "cover_raw": 1, "passage_cover": 1, "found_cover": 1, "focus_cover": 1})
	lacking := row(map[string]float64{"cover": 0.2, "cover_raw": 0.2, "passage_cover": 0.3, "found_cover": 1, "focus_cover": 0.1})
	base := DefaultRankModel()
	if base.Present == nil || base.PresentBelow <= 0 {
		t.Fatalf("the built-in model has no presence check: %v below %v", base.Present, base.PresentBelow)
	}
	if hi, lo := base.PresentProb(held), base.PresentProb(lacking); hi <= lo {
		t.Errorf("presence of a passage holding every term %.3f, want above one holding a fifth %.3f", hi, lo)
	}
	answer := base.Answerable.Prob(AnswerFeatures(held))
	tests := []struct {
		name    string
		present bool
		below   float64
		want    float64
	}{
		{"no presence check", false, 0, answer},
		{"judged present", true, base.PresentProb(held) - 0.01, answer},
		{"judged missing", true, base.PresentProb(held) + 0.01, 0},
	}
	for _, tc := range tests {
		m := *base
		if !tc.present {
			m.Present = nil
		}
		m.PresentBelow = tc.below
		if got := m.Confidence(held); got != tc.want {
			t.Errorf("%s: confidence %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAskedAnswerType(t *testing.T) {
	tests := []struct {
		q    string
		want answerType
	}{
		{"When did the Rhine become a border?", typeDate},
		{"In what year was the treaty signed?", typeDate},
		{"How many people live in Basel?", typeQuantity},
		{"How much is Amazon considering investing?", typeQuantity},
		{"Where does the Rhine begin?", typePlace},
		{"Which country borders the lake?", typePlace},
		{"Which cloud providers compete for OpenAI's business?", typeOrg},
		{"Who proposed the theorem?", typePerson},
		{"What is Inferentia used for?", typeNone},
	}
	for _, tc := range tests {
		if got := askedAnswerType(tc.q); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestHasAnswerType(t *testing.T) {
	tests := []struct {
		s    string
		t    answerType
		want bool
	}{
		{"The bridge opened on 3 November 1871.", typeDate, true},
		{"The bridge opened to traffic.", typeDate, false},
		{"About 170,000 people live there.", typeQuantity, true},
		{"Many people live there.", typeQuantity, false},
		{"The theorem was proposed by Stephen Cook.", typePerson, true},
		{"the theorem was proposed later.", typePerson, false},
		{"The river flows into the North Sea near Rotterdam.", typePlace, true},
		{"it flows slowly.", typePlace, false},
	}
	for _, tc := range tests {
		if got := hasAnswerType(tc.s, tc.t); got != tc.want {
			t.Errorf("%q as %v: %v, want %v", tc.s, tc.t, got, tc.want)
		}
	}
}

func TestSentenceFeaturesNegationAndNumbers(t *testing.T) {
	idf := func(string) float64 { return 1 }
	q := "Which river does not flow through Basel in 1871?"
	cands := []Candidate{
		{Text: "The Rhine flows through Basel in 1871 on its way north."},
		{Text: "The Rhine does not flow through Basel, which lies elsewhere in 1900."},
	}
	rows := SentenceFeatures(q, cands, idf)
	col := func(name string) int {
		for i, n := range featureNames {
			if n == name {
				return i
			}
		}
		t.Fatalf("no feature %s", name)
		return -1
	}
	if rows[0][col("negated_q")] != 1 || rows[1][col("negated_q")] != 0 {
		t.Errorf("negated_q: %v %v", rows[0][col("negated_q")], rows[1][col("negated_q")])
	}
	if rows[0][col("number_missing")] != 0 || rows[1][col("number_missing")] != 1 {
		t.Errorf("number_missing: %v %v", rows[0][col("number_missing")], rows[1][col("number_missing")])
	}
	if rows[1][col("neighbour")] == 0 {
		t.Error("neighbour cover is 0 for a sentence next to a covering one")
	}
	if len(rows[0]) != len(featureNames) {
		t.Errorf("%d features, want %d", len(rows[0]), len(featureNames))
	}
}

func TestNegatedAndQuantity(t *testing.T) {
	for s, want := range map[string]bool{
		"It did not open.": true, "It didn't open.": true, "Nobody came.": true,
		"It opened.": false, "Nothing else matters": true, "The notion of none": true, "Notable": false,
	} {
		if got := negated(s); got != want {
			t.Errorf("negated(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{
		"About 170,000 people.": true, "Seventeen people.": true, "A dozen people.": true,
		"Many people.": false, "Canteen staff.": false,
	} {
		if got := hasQuantity(s); got != want {
			t.Errorf("hasQuantity(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzParseRankModel(f *testing.F) {
	good, _ := json.Marshal(DefaultRankModel())
	f.Add(good)
	f.Add([]byte(`{"features":[]}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseRankModel(data)
		if err != nil {
			return
		}
		if len(m.Weights) != len(featureNames) || m.AbstainBelow < 0 || m.AbstainBelow > 1 {
			t.Fatalf("accepted a model that does not fit: %d weights, abstain_below %v", len(m.Weights), m.AbstainBelow)
		}
	})
}
