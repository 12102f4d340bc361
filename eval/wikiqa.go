package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/ragcite/ragcite/internal/text"
	"github.com/ragcite/ragcite/rag"
)

// WikiQAQuestion is one WikiQA question with its candidate sentences in
// document order and their labels.
type WikiQAQuestion struct {
	ID        string
	Question  string
	Sentences []WikiQASentence
}

// WikiQASentence is a candidate answer sentence.
type WikiQASentence struct {
	ID      string
	Text    string
	Correct bool
}

// LoadWikiQA reads the WikiQA TSV (QuestionID, Question, DocumentID,
// DocumentTitle, SentenceID, Sentence, Label, with a header row).
func LoadWikiQA(r io.Reader) ([]WikiQAQuestion, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var qs []WikiQAQuestion
	for line := 1; sc.Scan(); line++ {
		cols := strings.Split(sc.Text(), "\t")
		if line == 1 && len(cols) > 0 && cols[0] == "QuestionID" {
			continue
		}
		if len(cols) != 7 {
			return nil, fmt.Errorf("wikiqa line %d: %d columns, want 7", line, len(cols))
		}
		if cols[6] != "0" && cols[6] != "1" {
			return nil, fmt.Errorf("wikiqa line %d: label %q, want 0 or 1", line, cols[6])
		}
		if len(qs) == 0 || qs[len(qs)-1].ID != cols[0] {
			qs = append(qs, WikiQAQuestion{ID: cols[0], Question: cols[1]})
		}
		q := &qs[len(qs)-1]
		q.Sentences = append(q.Sentences, WikiQASentence{ID: cols[4], Text: cols[5], Correct: cols[6] == "1"})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("wikiqa: %w", err)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("wikiqa: no questions")
	}
	return qs, nil
}

// WikiQAResult holds answer sentence selection (MAP, MRR over questions with
// a correct sentence) and answer triggering (precision, recall, F1: answer
// with the top sentence when it scores at least the threshold, else abstain).
type WikiQAResult struct {
	Questions  int             `json:"questions"`
	Answerable int             `json:"answerable"`
	MAP        float64         `json:"map"`
	MRR        float64         `json:"mrr"`
	Threshold  float64         `json:"threshold"`
	Precision  float64         `json:"precision"`
	Recall     float64         `json:"recall"`
	F1         float64         `json:"f1"`
	Rankings   []WikiQARanking `json:"-"`
}

// WikiQARanking is one question's ranking, for a JSON-lines dump.
type WikiQARanking struct {
	QuestionID string         `json:"question_id"`
	Question   string         `json:"question"`
	Answered   bool           `json:"answered"`
	Ranked     []WikiQARanked `json:"ranked"`
}

// WikiQARanked is a ranked sentence.
type WikiQARanked struct {
	SentenceID string  `json:"sentence_id"`
	Score      float64 `json:"score"`
	Correct    bool    `json:"correct"`
}

// RunWikiQA ranks each question's sentences with ranker m (nil: the
// built-in one), with inverse document frequencies over every sentence of
// the set, as the store's BM25 index would give; it answers when the
// confidence of the top sentence reaches m's threshold. The built-in
// ranker was fitted on the shared WikiQA file: its figures there are not
// held out (`ragcite train` reports cross-validated ones).
func RunWikiQA(qs []WikiQAQuestion, m *rag.RankModel) WikiQAResult {
	if m == nil {
		m = rag.DefaultRankModel()
	}
	idf := sentenceIDF(qs)
	logits := make([][]float64, len(qs))
	conf := make([]float64, len(qs))
	for i, q := range qs {
		rows := rag.SentenceFeatures(q.Question, wikiCandidates(q), idf)
		logits[i] = logitsOf(&m.Model, rows)
		if len(rows) > 0 {
			conf[i] = m.Confidence(rows[argmax(logits[i])])
		}
	}
	res := sumWikiQA(qs, logits, func(i int) bool { return conf[i] >= m.AbstainBelow })
	res.Threshold = m.AbstainBelow
	return res
}

// sumWikiQA measures rankings given each question's sentence scores; answer
// says whether question i is answered (with its top sentence).
func sumWikiQA(qs []WikiQAQuestion, scores [][]float64, answer func(i int) bool) WikiQAResult {
	res := WikiQAResult{Questions: len(qs)}
	answered, correct := 0, 0
	for qi, q := range qs {
		order := make([]int, len(scores[qi]))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return scores[qi][order[a]] > scores[qi][order[b]] })
		rk := WikiQARanking{QuestionID: q.ID, Question: q.Question}
		for _, i := range order {
			rk.Ranked = append(rk.Ranked, WikiQARanked{SentenceID: q.Sentences[i].ID, Score: round4(scores[qi][i]), Correct: q.Sentences[i].Correct})
		}
		if len(order) > 0 && answer(qi) {
			rk.Answered = true
			answered++
			if q.Sentences[order[0]].Correct {
				correct++
			}
		}
		res.Rankings = append(res.Rankings, rk)
		hits, ap := 0, 0.0
		for rank, i := range order {
			if q.Sentences[i].Correct {
				hits++
				ap += float64(hits) / float64(rank+1)
				if hits == 1 {
					res.MRR += 1 / float64(rank+1)
				}
			}
		}
		if hits > 0 {
			res.Answerable++
			res.MAP += ap / float64(hits)
		}
	}
	if res.Answerable > 0 {
		res.MAP = round4(res.MAP / float64(res.Answerable))
		res.MRR = round4(res.MRR / float64(res.Answerable))
	}
	if answered > 0 {
		res.Precision = round4(float64(correct) / float64(answered))
	}
	if res.Answerable > 0 {
		res.Recall = round4(float64(correct) / float64(res.Answerable))
	}
	if res.Precision+res.Recall > 0 {
		res.F1 = round4(2 * res.Precision * res.Recall / (res.Precision + res.Recall))
	}
	return res
}

// WriteWikiQADump writes one JSON line per question's ranking.
func WriteWikiQADump(w io.Writer, res WikiQAResult) error {
	enc := json.NewEncoder(w)
	for _, r := range res.Rankings {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func sentenceIDF(qs []WikiQAQuestion) rag.IDFFunc {
	df := map[string]int{}
	n := 0
	for _, q := range qs {
		for _, s := range q.Sentences {
			n++
			seen := map[string]bool{}
			for _, t := range text.Terms(s.Text) {
				if !seen[t] {
					seen[t] = true
					df[t]++
				}
			}
		}
	}
	return func(t string) float64 {
		d := float64(df[t])
		return math.Log(1 + (float64(n)-d+0.5)/(d+0.5))
	}
}
