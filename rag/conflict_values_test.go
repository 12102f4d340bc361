package rag

import "testing"

func TestFindDatesNormalises(t *testing.T) {
	tests := []struct{ a, b string }{
		{"The vote was held on Nov. 3.", "The vote was held on 3 November."},
		{"It opened on March 5, 2020.", "It opened on 5 March 2020."},
	}
	for _, tc := range tests {
		da, db := findDates(tc.a), findDates(tc.b)
		if len(da) != 1 || len(db) != 1 || !sameValue(da[0].key, db[0].key) {
			t.Errorf("%q %v and %q %v: want one same date", tc.a, da, tc.b, db)
		}
	}
	if d := findDates("Inferentia launched in 2018 and Trainium in 2020."); len(d) != 2 || d[0].key != "2018" || d[1].key != "2020" {
		t.Errorf("years: %v", d)
	}
}

func TestSameValue(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"sam altman", "altman", true},
		{"11-3", "2020-11-3", true},
		{"2018", "2019", false},
		{"anthropic", "microsoft", false},
	}
	for _, tc := range tests {
		if got := sameValue(tc.a, tc.b); got != tc.want {
			t.Errorf("sameValue(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func valueEv(doc, s string, score float64) evidence {
	return evidence{chunk: Chunk{DocID: doc}, text: s, score: score}
}

func TestFindValueConflict(t *testing.T) {
	tests := []struct {
		name   string
		q      string
		ev     []evidence
		want   bool
		values int
	}{
		{"dates differ across documents", "When was the Rhine bridge in Basel opened?", []evidence{
			valueEv("a", "The Rhine bridge in Basel was opened on 3 November 1871.", 0.9),
			valueEv("b", "The Rhine bridge in Basel was opened in 1899, records show.", 0.8),
		}, true, 2},
		{"same date written two ways", "When was the Rhine bridge in Basel opened?", []evidence{
			valueEv("a", "The Rhine bridge in Basel was opened on Nov. 3.", 0.9),
			valueEv("b", "The Rhine bridge in Basel was opened on 3 November.", 0.8),
		}, false, 0},
		{"people differ", "Who founded the Basel bridge company?", []evidence{
			valueEv("a", "The Basel bridge company was founded by Johann Merian.", 0.9),
			valueEv("b", "Records say the Basel bridge company was founded by Hans Euler.", 0.8),
		}, true, 2},
		{"one name written two ways", "Who founded the Basel bridge company?", []evidence{
			valueEv("a", "The Basel bridge company was founded by Johann Merian.", 0.9),
			valueEv("b", "The Basel bridge company was founded by Merian, records say.", 0.8),
		}, false, 0},
		{"one document is no conflict", "When was the Rhine bridge in Basel opened?", []evidence{
			valueEv("a", "The Rhine bridge in Basel was opened on 3 November 1871.", 0.9),
			valueEv("a", "The Rhine bridge in Basel was opened in 1899 after repairs.", 0.8),
		}, false, 0},
		{"a question of one term anchors nothing", "Where is the Rhine?", []evidence{
			valueEv("a", "Tourism thrives in the Middle Rhine area near Koblenz.", 0.9),
			valueEv("b", "The Rhine was not known to Herodotus.", 0.8),
		}, false, 0},
		{"a name holding the question's name is another thing", "Where does the Rhine flow past vineyards?", []evidence{
			valueEv("a", "The Rhine flows past vineyards in the Middle Rhine valley.", 0.9),
			valueEv("b", "The Rhine flows past vineyards that line the Upper Rhine plain for miles.", 0.8),
		}, false, 0},
		{"weak evidence is ignored", "When was the Rhine bridge in Basel opened?", []evidence{
			valueEv("a", "The Rhine bridge in Basel was opened on 3 November 1871.", 0.9),
			valueEv("b", "The Rhine bridge in Basel was opened in 1899.", 0.01),
		}, false, 0},
	}
	for _, tc := range tests {
		fc, ok := findConflict(tc.q, tc.ev)
		if ok != tc.want || len(fc.claims) != tc.values {
			t.Errorf("%s: conflict %v with %d values %+v, want %v with %d", tc.name, ok, len(fc.claims), fc.claims, tc.want, tc.values)
		}
	}
}

func TestFindParallelConflict(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"number swapped", "The Rhine is 1,230 kilometres long and flows into the North Sea.", "The Rhine is 1,320 kilometres long and flows into the North Sea.", true},
		{"name swapped", "The treaty was signed at Basel by the two governments in spring.", "The treaty was signed at Mainz by the two governments in spring.", true},
		{"date written two ways", "The treaty was signed on Nov. 3 by the two governments.", "The treaty was signed on 3 November by the two governments.", false},
		{"different statements", "The treaty was signed at Basel.", "Shipping on the river grew after the war ended.", false},
		{"multi-word name swapped in a short sentence", "The mouth of the Rhine into Lake Constance forms an inland delta.", "The mouth of the Rhine into Central Bridge forms an inland delta.", true},
		{"number with units swapped", "This section is nearly 86 km long.", "This section is nearly 1,230 km long.", true},
		{"figure written two ways", "Amazon may invest $10bn in OpenAI, people familiar said.", "Amazon may invest 10 billion dollars in OpenAI, people familiar said.", false},
		{"name shortened", "The company was founded by Sam Altman and others in 2015.", "The company was founded by Altman and others in 2015.", false},
		{"rewording without a value", "Amazon is said to be in talks to invest in OpenAI.", "Amazon is reported to be in talks to invest in OpenAI.", false},
		{"a name for a description", "The company was founded in Seattle in 1994.", "Amazon was founded in Seattle in 1994.", false},
		{"a clause added", "The bridge opened in 1871.", "The bridge opened in 1871 after two years of work.", false},
	}
	for _, tc := range tests {
		_, ok := findParallelConflict([]evidence{valueEv("a", tc.a, 0.9), valueEv("b", tc.b, 0.8)})
		if ok != tc.want {
			t.Errorf("%s: conflict %v, want %v", tc.name, ok, tc.want)
		}
	}
}

func FuzzFindDates(f *testing.F) {
	for _, s := range []string{"On Nov. 3, 2020 it opened.", "3 November", "in 1871 and 1899", "March 2019", "Dec. 31st, 1999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range findDates(s) {
			if d.key == "" || d.at < 0 || d.at+len(d.surface) > len(s) || s[d.at:d.at+len(d.surface)] != d.surface {
				t.Fatalf("date %+v is not a span of %q", d, s)
			}
		}
	})
}
