package eval

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"

	"github.com/ragcite/ragcite/rag"
)

// FitOptions control fitting the lexical verifier.
type FitOptions struct {
	// Folds for cross-validation by question; 0 means 5.
	Folds int
	// KeepTarget is the share of supported training claims the partial
	// threshold keeps; 0 means 0.95, a margin over the 0.9 wanted held out.
	KeepTarget float64
}

// FitResult is a fitted model and the verdicts it gave each claim while
// the claim's question was held out.
type FitResult struct {
	Model   rag.LexicalModel
	HeldOut []AttributionVerdict
}

// Fitting constants: L2 penalty and gradient descent schedule of the
// logistic regression (features lie in [0,1], so one step size suits all).
const (
	fitL2    = 0.01
	fitSteps = 3000
	fitRate  = 1.0
)

// FitLexical fits the lexical verifier's weights (a class-balanced
// logistic regression) and thresholds on claims, and cross-validates by
// question: every claim of a question is judged by a model fitted without
// that question. The returned model is fitted on all claims.
func FitLexical(claims []AttributionClaim, opt FitOptions) (FitResult, error) {
	if opt.Folds == 0 {
		opt.Folds = 5
	}
	if opt.KeepTarget == 0 {
		opt.KeepTarget = 0.95
	}
	if opt.Folds < 2 || opt.KeepTarget <= 0 || opt.KeepTarget > 1 {
		return FitResult{}, fmt.Errorf("fit: folds %d (want >= 2), keep target %v (want in (0,1])", opt.Folds, opt.KeepTarget)
	}
	as := make([]rag.ClaimAnalysis, len(claims))
	fold := make([]int, len(claims))
	for i, c := range claims {
		as[i] = rag.AnalyzeClaim(c.Claim, c.Evidence)
		h := fnv.New32a()
		h.Write([]byte(c.Question))
		fold[i] = int(h.Sum32() % uint32(opt.Folds))
	}
	held := make([]AttributionVerdict, len(claims))
	for f := 0; f < opt.Folds; f++ {
		var train []int
		for i := range claims {
			if fold[i] != f {
				train = append(train, i)
			}
		}
		m, err := fitModel(claims, as, train, opt.KeepTarget)
		if err != nil {
			return FitResult{}, fmt.Errorf("fit fold %d: %w", f+1, err)
		}
		for i := range claims {
			if fold[i] == f {
				held[i] = AttributionVerdict{Claim: claims[i], Verdict: m.Judge(as[i])}
			}
		}
	}
	all := make([]int, len(claims))
	for i := range all {
		all[i] = i
	}
	m, err := fitModel(claims, as, all, opt.KeepTarget)
	if err != nil {
		return FitResult{}, fmt.Errorf("fit: %w", err)
	}
	hm := ScoreAttribution(held)
	m.Note = fmt.Sprintf("fitted on %d claims of %d questions; %d-fold cross-validation by question, held out: kept recall %.3f, balanced accuracy %.3f",
		len(claims), countQuestions(claims), opt.Folds, hm.KeptRecall, hm.BalancedAccuracy)
	return FitResult{Model: m, HeldOut: held}, nil
}

func countQuestions(claims []AttributionClaim) int {
	qs := map[string]bool{}
	for _, c := range claims {
		qs[c.Question] = true
	}
	return len(qs)
}

// fitModel fits weights on the claims idx, then the partial threshold that
// keeps keep of the supported ones and the supported threshold with the best
// balanced accuracy.
func fitModel(claims []AttributionClaim, as []rag.ClaimAnalysis, idx []int, keep float64) (rag.LexicalModel, error) {
	nf := len(rag.LexicalFeatureNames)
	var npos, nneg float64
	for _, i := range idx {
		if claims[i].Label == labelSupported {
			npos++
		} else {
			nneg++
		}
	}
	if npos == 0 || nneg == 0 {
		return rag.LexicalModel{}, errors.New("the claims need both labels")
	}
	m := rag.LexicalModel{Features: append([]string{}, rag.LexicalFeatureNames...), Weights: make([]float64, nf)}
	grad := make([]float64, nf)
	for step := 0; step < fitSteps; step++ {
		for j := range grad {
			grad[j] = fitL2 * m.Weights[j]
		}
		gb := 0.0
		for _, i := range idx {
			y, w := 0.0, 0.5/nneg
			if claims[i].Label == labelSupported {
				y, w = 1, 0.5/npos
			}
			d := w * (m.Score(as[i].Features) - y)
			for j, x := range as[i].Features {
				grad[j] += d * x
			}
			gb += d
		}
		for j := range grad {
			m.Weights[j] -= fitRate * grad[j]
		}
		m.Bias -= fitRate * gb
	}
	var pos []float64
	for _, i := range idx {
		if claims[i].Label == labelSupported {
			pos = append(pos, m.Score(as[i].Features))
		}
	}
	sort.Float64s(pos)
	m.Partial = pos[int(math.Floor((1-keep)*float64(len(pos))))]
	// A class-balanced regression puts equal odds at 0.5, the threshold that
	// balances the two recalls. Choosing the threshold with the best
	// training balanced accuracy instead scored lower held out and varied
	// more between fold splits (README, Verification).
	m.Supported = max(0.5, m.Partial)
	return roundModel(m), nil
}

func roundModel(m rag.LexicalModel) rag.LexicalModel {
	r := func(f float64) float64 { return math.Round(f*1e4) / 1e4 }
	for j := range m.Weights {
		m.Weights[j] = r(m.Weights[j])
	}
	m.Bias = r(m.Bias)
	// Thresholds round down, so a claim at the fitted threshold stays above it.
	m.Partial, m.Supported = math.Floor(m.Partial*1e4)/1e4, math.Floor(m.Supported*1e4)/1e4
	return m
}
