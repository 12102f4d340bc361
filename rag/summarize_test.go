package rag

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ragcite/ragcite/internal/text"
)

func TestSummaryEligible(t *testing.T) {
	for s, want := range map[string]bool{
		"Amazon is reportedly in talks to invest at least $10 billion in OpenAI.":                           true,
		"Why is OpenAI reportedly engaging Amazon for a potential $10B investment and infrastructure deal?": false, // a question
		"Why This OpenAI-Amazon Discussion Is a Big Deal":                                                   false, // a heading
		"Find out how it could reshape cloud AI infrastructure and challenge Microsoft’s lead.":             true,  // alone; its paragraph is a teaser
		"If you’ve been tracking the space closely (as I do almost daily), you’ll know the battle moved.":   false, // an aside
		"Let me be very clear: this is not a breakup story at all.":                                         false,
		"“We are excited about the partnership,” the company said in a statement.":                          true,  // quoted first person
		"This article will explore OpenAI’s reported talks with Amazon over a potential investment.":        false, // about the article
		"Cloud Wars Are Entering Phase Two: This is no longer AWS vs Azure vs Google Cloud.":                false, // a bold lead-in
		"Too short to say much.": false,
	} {
		if got := summaryEligible(s, false); got != want {
			t.Errorf("summaryEligible(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestOpensOnReference(t *testing.T) {
	for s, want := range map[string]bool{
		"It’s about infrastructure, chips, and long-term compute control.":  true,
		"This tension reflects a broader realignment.":                      true,
		"However, the deal is unconfirmed.":                                 true,
		"At the same time, Amazon has its own ambitions.":                   true,
		"Yes, Amazon has invested heavily in Anthropic.":                    true,
		"Amazon is in talks with OpenAI.":                                   false,
		"Italy is not part of the deal.":                                    false,
		"Thistles are not either.":                                          false,
		"Through Amazon Web Services, it has been designing AI chips.":      true,
		"From Amazon’s perspective, this isn’t just an investment.":         true,
		"In October, OpenAI sold shares at a $500 billion valuation.":       false,
		"Amazon, which runs AWS, itself designs chips.":                     false,
		"After a long and public courtship of several partners, it signed.": false,
	} {
		if got := opensOnReference(s); got != want {
			t.Errorf("opensOnReference(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestStripMarkupKeepsQuoteAtOffsets(t *testing.T) {
	doc := "Intro line.\n  • OpenAI is reportedly in discussions with Amazon for a $10 billion investment.\n"
	sp := text.SplitSentences(doc)[1]
	x := evidence{chunk: Chunk{DocID: "d", Text: doc, Start: 0, End: len(doc)}, Span: sp, text: doc[sp.Start:sp.End]}
	got := stripMarkup(x)
	if strings.HasPrefix(got.text, "•") || doc[got.Start:got.End] != got.text {
		t.Errorf("stripped %q at [%d,%d): document has %q", got.text, got.Start, got.End, doc[got.Start:got.End])
	}
	plain := evidence{Span: text.Span{Start: 0, End: 11}, text: "Intro line."}
	if stripMarkup(plain) != plain {
		t.Error("a sentence without markup changed")
	}
}

func TestSelectSentencesKeepsDependentsWithTheirAntecedent(t *testing.T) {
	v := func(t string) map[string]float64 { return map[string]float64{t: 1} }
	cs := []candidate{
		{evidence: evidence{score: 0.2}, vec: v("a"), pred: -1},
		{evidence: evidence{score: 0.9}, vec: v("b"), pred: 0, needs: true}, // "It ...": needs 0
		{evidence: evidence{score: 0.5}, vec: v("c"), pred: -1},
		{evidence: evidence{score: 0.8}, vec: v("d"), pred: -1, extra: true}, // conflict evidence only
	}
	w := summaryWeights{redundancy: 0.5}
	if got := selectSentences(cs, 1, w, -1, nil); !slices.Equal(got, []int{2}) {
		t.Errorf("one sentence: %v, want [2] (1 needs 0; 3 is extra)", got)
	}
	if got := selectSentences(cs, 3, w, -1, nil); !slices.Equal(got, []int{2, 0, 1}) {
		t.Errorf("three sentences: %v, want [2 0 1]", got)
	}
	if got := selectSentences(cs, 2, w, 0, nil); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("seeded: %v, want [0 1]", got)
	}
	// A sentence the summary states otherwise counts against its repeats.
	dup := append(cs[:3:3], candidate{evidence: evidence{score: 0.45}, vec: v("c"), pred: -1})
	if got := selectSentences(dup, 1, summaryWeights{redundancy: 1}, -1, []int{2}); !slices.Equal(got, []int{0}) {
		t.Errorf("with 2 stated: %v, want [0]", got)
	}
}

func TestSelectSentencesSharesAmongDocuments(t *testing.T) {
	v := func(t string) map[string]float64 { return map[string]float64{t: 1} }
	cs := []candidate{
		{evidence: evidence{score: 0.9}, vec: v("a"), pred: -1, doc: 0},
		{evidence: evidence{score: 0.8}, vec: v("b"), pred: -1, doc: 0},
		{evidence: evidence{score: 0.7}, vec: v("c"), pred: 1, needs: true, doc: 0},
		{evidence: evidence{score: 0.1}, vec: v("d"), pred: -1, doc: 1},
	}
	if got := selectSentences(cs, 2, summaryWeights{}, -1, nil); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("two of two documents: %v, want [0 3]", got)
	}
	// Past its share, a document still gives a dependent of a chosen sentence.
	if got := selectSentences(cs, 4, summaryWeights{}, 1, nil); !slices.Equal(got, []int{1, 0, 2, 3}) {
		t.Errorf("with a dependent: %v, want [1 0 2 3]", got)
	}
}

func TestSelectSentencesPairsAntecedentWithDependent(t *testing.T) {
	v := func(t string) map[string]float64 { return map[string]float64{t: 1} }
	cs := []candidate{
		{evidence: evidence{score: 0.3}, vec: v("a"), pred: -1},
		{evidence: evidence{score: 0.9}, vec: v("b"), pred: 0, needs: true}, // "But ...": needs 0
		{evidence: evidence{score: 0.5}, vec: v("c"), pred: -1},
	}
	tests := []struct {
		name string
		n    int
		pair bool
		want []int
	}{
		{"without lookahead the antecedent waits", 2, false, []int{2, 0}},
		{"the pair is worth 0.6, more than 0.5", 2, true, []int{0, 1}},
		{"no room for a pair", 1, true, []int{2}},
	}
	for _, tc := range tests {
		if got := selectSentences(cs, tc.n, summaryWeights{pair: tc.pair}, -1, nil); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestSelectSentencesCoversConcepts(t *testing.T) {
	vec := func(ts ...string) map[string]float64 {
		m := map[string]float64{}
		for _, t := range ts {
			m[t] = 1
		}
		return m
	}
	// "deal" and "chips" recur; the second sentence repeats the first's
	// concepts, the third adds chips.
	cs := []candidate{
		{vec: vec("deal", "amazon"), pred: -1},
		{vec: vec("deal", "amazon"), pred: -1},
		{vec: vec("chips", "nvidia"), pred: -1},
		{vec: vec("chips", "rare"), pred: -1},
	}
	for i := range cs {
		cs[i].terms = slices.Sorted(maps.Keys(cs[i].vec))
	}
	got := selectSentences(cs, 2, summaryWeights{coverage: 1}, -1, nil)
	if !slices.Equal(got, []int{0, 2}) {
		t.Errorf("%v, want [0 2]: the second pick should add chips, not repeat the deal", got)
	}
}

func TestSpecificity(t *testing.T) {
	tests := []struct {
		s    string
		want float64
	}{
		{"It is about control, not cash.", 0},
		{"Amazon may invest $10 billion in OpenAI.", 0.4},                          // $10, OpenAI (the first word does not count)
		{"In October, OpenAI sold $6.6 billion at a $500 billion valuation.", 0.8}, // October, OpenAI, $6.6, $500
		{"Nvidia, AMD, Broadcom, Intel, Arm and Qualcomm make chips.", 1},          // capped
	}
	for _, tc := range tests {
		if got := specificity(tc.s); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("specificity(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestRunListsIn(t *testing.T) {
	doc := "Commitments involve:\n- Nvidia\n- Broadcom\nAnd it signed a deal.\nThree things:\n- One long item that is really a whole paragraph set out as a list item.\n- Two.\n"
	ch := Chunk{ID: "c", DocID: "d", Text: doc}
	var xs []evidence
	for _, sp := range text.SplitSentences(doc) {
		xs = append(xs, evidence{chunk: ch, Span: sp, text: doc[sp.Start:sp.End]})
	}
	got := runListsIn(xs)
	if len(got) != len(xs)-2 {
		t.Fatalf("%d sentences from %d, want the first list joined only: %+v", len(got), len(xs), got)
	}
	if got[0].say != "Commitments involve: Nvidia, Broadcom." {
		t.Errorf("wording %q", got[0].say)
	}
	if q := got[0].text; q != doc[got[0].Start:got[0].End] || !strings.HasSuffix(q, "- Broadcom") {
		t.Errorf("quote %q is not the document text through the last item", q)
	}
	for i := 1; i < len(got); i++ {
		if got[i].say != "" {
			t.Errorf("sentence %d reworded: %q", i, got[i].say)
		}
	}
}

// FuzzRunListsIn checks that joining lists keeps every quote the document
// text at its offsets and never leaves a bullet in the wording.
func FuzzRunListsIn(f *testing.F) {
	f.Add("Commitments involve:\n- Nvidia\n- Broadcom\nAnd it signed.\n")
	f.Add("A:\n• x\n• y\n• z\n")
	f.Fuzz(func(t *testing.T, doc string) {
		ch := Chunk{ID: "c", DocID: "d", Text: doc}
		var xs []evidence
		for _, sp := range text.SplitSentences(doc) {
			xs = append(xs, evidence{chunk: ch, Span: sp, text: doc[sp.Start:sp.End]})
		}
		got := runListsIn(xs)
		if len(got) > len(xs) {
			t.Fatalf("%d sentences from %d", len(got), len(xs))
		}
		for _, x := range got {
			if x.text != doc[x.Start:x.End] {
				t.Fatalf("quote %q is not the text at [%d,%d)", x.text, x.Start, x.End)
			}
			if strings.Contains(x.say, "\n") {
				t.Fatalf("wording %q keeps a line break", x.say)
			}
		}
	})
}

func TestStatedAim(t *testing.T) {
	tests := []struct {
		in, say string
		ok      bool
	}{
		{"This article will explore OpenAI’s reported talks with Amazon.", "The article will explore OpenAI’s reported talks with Amazon.", true},
		{"This post examines why chips matter for cloud providers.", "The post examines why chips matter for cloud providers.", true},
		{"this report looks at the deal and what it means.", "The report looks at the deal and what it means.", true},
		{"This article is based on publicly available information and media reports.", "", false},
		{"In this article, we explore the talks between the two companies.", "", false},
		{"This deal will explore new ground for both of the companies.", "", false},
		{"This article", "", false},
	}
	for _, tc := range tests {
		say, ok := statedAim(tc.in)
		if say != tc.say || ok != tc.ok {
			t.Errorf("statedAim(%q) = %q, %v; want %q, %v", tc.in, say, ok, tc.say, tc.ok)
		}
	}
	aim := "This article will explore OpenAI’s reported talks with Amazon over a potential investment."
	if !summaryEligible(aim, true) || summaryEligible(aim, false) {
		t.Errorf("a stated aim: eligible alone %v (want true), among several documents %v (want false)", summaryEligible(aim, true), summaryEligible(aim, false))
	}
	if summaryEligible("This article is based on publicly available information and media reports.", true) {
		t.Error("a remark about the article that states no aim is eligible")
	}
}

func TestWithStatus(t *testing.T) {
	// Each list is one document's candidates in reading order, i at byte 100*i.
	c := func(text string, pred int, needs, extra bool, score float64) candidate {
		return candidate{evidence: evidence{text: text, score: score}, pred: pred, needs: needs, extra: extra}
	}
	inOrder := func(cs ...candidate) []candidate {
		for i := range cs {
			cs[i].Start = 100 * i
		}
		return cs
	}
	cs := inOrder(
		c("Amazon is in talks to invest $10 billion in OpenAI.", -1, false, false, 0.9),
		c("AWS would supply the compute.", -1, false, false, 0.5),
		c("Trainium chips would be used.", -1, false, false, 0.4),
		c("Both companies stayed quiet.", -1, false, false, 0.1),
		c("Neither company has confirmed the talks.", 3, true, false, 0.8), // depends on 3
		c("The deal remains unconfirmed, people said.", -1, false, false, 0.3),
		c("The talks have not been confirmed by either side.", -1, false, true, 0.9), // conflict evidence only
		c("It would be the largest such deal.", 0, true, false, 0.2),                 // depends on 0
		c("That would make it the biggest.", 7, true, false, 0.2),                    // depends on 7
		c("Neither has confirmed that.", 8, true, false, 0.95),                       // depends on 8
	)
	// A status sentence qualifies what comes before it: the sentence right
	// before it stays, and comes with it when nothing earlier is stated.
	doc := inOrder(
		c("Microsoft backs OpenAI heavily.", -1, false, false, 0.5),
		c("Reports say Amazon is in talks to invest in OpenAI.", 0, false, false, 0.4),
		c("While neither company has confirmed the talks, they matter.", 1, false, false, 0.2),
		c("Trainium chips would be used.", -1, false, false, 0.6),
		c("Azure hosts the models.", -1, false, false, 0.3),
		c("Nvidia sells most of the chips.", -1, false, false, 0.2),
	)
	tests := []struct {
		name         string
		cs           []candidate
		picked, want []int
	}{
		{"the last pick gives way to the best status that stands alone", cs, []int{0, 1, 2}, []int{0, 1, 5}},
		{"a dependent qualifies once its antecedent is in", cs, []int{0, 3, 1}, []int{0, 3, 4}},
		{"the antecedent stays when it is the last pick", cs, []int{0, 1, 3}, []int{0, 4, 3}},
		{"a summary that says so already is kept", cs, []int{0, 5, 1}, []int{0, 5, 1}},
		{"too short to give a sentence up", cs, []int{0, 1}, []int{0, 1}},
		{"a dependent may give way, its antecedent stays", cs, []int{2, 0, 7}, []int{2, 0, 5}},
		{"a chain the new sentence ends stays whole", cs, []int{1, 2, 0, 7, 8}, []int{1, 9, 0, 7, 8}},
		{"what it qualifies stays", doc, []int{3, 4, 1}, []int{3, 2, 1}},
		{"something earlier is stated: it comes alone", doc, []int{3, 0, 4}, []int{3, 0, 2}},
		{"nothing earlier is stated: the sentence before comes with it", doc, []int{3, 4, 5}, []int{3, 1, 2}},
	}
	for _, tc := range tests {
		if got := withStatus(tc.cs, tc.picked); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
