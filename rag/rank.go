package rag

import (
	"regexp"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
)

// Candidate is a sentence to rank for a question.
type Candidate struct {
	Text string
	// Position is the sentence's index in its document (0 = lead sentence).
	Position int
}

// IDFFunc returns the inverse document frequency of an analysed term.
type IDFFunc func(term string) float64

// rankWeights blend the ranker's features. They were fitted on WikiQA and
// the seed eval suite (see README: measurements) and are few on purpose.
type rankWeights struct {
	overlap  float64 // IDF-weighted share of the question's terms the sentence contains
	bigram   float64 // share of the question's adjacent term pairs found adjacent
	lead     float64 // 1/(1+position): articles state their point early
	answer   float64 // the sentence holds the kind of thing asked for (a year, a number, a name)
	topical  float64 // how much weaker a term counts when most candidates share it
	defLead  float64 // lead weight for definition questions ("what is X"), answered by an opening sentence
	prefix   float64 // credit for a question term matched only by a shared 5-letter prefix
	long     float64 // longer sentences carry more; min(words/30, 1)
	entity   float64 // share of the score a sentence loses for missing every name the question gives
	minWords int     // sentences shorter than this are fragments
}

var defaultRank = rankWeights{overlap: 1, lead: 0.2, answer: 0.8, topical: 0.95, defLead: 0.6, prefix: 1, entity: 0.3, minWords: 12}

// AbstainThreshold: an answer whose best sentence scores below it abstains.
// Chosen on WikiQA answer triggering (see README) and the seed eval suite.
const AbstainThreshold = 0.27

// ScoreSentences scores each candidate as an answer to question; higher is
// better. Scores lie in [0,1] and are comparable across calls, so a fixed
// abstention threshold applies to them.
func ScoreSentences(question string, cands []Candidate, idf IDFFunc) []float64 {
	return defaultRank.score(question, cands, idf)
}

func (w rankWeights) score(question string, cands []Candidate, idf IDFFunc) []float64 {
	scores := make([]float64, len(cands))
	qterms := uniqueTerms(question)
	if len(qterms) == 0 || len(cands) == 0 {
		return scores
	}
	sets := make([]map[string]bool, len(cands))
	seqs := make([][]string, len(cands))
	cdf := map[string]int{}
	for i, c := range cands {
		seqs[i] = text.Terms(c.Text)
		sets[i] = map[string]bool{}
		for _, t := range seqs[i] {
			sets[i][t] = true
		}
		for t := range sets[i] {
			cdf[t]++
		}
	}
	// Term weights: idf, discounted for terms most candidates share (the
	// document's topic, often named in the question).
	qw := make(map[string]float64, len(qterms))
	var total float64
	for _, t := range qterms {
		share := 0.0
		if len(cands) > 2 {
			share = float64(cdf[t]) / float64(len(cands))
		}
		qw[t] = idf(t) * (1 - w.topical*share)
		total += qw[t]
	}
	entities := questionEntities(question)
	bigrams := termBigrams(text.Terms(question))
	want := askedType(question)
	lead := w.lead
	switch {
	case askDefinition.MatchString(question):
		lead = w.defLead
	case askProcess.MatchString(question):
		lead = 0 // "how is X made": the opening definition is not the answer
	}
	sum := w.overlap + w.bigram + max(w.lead, w.defLead) + w.answer + w.long
	for i, c := range cands {
		// cover is the IDF-weighted share of the question the sentence holds.
		var cover float64
		if total > 0 {
			var m float64
			for _, t := range qterms {
				switch {
				case sets[i][t]:
					m += qw[t]
				case w.prefix > 0 && hasPrefixMatch(t, sets[i]):
					m += w.prefix * qw[t]
				}
			}
			cover = m / total
		}
		s := w.overlap * cover
		if len(bigrams) > 0 {
			have := termBigrams(seqs[i])
			n := 0
			for b := range bigrams {
				if have[b] {
					n++
				}
			}
			s += w.bigram * float64(n) / float64(len(bigrams))
		}
		// Position and answer type only rank sentences that are about the
		// question: they scale with its coverage, so an unrelated sentence
		// never scores on them alone.
		bonus := lead / float64(1+c.Position)
		if want != nil && want.MatchString(c.Text) {
			bonus += w.answer
		}
		s += bonus * min(1, 2*cover)
		s += w.long * min(float64(len(strings.Fields(c.Text)))/30, 1)
		if len(strings.Fields(c.Text)) < w.minWords {
			s *= 0.6 // captions and fragments
		}
		// A sentence about other parties than the ones the question names
		// ("Microsoft ..." for a question about Amazon) is a weaker answer.
		if len(entities) > 0 {
			n := 0
			for _, t := range entities {
				if sets[i][t] {
					n++
				}
			}
			s *= 1 - w.entity*(1-float64(n)/float64(len(entities)))
		}
		scores[i] = s / sum
	}
	return scores
}

// hasPrefixMatch reports whether a term of set shares t's first five
// letters ("immigrated" and "immigration").
func hasPrefixMatch(t string, set map[string]bool) bool {
	if len(t) < 6 {
		return false
	}
	p := t[:5]
	for u := range set {
		if len(u) >= 6 && strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

func termBigrams(ts []string) map[[2]string]bool {
	m := map[[2]string]bool{}
	for i := 1; i < len(ts); i++ {
		m[[2]string{ts[i-1], ts[i]}] = true
	}
	return m
}

// Answer types a question asks for, and what a sentence holding one looks like.
var (
	yearOrDate = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bcentury\b`)
	quantity   = regexp.MustCompile(`(?i)[0-9]|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|percent|several|few)\b`)
	properName = regexp.MustCompile(`\s[A-Z][a-z]+`)
	askWhen    = regexp.MustCompile(`(?i)^\s*(when|what year|what date|in what year|what time|how old|what century)\b`)
	askCount   = regexp.MustCompile(`(?i)\b(how (much|many|long|far|big|large|tall|high|old|fast|deep|wide)|what (is|was) the (population|number|amount|size|price|cost))\b`)
	askPlace   = regexp.MustCompile(`(?i)^\s*(what|which) (county|city|state|country|province|region|continent|river|team|company|language)\b`)
	askWho     = regexp.MustCompile(`(?i)^\s*(who|whom|whose)\b`)
	askWhere   = regexp.MustCompile(`(?i)^\s*where\b`)
	// askProcess: how something happens or is done, why, what causes it.
	askProcess = regexp.MustCompile(`(?i)^\s*(how (is|are|do|does|did|was|were|can|to)\b|how \w+ (is|are|was|were)\b|why\b|what causes\b|what does .* do\b)`)
	// askDefinition: "what is X", "what are X", "who is X", "what does X mean".
	askDefinition = regexp.MustCompile(`(?i)^\s*(what|who) (is|are|was|were) (an? |the )?\w+( \w+)?\??\s*$|^\s*what does .* mean|^\s*define\b`)
)

// askedType returns the pattern of the answer a question asks for, or nil.
func askedType(q string) *regexp.Regexp {
	switch {
	case askWhen.MatchString(q):
		return yearOrDate
	case askCount.MatchString(q):
		return quantity
	case askWho.MatchString(q), askWhere.MatchString(q), askPlace.MatchString(q):
		return properName
	}
	return nil
}

func uniqueTerms(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range text.Terms(s) {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
