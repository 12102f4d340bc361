package rag

import "testing"

// supportExamples are generated-style sentences over passages of the sample
// articles, labelled by hand: a faithful restatement (true) or a sentence
// that adds or changes a claim (false).
var supportExamples = []struct {
	sentence, passage string
	supported         bool
}{
	{"Amazon is in talks to invest at least $10 billion in OpenAI.",
		"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue.", true},
	{"Amazon may invest up to $50 billion in OpenAI.",
		"Amazon is reportedly in discussions to invest as much as $50 billion in OpenAI, a move that could deepen ties.", true},
	{"OpenAI would use Amazon's Trainium chips.",
		"Part of the proposed deal involving OpenAI using Amazon’s Trainium AI chips and AWS cloud infrastructure.", true},
	{"Microsoft has invested more than $13 billion in OpenAI since 2019.",
		"Microsoft has invested more than $13 billion in OpenAI since 2019, and that partnership remains strategically vital.", true},
	{"Inferentia was launched in 2018 and focuses on inference.",
		"Inferentia (launched in 2018) focused on inference", true},
	{"OpenAI is led by CEO Sam Altman.",
		"Amazon is planning a massive investment of up to $10 billion in OpenAI, the artificial intelligence company led by CEO Sam Altman.", true},
	{"The deal was signed for $10 billion in 2023.",
		"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue.", false},
	{"Amazon will invest $20 billion in OpenAI.",
		"Reports that Amazon is in talks to invest at least $10 billion in OpenAI have added a fresh layer of intrigue.", false},
	{"Google has agreed to buy Anthropic for a record sum.",
		"Yes, Amazon has invested heavily in Anthropic, reportedly putting in over $8 billion.", false},
	{"Nvidia stopped selling GPUs to OpenAI because of regulators in Europe.",
		"Training large models requires enormous amounts of specialised hardware, and right now, Nvidia dominates that space.", false},
	{"OpenAI signed a $38 billion cloud capacity deal with AWS.",
		"And crucially, it recently signed a $38 billion cloud capacity deal with AWS, its first major contract with Amazon’s cloud division.", true},
	{"Amazon's shares fell sharply after the Reuters report.",
		"Amazon.com Inc. shares rose modestly in after-hours trading following the publication.", false},
}

// TestSupportCheck reports the check's precision and recall on the
// labelled examples and requires it to get every one right.
func TestSupportCheck(t *testing.T) {
	var tp, fp, fn int
	for _, ex := range supportExamples {
		got := supports(ex.sentence, ex.passage)
		switch {
		case got && ex.supported:
			tp++
		case got && !ex.supported:
			fp++
			t.Errorf("accepted unsupported %q", ex.sentence)
		case !got && ex.supported:
			fn++
			t.Errorf("rejected supported %q", ex.sentence)
		}
	}
	t.Logf("support check at share %.2f: precision %d/%d, recall %d/%d", supportTermShare, tp, tp+fp, tp, tp+fn)
}
