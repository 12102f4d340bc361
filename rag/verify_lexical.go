package rag

import (
	"github.com/ragcite/ragcite/internal/text"

	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/ragcite/ragcite/embed"
)

// LexicalModel holds the fitted weights and thresholds of the lexical
// verifier: score = sigmoid(Bias + Σ Weights[i]·feature[i]); a claim is
// supported at score >= Supported and partial at score >= Partial.
type LexicalModel struct {
	Features  []string  `json:"features"`
	Weights   []float64 `json:"weights"`
	Bias      float64   `json:"bias"`
	Partial   float64   `json:"partial"`
	Supported float64   `json:"supported"`
	// Note says how the model was fitted and what it scored held out.
	Note string `json:"note,omitempty"`
}

//go:embed verify_weights.json
var lexicalWeightsJSON []byte

// DefaultLexicalModel returns the committed fitted model.
func DefaultLexicalModel() LexicalModel {
	var m LexicalModel
	if err := json.Unmarshal(lexicalWeightsJSON, &m); err != nil {
		panic(fmt.Sprintf("verify_weights.json: %v", err)) // a build defect, caught by every test
	}
	return m
}

// Validate checks that the model matches the features this build computes.
func (m LexicalModel) Validate() error {
	if len(m.Features) != len(LexicalFeatureNames) || len(m.Weights) != len(LexicalFeatureNames) {
		return fmt.Errorf("lexical model: %d features and %d weights, want %d", len(m.Features), len(m.Weights), len(LexicalFeatureNames))
	}
	for i, f := range m.Features {
		if f != LexicalFeatureNames[i] {
			return fmt.Errorf("lexical model: feature %d is %q, want %q", i, f, LexicalFeatureNames[i])
		}
	}
	if !(0 <= m.Partial && m.Partial <= m.Supported && m.Supported <= 1) {
		return fmt.Errorf("lexical model: thresholds partial %v, supported %v: want 0 <= partial <= supported <= 1", m.Partial, m.Supported)
	}
	return nil
}

// Score maps features to a support score in [0,1].
func (m LexicalModel) Score(f []float64) float64 {
	z := m.Bias
	for i, w := range m.Weights {
		z += w * f[i]
	}
	return 1 / (1 + math.Exp(-z))
}

// LexicalVerifier judges claims by overlap with the passages: content
// terms (stemmed), named entities and figures (with units normalised),
// word pairs, the best-matching sentences and negation, weighed by a model
// fitted on expert judgements. It needs no network.
type LexicalVerifier struct {
	model LexicalModel
}

var _ Verifier = (*LexicalVerifier)(nil)

// NewLexicalVerifier returns a verifier using m.
func NewLexicalVerifier(m LexicalModel) (*LexicalVerifier, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &LexicalVerifier{model: m}, nil
}

// DefaultLexicalVerifier uses the committed fitted model.
func DefaultLexicalVerifier() *LexicalVerifier {
	return &LexicalVerifier{model: DefaultLexicalModel()}
}

// Name implements Verifier.
func (v *LexicalVerifier) Name() string { return "lexical" }

// Verify implements Verifier.
func (v *LexicalVerifier) Verify(ctx context.Context, checks []Check) ([]Verdict, error) {
	out := make([]Verdict, len(checks))
	for i, c := range checks {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = v.model.Judge(AnalyzeClaim(c.Claim, c.Passages))
	}
	return out, nil
}

// Judge grades an analysed claim: supported at a score of at least
// m.Supported unless a rule forbids it, partial at m.Partial.
func (m LexicalModel) Judge(a ClaimAnalysis) Verdict {
	score := m.Score(a.Features)
	vd := Verdict{Score: round4(score), Support: Unsupported, Quotes: a.Quotes}
	switch {
	case score >= m.Supported && !a.Contradicted():
		vd.Support = Supported
	case score >= m.Partial:
		vd.Support = Partial
	}
	if vd.Support == Unsupported {
		vd.Quotes = nil
	}
	return vd
}

// LexicalFeatureNames name the features AnalyzeClaim computes, in order.
var LexicalFeatureNames = []string{
	"terms", "entities", "figures", "figure_missing", "pairs", "best_sentence",
	"quotes_cover", "negation_mismatch", "claim_length", "long_terms", "passage_length",
	"triples", "longest_run", "dense_best", "dense_all",
}

// ClaimAnalysis is what the lexical verifier sees of a claim and its passages.
type ClaimAnalysis struct {
	Features []float64
	// FiguresMissing counts the claim's figures (with their units) that no
	// passage states.
	FiguresMissing int
	// NegationMismatch: the claim and its best-matching passage sentence
	// disagree on negation.
	NegationMismatch bool
	// EntitiesMissing counts the claim's named entities (capitalised words
	// after its first) that no passage names.
	EntitiesMissing int
	// NoTerms: the claim has no content term to check.
	NoTerms bool
	Quotes  []Quote
}

// Contradicted reports whether a rule forbids a supported verdict whatever
// the score: a figure or two names the passages do not state, a negation
// they do not share, or nothing to check. (One missing name alone is often
// a paraphrase: "the Fed" for "the central bank"; as a rule it cost held-out
// balanced accuracy, two did not.)
func (a ClaimAnalysis) Contradicted() bool {
	return a.FiguresMissing > 0 || a.EntitiesMissing > 1 || a.NegationMismatch || a.NoTerms
}

// passageSentence is one sentence of a passage with its terms.
type passageSentence struct {
	passage    int
	start, end int
	terms      map[string]bool
	negated    bool
}

// AnalyzeClaim computes the lexical features of a claim against the union
// of its passages, and the passage sentences that best cover it. The
// features are computed side by side in one function because they share
// the claim's terms and the union of the passages' sentences, built once.
func AnalyzeClaim(claim string, passages []string) ClaimAnalysis {
	ct := claimTerms(claim)
	var sents []passageSentence
	all := map[string]bool{}
	var seq []string
	ptext := strings.Join(passages, "\n")
	for i, p := range passages {
		for _, s := range text.SplitSentences(p) {
			ts := text.Terms(p[s.Start:s.End])
			set := map[string]bool{}
			for _, t := range ts {
				set[t] = true
				all[t] = true
			}
			seq = append(seq, ts...)
			sents = append(sents, passageSentence{passage: i, start: s.Start, end: s.End, terms: set, negated: hasNegation(p[s.Start:s.End])})
		}
		seq = append(seq, "") // no word pair across passages
	}
	found := func(t string, set map[string]bool) bool { return set[t] || hasPrefixMatch(t, set) }
	share := func(ts []string, set map[string]bool) float64 {
		if len(ts) == 0 {
			return 1
		}
		n := 0
		for _, t := range ts {
			if found(t, set) {
				n++
			}
		}
		return float64(n) / float64(len(ts))
	}
	a := ClaimAnalysis{NoTerms: len(ct.content) == 0}
	// Figures, with their currency and percent units.
	pfig := figures(ptext, true)
	for _, u := range unitTerms(ptext) {
		pfig["unit:"+u] = true
	}
	for t := range all {
		if u, ok := unitWords[t]; ok && u != "" {
			pfig["unit:"+u] = true
		}
	}
	nfound := 0
	for _, f := range ct.figures {
		if pfig[f] {
			nfound++
		}
	}
	a.FiguresMissing = len(ct.figures) - nfound
	for _, t := range ct.entities {
		if !found(t, all) {
			a.EntitiesMissing++
		}
	}
	figShare := 1.0
	if len(ct.figures) > 0 {
		figShare = float64(nfound) / float64(len(ct.figures))
	}
	// Word pairs of the claim found adjacent in a passage.
	pairs := termBigrams(seq)
	pairShare := share(ct.content, all)
	if len(ct.content) >= 2 {
		n := 0
		for i := 1; i < len(ct.content); i++ {
			if pairs[[2]string{ct.content[i-1], ct.content[i]}] {
				n++
			}
		}
		pairShare = float64(n) / float64(len(ct.content)-1)
	}
	// The best single sentence, and a greedy cover by up to three sentences.
	best, bestIdx := 0.0, -1
	for i, s := range sents {
		if c := share(ct.unique, s.terms); c > best || bestIdx < 0 {
			best, bestIdx = c, i
		}
	}
	cover, quotes := coverClaim(ct.unique, sents, found)
	for _, q := range quotes {
		p := passages[q.passage]
		a.Quotes = append(a.Quotes, Quote{Passage: q.passage, Start: q.start, End: q.end, Text: p[q.start:q.end]})
	}
	if bestIdx >= 0 && len(ct.unique) > 0 {
		a.NegationMismatch = ct.negated != sents[bestIdx].negated
	}
	a.Features = []float64{
		share(ct.unique, all),
		share(ct.entities, all),
		figShare,
		b2f(a.FiguresMissing > 0),
		pairShare,
		best,
		cover,
		b2f(a.NegationMismatch),
		math.Log1p(float64(len(ct.unique))) / 3,
		share(ct.long, all),
		math.Log1p(float64(len(seq))) / 7,
		tripleShare(ct.content, seq),
		longestRun(ct.content, seq),
	}
	a.Features = append(a.Features, denseFeatures(claim, passages, sents)...)
	return a
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// maxQuotes bounds the passage sentences quoted for one claim.
const maxQuotes = 3

// coverClaim picks up to maxQuotes sentences greedily, each covering the
// most claim terms not yet covered, and returns the share covered.
func coverClaim(terms []string, sents []passageSentence, found func(string, map[string]bool) bool) (float64, []passageSentence) {
	if len(terms) == 0 {
		return 0, nil
	}
	covered := make([]bool, len(terms))
	var picked []passageSentence
	n := 0
	for len(picked) < maxQuotes {
		best, gain := -1, 0
		for i, s := range sents {
			g := 0
			for j, t := range terms {
				if !covered[j] && found(t, s.terms) {
					g++
				}
			}
			if g > gain {
				best, gain = i, g
			}
		}
		// A further sentence must add a real part of the claim.
		if best < 0 || (len(picked) > 0 && gain < 2) {
			break
		}
		for j, t := range terms {
			if !covered[j] && found(t, sents[best].terms) {
				covered[j] = true
				n++
			}
		}
		picked = append(picked, sents[best])
	}
	return float64(n) / float64(len(terms)), picked
}

// claimParts are the parts of a claim the lexical verifier checks.
type claimParts struct {
	content  []string // content terms in order, figures and units left out
	unique   []string // content without repeats
	entities []string // terms of capitalised words after the first word
	long     []string // terms of eight letters or more: rarer words
	figures  []string // canonical figures and units
	negated  bool
}

func claimTerms(claim string) claimParts {
	var c claimParts
	seen := map[string]bool{}
	for _, t := range text.Terms(claim) {
		if _, unit := unitWords[t]; unit || strings.IndexFunc(t, unicode.IsDigit) >= 0 {
			continue
		}
		c.content = append(c.content, t)
		if !seen[t] {
			seen[t] = true
			c.unique = append(c.unique, t)
			if len(t) >= 8 {
				c.long = append(c.long, t)
			}
		}
	}
	ents := map[string]bool{}
	for i, m := range capitalRE.FindAllStringIndex(claim, -1) {
		if i == 0 && strings.TrimSpace(claim[:m[0]]) == "" {
			continue // the sentence's first word
		}
		for _, t := range text.Terms(claim[m[0]:m[1]]) {
			if seen[t] && !ents[t] {
				ents[t] = true
				c.entities = append(c.entities, t)
			}
		}
	}
	for f := range figures(claim, false) {
		c.figures = append(c.figures, f)
	}
	for _, u := range unitTerms(claim) {
		c.figures = append(c.figures, "unit:"+u)
	}
	forEachLowerWord(claim, func(w string) {
		if u := unitWords[text.Stem(w)]; u != "" && u != "percent" {
			c.figures = append(c.figures, "unit:"+u)
		}
	})
	c.negated = hasNegation(claim)
	return c
}

var (
	capitalRE  = regexp.MustCompile(`\b[A-Z][\p{L}\p{N}]*`)
	negationRE = regexp.MustCompile(`(?i)\b(not|no|never|none|neither|nor|without|cannot|nobody|nothing|nowhere)\b|n['’]t\b`)
)

func hasNegation(s string) bool { return negationRE.MatchString(s) }

// tripleShare is the share of the claim's runs of three content terms that
// occur in a row in the passages.
func tripleShare(claim, seq []string) float64 {
	if len(claim) < 3 {
		return 0
	}
	have := map[[3]string]bool{}
	for i := 2; i < len(seq); i++ {
		have[[3]string{seq[i-2], seq[i-1], seq[i]}] = true
	}
	n := 0
	for i := 2; i < len(claim); i++ {
		if have[[3]string{claim[i-2], claim[i-1], claim[i]}] {
			n++
		}
	}
	return float64(n) / float64(len(claim)-2)
}

// longestRun is the longest run of the claim's content terms found in a
// row in the passages, as a share of the claim's content terms.
func longestRun(claim, seq []string) float64 {
	if len(claim) == 0 {
		return 0
	}
	pos := map[string][]int{}
	for i, t := range seq {
		if t != "" {
			pos[t] = append(pos[t], i)
		}
	}
	best := 0
	// prev[j] is the run length ending at seq position j for the previous claim term.
	prev := map[int]int{}
	for _, t := range claim {
		cur := map[int]int{}
		for _, j := range pos[t] {
			cur[j] = prev[j-1] + 1
			best = max(best, cur[j])
		}
		prev = cur
	}
	return float64(best) / float64(len(claim))
}

// verifyEmbedder is the offline embedder whose cosine similarities are
// features: its character n-grams meet paraphrase halfway.
var verifyEmbedder = embed.DefaultLocal()

// denseFeatures are the best cosine similarity of the claim to a passage
// sentence, and to all passages together.
func denseFeatures(claim string, passages []string, sents []passageSentence) []float64 {
	texts := []string{claim, strings.Join(passages, "\n")}
	for _, s := range sents {
		texts = append(texts, passages[s.passage][s.start:s.end])
	}
	vs, err := verifyEmbedder.Embed(context.Background(), texts)
	if err != nil {
		return []float64{0, 0}
	}
	cos := func(a, b []float32) float64 {
		var d float64
		for i := range a {
			d += float64(a[i]) * float64(b[i])
		}
		return d
	}
	best := 0.0
	for _, v := range vs[2:] {
		best = math.Max(best, cos(vs[0], v))
	}
	return []float64{best, cos(vs[0], vs[1])}
}
