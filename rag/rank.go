package rag

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/ragcite/ragcite/internal/logreg"
)

// RankModel is the fitted sentence ranker: a linear scorer over the
// features of SentenceFeatures, fitted on pairs of a question's sentences
// and calibrated into the probability that the sentence holds the answer
// (eval's fitRows), a calibration of the best sentence's score into the probability
// that the answer is right, and the confidence under which answers abstain.
// `ragcite train` writes it; rank_weights.json is the one built in.
type RankModel struct {
	// TrainedOn names the data the weights were fitted on.
	TrainedOn string `json:"trained_on"`
	// Features names the columns, in order; it must equal the engine's.
	Features []string `json:"features"`
	logreg.Model
	// Answerable maps the answer-level features of the best sentences
	// (answerFeatureNames) to the probability that the answer is right.
	Answerable logreg.Model `json:"answerable"`
	// AbstainBelow is the default confidence under which answers abstain,
	// chosen for Goal.
	AbstainBelow float64 `json:"abstain_below"`
	Goal         string  `json:"goal"`
	// OffTopicBelow says when nothing in the collection is about a
	// question: the share of its terms the retrieved text holds (feature
	// found_cover) falls under it. It is set so that about 2% of answerable
	// SQuAD questions (out of fold) fall under it; such a question gets
	// confidence 0.
	OffTopicBelow float64 `json:"off_topic_below"`
	// Present maps the coverage features of the best sentence
	// (presentFeatureNames) to the probability that the collection holds
	// the answer at all: fitted on answerable questions asked with and
	// without the passage that answers them. An answer under PresentBelow
	// gets confidence 0, like an off-topic one. Nil in models written
	// before it existed.
	Present      *logreg.Model `json:"present,omitempty"`
	PresentBelow float64       `json:"present_below,omitempty"`
	// Figures are the cross-validated measurements of the fit, for the record.
	Figures map[string]float64 `json:"figures,omitempty"`
}

//go:generate go run ../cmd/ragcite train --bench ../../shared/bench --out rank_weights.json

//go:embed rank_weights.json
var rankWeightsJSON []byte

// defaultModel is the built-in ranker.
var defaultModel = func() *RankModel {
	m, err := ParseRankModel(rankWeightsJSON)
	if err != nil {
		panic(fmt.Sprintf("built-in rank weights: %v", err))
	}
	return m
}()

// DefaultRankModel returns the built-in ranker.
func DefaultRankModel() *RankModel { return defaultModel }

// ParseRankModel reads a ranker written by `ragcite train` and checks that
// it fits this build's features.
func ParseRankModel(data []byte) (*RankModel, error) {
	var m RankModel
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("rank model: %w", err)
	}
	if !slices.Equal(m.Features, featureNames) {
		return nil, fmt.Errorf("rank model: features %v, want %v", m.Features, featureNames)
	}
	if err := checkModel(&m.Model, nFeatures); err != nil {
		return nil, fmt.Errorf("rank model: sentences: %w", err)
	}
	if err := checkModel(&m.Answerable, len(answerFeatureNames)); err != nil {
		return nil, fmt.Errorf("rank model: answerable: %w", err)
	}
	if m.Present != nil {
		if err := checkModel(m.Present, len(presentFeatureNames)); err != nil {
			return nil, fmt.Errorf("rank model: present: %w", err)
		}
	}
	if m.PresentBelow < 0 || m.PresentBelow > 1 {
		return nil, fmt.Errorf("rank model: present_below %v: must be in [0,1]", m.PresentBelow)
	}
	if m.AbstainBelow < 0 || m.AbstainBelow > 1 {
		return nil, fmt.Errorf("rank model: abstain_below %v: must be in [0,1]", m.AbstainBelow)
	}
	return &m, nil
}

func checkModel(m *logreg.Model, n int) error {
	if len(m.Weights) != n || len(m.Mean) != n || len(m.Scale) != n {
		return fmt.Errorf("%d weights, %d means, %d scales, want %d each", len(m.Weights), len(m.Mean), len(m.Scale), n)
	}
	for j, s := range m.Scale {
		if s <= 0 || math.IsNaN(s) || math.IsNaN(m.Weights[j]) || math.IsNaN(m.Mean[j]) {
			return fmt.Errorf("feature %d: bad scale or weight", j)
		}
	}
	return nil
}

// answerFeatureNames name the answer-level features the confidence is
// computed from: what the best sentence fails to match of what the question
// asserts. Scores of the sentences themselves are left out on purpose:
// their scale moves from one collection to the next (held out by article,
// a threshold on them abstained on a third of one article's answerable
// questions), while these checks mean the same everywhere.
var answerFeatureNames = []string{"entity_missing", "number_missing", "negated_q", "type_missing", "rare_missing", "antonym"}

// AnswerFeatures returns the answer-level features of the best sentence,
// given its feature row.
func AnswerFeatures(top []float64) []float64 { return pick(top, answerColumns) }

// presentFeatureNames name the features the presence check reads: how much
// of the question the best sentence, its passage and the retrieved text
// hold, and the share of its terms the collection has never seen. Unlike
// answerFeatureNames they separate a question whose answering passage is
// missing from one whose passage is there; they do not separate SQuAD's
// adversarial edits, which share the passage's words.
var presentFeatureNames = []string{"cover", "cover_raw", "passage_cover", "found_cover", "unseen", "focus_cover"}

// PresentFeatures returns the presence check's features of the best
// sentence, given its feature row.
func PresentFeatures(top []float64) []float64 { return pick(top, presentColumns) }

// answerColumns and presentColumns are the rows' columns of
// answerFeatureNames and presentFeatureNames.
var (
	answerColumns  = columnsOf(answerFeatureNames)
	presentColumns = columnsOf(presentFeatureNames)
)

// columnsOf returns the feature row column of each name; it panics on a
// name featureNames lacks, which is a programming error.
func columnsOf(names []string) []int {
	cols := make([]int, len(names))
	for i, n := range names {
		cols[i] = slices.Index(featureNames, n)
		if cols[i] < 0 {
			panic("rag: no feature " + n)
		}
	}
	return cols
}

// pick returns the values of row at cols.
func pick(row []float64, cols []int) []float64 {
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = row[c]
	}
	return out
}

// PresentProb returns the probability that the collection holds the answer,
// given the best sentence's feature row; 1 when the model has no presence
// check.
func (m *RankModel) PresentProb(top []float64) float64 {
	if m.Present == nil {
		return 1
	}
	return m.Present.Prob(PresentFeatures(top))
}

// AnswerFeatureNames returns the names of the confidence model's features.
func AnswerFeatureNames() []string { return slices.Clone(answerFeatureNames) }

// PresentFeatureNames returns the names of the presence check's features.
func PresentFeatureNames() []string { return slices.Clone(presentFeatureNames) }

// FeatureNames returns the names of the sentence features, in row order.
func FeatureNames() []string { return slices.Clone(featureNames) }

// Confidence returns the calibrated probability that an answer is right,
// given the feature row of its best sentence; 0 for an off-topic question
// and for one whose answer the collection does not seem to hold
// (PresentProb under PresentBelow).
func (m *RankModel) Confidence(top []float64) float64 {
	if onTopic(top) < m.OffTopicBelow || m.PresentProb(top) < m.PresentBelow {
		return 0
	}
	return m.Answerable.Prob(AnswerFeatures(top))
}

// onTopic measures how much of a question the collection speaks of, from
// the best sentence's feature row: the share of the question's terms the
// retrieved text holds (found_cover), or 0 when the question names things
// and the collection has never seen any of them (entity_unseen = 1: "What
// is the capital of Australia?" over news about chips). found_cover used to
// be multiplied by the share the collection has seen, which counted a
// missing term twice and closed small collections to questions with one
// word they lack.
func onTopic(top []float64) float64 {
	if top[26] == 1 {
		return 0
	}
	return top[24]
}

// OnTopic is onTopic for the trainer.
func OnTopic(top []float64) float64 { return onTopic(top) }

// scoreRows returns each row's log-odds of holding the answer.
func (m *RankModel) scoreRows(rows [][]float64) []float64 {
	out := make([]float64, len(rows))
	for i, r := range rows {
		out[i] = m.Logit(r)
	}
	return out
}

// scoreSentences scores each candidate as an answer to question with the
// built-in ranker: the probability, in [0,1], that the sentence holds the
// answer. Scores are comparable across calls.
func scoreSentences(question string, cands []Candidate, idf IDFFunc) []float64 {
	s := defaultModel.scoreRows(SentenceFeatures(question, cands, idf))
	for i, z := range s {
		s[i] = logreg.Sigmoid(z)
	}
	return s
}
