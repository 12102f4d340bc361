package eval

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/ragcite/ragcite/internal/logreg"
	"github.com/ragcite/ragcite/rag"
)

// TrainOptions tune the ranker fit.
type TrainOptions struct {
	// L2 is the ridge penalty on standardised weights.
	L2 float64
	// FalseAbstainGoal is the share of answerable questions allowed to
	// abstain; the default confidence threshold is chosen for it.
	FalseAbstainGoal float64
	// WikiQAFolds is k of the k-fold cross-validation by WikiQA question.
	WikiQAFolds int
	// PresentGoal is the share of answerable SQuAD questions the presence
	// check (rag.RankModel.Present) may judge missing; 0 fits none.
	PresentGoal float64
}

// DefaultTrainOptions are the settings the built-in ranker was fitted with.
var DefaultTrainOptions = TrainOptions{L2: 0.01, FalseAbstainGoal: 0.04, WikiQAFolds: 5, PresentGoal: 0.01}

// TrainReport is a fitted ranker with its cross-validated measurements:
// SQuAD 2.0 by article (fitted on the other article and WikiQA), WikiQA by
// question fold (fitted on the other folds and SQuAD 2.0).
type TrainReport struct {
	Model       *rag.RankModel
	Squad2      Squad2Result
	Squad2Folds map[string]Squad2Result
	// Squad2AUC is the area under the ROC curve of confidence separating
	// answerable from unanswerable SQuAD questions.
	Squad2AUC float64
	// Removed is the answerable questions asked without their paragraph
	// (Squad2Removed), by article as Squad2; RemovedAUC separates them
	// from the answerable ones.
	Removed    Squad2Result
	RemovedAUC float64
	WikiQA     WikiQAResult
	// WikiQABestF1 is the answer-triggering F1 at the best threshold on
	// the held-out confidences, chosen in hindsight: not a held-out
	// figure, but a bound on what any threshold gets from them.
	WikiQABestF1 float64
	Reliability  []ReliabilityBin
}

// ReliabilityBin counts answers whose confidence fell in [Lo,Hi) and the
// share that were right.
type ReliabilityBin struct {
	Lo, Hi   float64
	N        int
	MeanConf float64
	Right    float64
}

// trainQuestion is one question's candidate rows and labels (the sentence
// holds a gold answer).
type trainQuestion struct {
	id       string
	squad    bool
	article  string
	answered bool // has a right sentence among the candidates or a gold answer
	removed  bool // an answerable SQuAD question asked without its paragraph (Squad2Removed)
	rows     [][]float64
	labels   []bool
}

// Train fits the ranker on the SQuAD 2.0 articles and the WikiQA questions
// and measures it by cross-validation.
func Train(ctx context.Context, arts []Squad2Article, wiki []WikiQAQuestion, opt TrainOptions) (*TrainReport, error) {
	set, err := NewTrainingSet(ctx, arts, wiki)
	if err != nil {
		return nil, err
	}
	squad, wq := set.squad, set.wiki
	rep := &TrainReport{Squad2Folds: map[string]Squad2Result{}}
	var all, removed []Squad2Outcome
	for _, a := range arts {
		train := append(set.squadOf(func(t string) bool { return t != a.Title }), wq...)
		m, err := fitRanker(train, opt)
		if err != nil {
			return nil, err
		}
		rm := Squad2Removed(arts, a)
		outs, err := squadOutcomes(ctx, arts, append(slices.Clone(a.Questions), rm...), m)
		if err != nil {
			return nil, err
		}
		n := len(a.Questions)
		rep.Squad2Folds[a.Title] = SumSquad2(outs[:n])
		all = append(all, outs[:n]...)
		removed = append(removed, outs[n:]...)
	}
	rep.Squad2 = SumSquad2(all)
	rep.Squad2AUC = confidenceAUC(all)
	rep.Reliability = reliability(all)
	answerable := slicesFilter(all, func(o Squad2Outcome) bool { return o.Answerable })
	rep.Removed = SumSquad2(removed)
	rep.RemovedAUC = confidenceAUC(append(answerable, removed...))
	logits := make([][]float64, len(wiki))
	var thresholds []float64
	confs := make([]float64, len(wiki))
	for f := range opt.WikiQAFolds {
		fold := func(id string) bool { return WikiQAFold(id, opt.WikiQAFolds) == f }
		train := append(slicesFilter(wq, func(q trainQuestion) bool { return !fold(q.id) }), squad...)
		m, err := fitRanker(train, opt)
		if err != nil {
			return nil, err
		}
		thresholds = append(thresholds, m.AbstainBelow)
		for i, q := range wq {
			if fold(q.id) {
				logits[i] = logitsOf(&m.Model, q.rows)
				confs[i] = m.Confidence(q.rows[argmax(logits[i])]) - m.AbstainBelow // margin over its fold's threshold
			}
		}
	}
	rep.WikiQA = sumWikiQA(wiki, logits, func(i int) bool { return confs[i] >= 0 })
	rep.WikiQABestF1 = bestTriggerF1(wiki, logits, confs)
	rep.WikiQA.Threshold = round4(mean(thresholds))
	m, err := fitRanker(append(squad, wq...), opt)
	if err != nil {
		return nil, err
	}
	nRemoved := len(slicesFilter(squad, func(q trainQuestion) bool { return q.removed }))
	m.TrainedOn = fmt.Sprintf("squad2-dev-two-articles.json (%d questions, and %d of them asked without their paragraph) and WikiQA-test-even.tsv (%d questions), ../shared/bench", len(squad)-nRemoved, nRemoved, len(wq))
	m.Goal = fmt.Sprintf("at most %.0f%% of answerable SQuAD 2.0 questions abstain (out-of-fold confidences)", 100*opt.FalseAbstainGoal)
	if m.Present != nil {
		m.Goal += fmt.Sprintf(", at most %.0f%% of them by the presence check", 100*opt.PresentGoal)
	}
	m.Figures = map[string]float64{
		"squad2_cv_containment": rep.Squad2.Containment, "squad2_cv_abstain_recall": rep.Squad2.AbstainRecall,
		"squad2_cv_false_abstain_rate": rep.Squad2.FalseAbstainRate, "squad2_cv_auc": rep.Squad2AUC,
		"squad2_removed_cv_abstain_recall": rep.Removed.AbstainRecall, "squad2_removed_cv_auc": rep.RemovedAUC,
		"wikiqa_cv_map": rep.WikiQA.MAP, "wikiqa_cv_mrr": rep.WikiQA.MRR, "wikiqa_cv_f1": rep.WikiQA.F1,
		"wikiqa_cv_f1_best_threshold_in_hindsight": rep.WikiQABestF1,
	}
	rep.Model = m
	return rep, nil
}

// bestTriggerF1 returns the highest answer-triggering F1 that a threshold
// on confs (one per question) reaches.
func bestTriggerF1(wiki []WikiQAQuestion, logits [][]float64, confs []float64) float64 {
	best := 0.0
	for _, th := range slices.Compact(slices.Sorted(slices.Values(confs))) {
		r := sumWikiQA(wiki, logits, func(i int) bool { return confs[i] >= th })
		best = max(best, r.F1)
	}
	return best
}

// WikiQAFold returns the fold, in [0,k), of a WikiQA question in the
// k-fold cross-validation by question.
func WikiQAFold(id string, k int) int { return int(hashID(id) % uint32(k)) }

// TrainingSet holds the ranker's labelled feature rows: SQuAD 2.0
// questions asked of a store of all the articles, and WikiQA questions over
// their own sentences.
type TrainingSet struct {
	squad, wiki []trainQuestion
}

// squadOf returns the SQuAD questions, those asked without their
// paragraph included, of the articles keep accepts.
func (s *TrainingSet) squadOf(keep func(article string) bool) []trainQuestion {
	return slicesFilter(s.squad, func(q trainQuestion) bool { return keep(q.article) })
}

// NewTrainingSet computes the feature rows of the articles' and WikiQA's
// questions.
func NewTrainingSet(ctx context.Context, arts []Squad2Article, wiki []WikiQAQuestion) (*TrainingSet, error) {
	squad, err := squadRows(ctx, arts)
	if err != nil {
		return nil, err
	}
	return &TrainingSet{squad: squad, wiki: wikiRows(wiki)}, nil
}

// Fit fits a ranker on the SQuAD 2.0 questions of the articles keepArticle
// accepts (by title) and the WikiQA questions keepWiki accepts (by id); a
// nil function keeps all. A model fitted without an article or a WikiQA
// fold measures it held out (install it with rag.Config.Ranker).
func (s *TrainingSet) Fit(opt TrainOptions, keepArticle, keepWiki func(string) bool) (*rag.RankModel, error) {
	var qs []trainQuestion
	for _, q := range s.squad {
		if keepArticle == nil || keepArticle(q.article) {
			qs = append(qs, q)
		}
	}
	for _, q := range s.wiki {
		if keepWiki == nil || keepWiki(q.id) {
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("fit ranker: no training questions kept")
	}
	return fitRanker(qs, opt)
}

// squadOutcomes asks the questions of a store of all the articles ranked by
// m, never abstaining, then applies m's threshold: every question gets an
// answer and a confidence for the reliability table.
func squadOutcomes(ctx context.Context, arts []Squad2Article, qs []Squad2Question, m *rag.RankModel) ([]Squad2Outcome, error) {
	eng, closeFn, err := Squad2Store(ctx, arts, m)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	zero := 0.0
	outs, err := AskSquad2(ctx, eng, qs, &zero)
	if err != nil {
		return nil, err
	}
	for i := range outs {
		outs[i].right = outs[i].Contains
		if outs[i].Confidence < m.AbstainBelow {
			outs[i].Abstained, outs[i].Contains = true, false
		}
	}
	return outs, nil
}

// squadRows retrieves each question's candidates from a store of all the
// articles, as Ask would, and labels the sentences that hold a gold answer.
// The answerable questions are asked once more without their paragraph
// (Squad2Removed), with no right sentence.
func squadRows(ctx context.Context, arts []Squad2Article) ([]trainQuestion, error) {
	eng, closeFn, err := Squad2Store(ctx, arts, nil)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	var out []trainQuestion
	for _, a := range arts {
		for _, q := range append(slices.Clone(a.Questions), Squad2Removed(arts, a)...) {
			cands, err := eng.RankCandidates(ctx, q.Question, rag.DefaultTopK, rag.Filter{DocIDs: q.Within})
			if err != nil {
				return nil, fmt.Errorf("squad2 question %s: %w", q.ID, err)
			}
			removed := q.Within != nil
			tq := trainQuestion{id: q.ID, squad: true, article: a.Title, answered: len(q.Answers) > 0 && !removed, removed: removed}
			for _, c := range cands {
				hit := !tq.removed && slices.ContainsFunc(q.Answers, func(g string) bool { return ContainsFact(c.Text, g) })
				tq.rows = append(tq.rows, c.Features)
				tq.labels = append(tq.labels, hit)
			}
			out = append(out, tq)
		}
	}
	return out, nil
}

// wikiRows computes the features of WikiQA's candidate sentences: one
// passage per question, sentences in document order.
func wikiRows(qs []WikiQAQuestion) []trainQuestion {
	idf := sentenceIDF(qs)
	out := make([]trainQuestion, len(qs))
	for i, q := range qs {
		tq := trainQuestion{id: q.ID}
		tq.rows = rag.SentenceFeatures(q.Question, wikiCandidates(q), idf)
		for _, s := range q.Sentences {
			tq.labels = append(tq.labels, s.Correct)
			tq.answered = tq.answered || s.Correct
		}
		out[i] = tq
	}
	return out
}

func wikiCandidates(q WikiQAQuestion) []rag.Candidate {
	cands := make([]rag.Candidate, len(q.Sentences))
	for i, s := range q.Sentences {
		cands[i] = rag.Candidate{Text: s.Text, Position: i}
	}
	return cands
}

// offTopicQuantile: the share of answerable questions whose best sentence
// may fall under the off-topic floor.
const offTopicQuantile = 0.02

// fitRanker fits the sentence model on the rows of the questions with a
// right sentence, then the answer-level confidence model and the threshold
// on out-of-fold scores (3 folds by question), so neither sees the
// sentence model's fit on its own rows.
func fitRanker(qs []trainQuestion, opt TrainOptions) (*rag.RankModel, error) {
	lr, err := fitRows(qs, opt.L2)
	if err != nil {
		return nil, err
	}
	const inner = 3
	var tops []bestRow
	for f := range inner {
		in := func(q trainQuestion) bool { return int(hashID(q.id+"#inner")%inner) == f }
		m, err := fitRows(slicesFilter(qs, func(q trainQuestion) bool { return !in(q) }), opt.L2)
		if err != nil {
			return nil, err
		}
		for _, q := range qs {
			if !in(q) || len(q.rows) == 0 {
				continue
			}
			z := logitsOf(m, q.rows)
			tops = append(tops, bestRow{q: q, row: q.rows[argmax(z)], right: topHolds(z, q.labels, 3)})
		}
	}
	m := &rag.RankModel{Features: rag.FeatureNames(), Model: *lr}
	// The answer check learns what separates right answers from wrong
	// ones where the passage is there; the presence check, whether the
	// passage is there at all. SQuAD's adversarial questions teach the
	// first only, the questions asked without their paragraph the second.
	am, err := fitTop(tops, func(t bestRow) bool { return !t.q.removed }, rag.AnswerFeatures, func(t bestRow) bool { return t.right }, opt.L2)
	if err != nil {
		return nil, err
	}
	m.Answerable = *am
	isAnswerable := func(t bestRow) bool { return t.q.squad && t.q.answered }
	if opt.PresentGoal > 0 {
		adversarial := func(t bestRow) bool { return t.q.squad && !t.q.answered && !t.q.removed }
		pm, err := fitTop(tops, func(t bestRow) bool { return !adversarial(t) }, rag.PresentFeatures, func(t bestRow) bool { return t.q.answered }, opt.L2)
		if err != nil {
			return nil, err
		}
		m.Present = pm
		m.PresentBelow = lowQuantile(tops, isAnswerable, m.PresentProb, opt.PresentGoal)
	}
	if covers := sortedValues(tops, func(t bestRow) bool { return t.q.squad && slices.Contains(t.q.labels, true) }, rag.OnTopic); len(covers) > 0 {
		m.OffTopicBelow = round4(covers[int(offTopicQuantile*float64(len(covers)))])
	}
	// Never 0: an off-topic question (confidence 0) abstains by default.
	m.AbstainBelow = max(lowQuantile(tops, isAnswerable, m.Confidence, opt.FalseAbstainGoal), 1e-4)
	return m, nil
}

// bestRow is a training question's best sentence by an inner-fold ranker.
type bestRow struct {
	q     trainQuestion
	row   []float64
	right bool // one of the three best sentences holds the answer
}

// fitTop fits a logistic regression of label on the features cols picks
// from the best rows that keep accepts.
func fitTop(tops []bestRow, keep func(bestRow) bool, cols func([]float64) []float64, label func(bestRow) bool, l2 float64) (*logreg.Model, error) {
	var x [][]float64
	var y []bool
	for _, t := range tops {
		if keep(t) {
			x = append(x, cols(t.row))
			y = append(y, label(t))
		}
	}
	return logreg.Fit(x, y, nil, l2)
}

// sortedValues returns value of the best rows keep accepts, ascending.
func sortedValues(tops []bestRow, keep func(bestRow) bool, value func([]float64) float64) []float64 {
	var vs []float64
	for _, t := range tops {
		if keep(t) {
			vs = append(vs, value(t.row))
		}
	}
	sort.Float64s(vs)
	return vs
}

// lowQuantile returns the highest threshold, to 4 decimals, under which
// at most share of the values of the best rows keep accepts fall; 0 when
// it accepts none.
func lowQuantile(tops []bestRow, keep func(bestRow) bool, value func([]float64) float64, share float64) float64 {
	vs := sortedValues(tops, keep, value)
	if len(vs) == 0 {
		return 0
	}
	n := int(math.Floor(share * float64(len(vs))))
	return max(round4(vs[min(n, len(vs)-1)]-1e-4), 0)
}

// fitRows fits the sentence ranker on the questions that have a right
// sentence. It is pairwise (RankNet's loss with a linear scorer): a
// logistic regression on the differences between each right and each wrong
// sentence of a question, both ways round, each question weighing the
// same however many sentences it has. A question's sentences compete with
// each other, not with other questions' (a pointwise fit also learns which
// questions are easy). The scores are then calibrated (calibrate), since
// answers and summaries read them as probabilities.
func fitRows(qs []trainQuestion, l2 float64) (*logreg.Model, error) {
	var x, rows [][]float64
	var y, labels []bool
	var w []float64
	for _, q := range qs {
		if !slices.Contains(q.labels, true) {
			continue
		}
		rows = append(rows, q.rows...)
		labels = append(labels, q.labels...)
		var pos, neg []int
		for i, l := range q.labels {
			if l {
				pos = append(pos, i)
			} else {
				neg = append(neg, i)
			}
		}
		weight := 1 / float64(len(pos)*len(neg)) // +Inf with no wrong sentence, but then no pair either
		for _, i := range pos {
			for _, j := range neg {
				d, e := make([]float64, len(q.rows[i])), make([]float64, len(q.rows[i]))
				for k := range d {
					d[k] = q.rows[i][k] - q.rows[j][k]
					e[k] = -d[k]
				}
				x = append(x, d, e)
				y = append(y, true, false)
				w = append(w, weight, weight)
			}
		}
	}
	if len(x) == 0 {
		return nil, errors.New("fit ranker: no question with both a right and a wrong sentence")
	}
	pm, err := logreg.Fit(x, y, w, l2)
	if err != nil {
		return nil, err
	}
	// The differences have mean 0 (every pair is there both ways round), so
	// the scorer of a sentence is the weights over the differences' scales.
	m := &logreg.Model{Mean: make([]float64, len(pm.Weights)), Scale: pm.Scale, Weights: pm.Weights}
	return calibrate(m, rows, labels, l2)
}

// calibrate scales m's scores into the probability that a sentence holds
// the answer: a logistic regression of the labels on the score alone,
// folded into m's weights and bias.
func calibrate(m *logreg.Model, rows [][]float64, labels []bool, l2 float64) (*logreg.Model, error) {
	scores := make([][]float64, len(rows))
	for i, r := range rows {
		scores[i] = []float64{m.Logit(r)}
	}
	cal, err := logreg.Fit(scores, labels, nil, l2)
	if err != nil {
		return nil, fmt.Errorf("calibrate ranker: %w", err)
	}
	a := cal.Weights[0] / cal.Scale[0]
	for j := range m.Weights {
		m.Weights[j] *= a
	}
	m.Bias = cal.Bias - a*cal.Mean[0]
	return m, nil
}

func logitsOf(m *logreg.Model, rows [][]float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = m.Logit(r)
	}
	return out
}

// topHolds reports whether one of the n best-scoring rows is labelled true.
func topHolds(z []float64, labels []bool, n int) bool {
	order := make([]int, len(z))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return z[order[a]] > z[order[b]] })
	for _, i := range order[:min(n, len(order))] {
		if labels[i] {
			return true
		}
	}
	return false
}

func argmax(xs []float64) int {
	b := 0
	for i, v := range xs {
		if v > xs[b] {
			b = i
		}
	}
	return b
}

func mean(xs []float64) float64 {
	var s float64
	for _, v := range xs {
		s += v
	}
	return s / float64(max(len(xs), 1))
}

func hashID(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func slicesFilter[T any](xs []T, keep func(T) bool) []T {
	var out []T
	for _, x := range xs {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// confidenceAUC is the probability that a random answerable question gets
// a higher confidence than a random unanswerable one.
func confidenceAUC(outs []Squad2Outcome) float64 {
	var pos, neg []float64
	for _, o := range outs {
		if o.Answerable {
			pos = append(pos, o.Confidence)
		} else {
			neg = append(neg, o.Confidence)
		}
	}
	if len(pos) == 0 || len(neg) == 0 {
		return 0
	}
	var s float64
	for _, p := range pos {
		for _, n := range neg {
			switch {
			case p > n:
				s++
			case p == n:
				s += 0.5
			}
		}
	}
	return round4(s / float64(len(pos)*len(neg)))
}

// reliability bins the outcomes by confidence; an answer is right when the
// question is answerable and the answer (given regardless of the
// threshold) contains a gold answer.
func reliability(outs []Squad2Outcome) []ReliabilityBin {
	bins := make([]ReliabilityBin, 5)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)*0.2, float64(i+1)*0.2
	}
	for _, o := range outs {
		i := min(int(o.Confidence*5), 4)
		bins[i].N++
		bins[i].MeanConf += o.Confidence
		if o.Answerable && o.right {
			bins[i].Right++
		}
	}
	for i := range bins {
		if bins[i].N > 0 {
			bins[i].MeanConf = round4(bins[i].MeanConf / float64(bins[i].N))
			bins[i].Right = round4(bins[i].Right / float64(bins[i].N))
		}
	}
	return bins
}

// WriteTrainReport writes the report as plain text: the cross-validated
// figures, the reliability table and the fitted weights by size.
func WriteTrainReport(b *strings.Builder, r *TrainReport) {
	s := r.Squad2
	fmt.Fprintf(b, "SQuAD 2.0, cross-validated by article: %d questions, %d answerable\n", s.Questions, s.Answerable)
	fmt.Fprintf(b, "  containment %.4f  false abstentions %d (%.4f)  abstain recall %.4f  confidence AUC answerable/unanswerable %.4f\n",
		s.Containment, s.FalseAbstentions, s.FalseAbstainRate, s.AbstainRecall, r.Squad2AUC)
	titles := make([]string, 0, len(r.Squad2Folds))
	for t := range r.Squad2Folds {
		titles = append(titles, t)
	}
	sort.Strings(titles)
	for _, t := range titles {
		f := r.Squad2Folds[t]
		fmt.Fprintf(b, "  held out %s: containment %.4f  false abstentions %.4f  abstain recall %.4f\n", t, f.Containment, f.FalseAbstainRate, f.AbstainRecall)
	}
	fmt.Fprintf(b, "  asked without their own paragraph (answerable questions whose answer no other paragraph states): %d questions, abstain recall %.4f, confidence AUC against the answerable %.4f\n",
		r.Removed.Questions, r.Removed.AbstainRecall, r.RemovedAUC)
	w := r.WikiQA
	fmt.Fprintf(b, "WikiQA, cross-validated by question: %d questions, %d with a correct sentence\n", w.Questions, w.Answerable)
	fmt.Fprintf(b, "  MAP %.4f  MRR %.4f  answer triggering (confidence >= ~%.2f): precision %.4f  recall %.4f  F1 %.4f\n",
		w.MAP, w.MRR, w.Threshold, w.Precision, w.Recall, w.F1)
	fmt.Fprintf(b, "  answer triggering F1 at the best threshold, chosen in hindsight (a bound, not a held-out figure): %.4f\n", r.WikiQABestF1)
	fmt.Fprintf(b, "Reliability (SQuAD 2.0, out of fold; right = answerable and the answer contains a gold answer)\n")
	fmt.Fprintf(b, "  | confidence | answers | mean confidence | right |\n  | --- | --- | --- | --- |\n")
	for _, bin := range r.Reliability {
		fmt.Fprintf(b, "  | %.1f-%.1f | %d | %.2f | %.2f |\n", bin.Lo, bin.Hi, bin.N, bin.MeanConf, bin.Right)
	}
	m := r.Model
	fmt.Fprintf(b, "Default abstention: confidence < %.4f (%s)\n", m.AbstainBelow, m.Goal)
	if m.Present != nil {
		fmt.Fprintf(b, "Presence check: confidence 0 when the probability that the collection holds the answer < %.4f\n", m.PresentBelow)
		writeWeights(b, rag.PresentFeatureNames(), m.Present.Weights)
	}
	fmt.Fprintf(b, "Confidence model:\n")
	writeWeights(b, rag.AnswerFeatureNames(), m.Answerable.Weights)
	fmt.Fprintf(b, "Sentence model:\n")
	writeWeights(b, m.Features, m.Weights)
}

// writeWeights lists a model's weights (per standard deviation of the
// feature), largest first.
func writeWeights(b *strings.Builder, names []string, weights []float64) {
	idx := make([]int, len(weights))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, c int) bool { return math.Abs(weights[idx[a]]) > math.Abs(weights[idx[c]]) })
	for _, i := range idx {
		fmt.Fprintf(b, "  %-15s %+.3f per standard deviation\n", names[i], weights[i])
	}
}
