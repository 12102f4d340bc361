package rag

// Candidate is a sentence to rank for a question.
type Candidate struct {
	Text string
	// Position is the sentence's index in its document (0 = lead sentence).
	Position int
}

// IDFFunc returns the inverse document frequency of an analysed term.
type IDFFunc func(term string) float64

// ScoreSentences scores each candidate as an answer to question; higher is
// better. Scores are comparable across candidates of one call and lie in
// [0,1], so a fixed abstention threshold can apply to them.
func ScoreSentences(question string, cands []Candidate, idf IDFFunc) []float64 {
	qterms := uniqueTerms(question)
	var total float64
	for _, t := range qterms {
		total += idf(t)
	}
	scores := make([]float64, len(cands))
	if total == 0 {
		return scores
	}
	for i, c := range cands {
		have := map[string]bool{}
		for _, t := range Terms(c.Text) {
			have[t] = true
		}
		var s float64
		for _, t := range qterms {
			if have[t] {
				s += idf(t)
			}
		}
		scores[i] = s / total
	}
	return scores
}

func uniqueTerms(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range Terms(s) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// AbstainThreshold: an answer whose best sentence scores below it abstains.
const AbstainThreshold = 0.35
