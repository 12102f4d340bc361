package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// Squad2Article is one article of a SQuAD 2.0 file: its paragraphs become
// documents, and each question is asked of the store holding all of them.
type Squad2Article struct {
	Title      string
	Paragraphs []string
	Questions  []Squad2Question
}

// Squad2Question is one question; Answers is empty when it is unanswerable.
type Squad2Question struct {
	ID       string
	Question string
	Answers  []string
	// Paragraph is the index of the question's paragraph in its article.
	Paragraph int
	// Within, when not nil, are the only documents the question is asked
	// of (Squad2Removed leaves the question's own paragraph out).
	Within []string
}

// squad2DocID is the document id of an article's paragraph in Squad2Store.
func squad2DocID(title string, paragraph int) string { return title + "-" + strconv.Itoa(paragraph) }

// Squad2Removed makes an article's answerable questions unanswerable the
// way a user's question often is: on topic, but the passage that answers
// it is not in the store. Each is asked of every paragraph of arts but its
// own, and kept only when no other paragraph of its article states a gold
// answer. It is RGB's negative-rejection case (Chen et al. 2024) built
// from SQuAD 2.0, where SQuAD's own unanswerable questions are adversarial
// edits of answerable ones.
func Squad2Removed(arts []Squad2Article, a Squad2Article) []Squad2Question {
	var all []string
	for _, b := range arts {
		for i := range b.Paragraphs {
			all = append(all, squad2DocID(b.Title, i))
		}
	}
	without := map[int][]string{} // paragraph -> every other document id
	var out []Squad2Question
	for _, q := range a.Questions {
		if len(q.Answers) == 0 || statedElsewhere(a, q) {
			continue
		}
		ids, ok := without[q.Paragraph]
		if !ok {
			own := squad2DocID(a.Title, q.Paragraph)
			ids = make([]string, 0, len(all)-1)
			for _, id := range all {
				if id != own {
					ids = append(ids, id)
				}
			}
			without[q.Paragraph] = ids
		}
		out = append(out, Squad2Question{ID: q.ID + "/removed", Question: q.Question, Paragraph: q.Paragraph, Within: ids})
	}
	return out
}

// statedElsewhere reports whether a paragraph of a other than q's own
// states one of q's gold answers.
func statedElsewhere(a Squad2Article, q Squad2Question) bool {
	for i, p := range a.Paragraphs {
		if i == q.Paragraph {
			continue
		}
		for _, g := range q.Answers {
			if ContainsFact(p, g) {
				return true
			}
		}
	}
	return false
}

// LoadSquad2 reads a file in the official SQuAD 2.0 JSON format.
func LoadSquad2(r io.Reader) ([]Squad2Article, error) {
	var f struct {
		Data []struct {
			Title      string `json:"title"`
			Paragraphs []struct {
				Context string `json:"context"`
				QAs     []struct {
					ID         string `json:"id"`
					Question   string `json:"question"`
					Impossible bool   `json:"is_impossible"`
					Answers    []struct {
						Text string `json:"text"`
					} `json:"answers"`
				} `json:"qas"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("squad2: %w", err)
	}
	var out []Squad2Article
	for _, a := range f.Data {
		art := Squad2Article{Title: a.Title}
		for _, p := range a.Paragraphs {
			art.Paragraphs = append(art.Paragraphs, p.Context)
			for _, qa := range p.QAs {
				q := Squad2Question{ID: qa.ID, Question: qa.Question, Paragraph: len(art.Paragraphs) - 1}
				if !qa.Impossible {
					for _, ans := range qa.Answers {
						q.Answers = append(q.Answers, ans.Text)
					}
					if len(q.Answers) == 0 {
						return nil, fmt.Errorf("squad2: question %s: answerable without answers", qa.ID)
					}
				}
				art.Questions = append(art.Questions, q)
			}
		}
		out = append(out, art)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("squad2: no articles")
	}
	return out, nil
}

// Squad2Store ingests every paragraph of the articles as one document into
// an in-memory store and returns an engine over it (with the given ranker,
// nil for the built-in one) and a close function.
func Squad2Store(ctx context.Context, arts []Squad2Article, ranker *rag.RankModel) (*rag.Engine, func() error, error) {
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal(), Ranker: ranker})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	var docs []rag.Document
	for _, a := range arts {
		for i, p := range a.Paragraphs {
			docs = append(docs, rag.Document{ID: squad2DocID(a.Title, i), Title: a.Title, Text: p})
		}
	}
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		eng.Close()
		return nil, nil, fmt.Errorf("squad2 ingest: %w", err)
	}
	return eng, eng.Close, nil
}

// Squad2Outcome is the answer to one question.
type Squad2Outcome struct {
	ID         string  `json:"id"`
	Answerable bool    `json:"answerable"`
	Abstained  bool    `json:"abstained"`
	Contains   bool    `json:"contains"`
	Confidence float64 `json:"confidence"`
	// right: the answer, given whatever the threshold, contains a gold answer.
	right bool
}

// Squad2Result sums outcomes: containment (answerable questions whose
// answer holds a gold answer), abstain recall (unanswerable questions
// abstained on) and false abstentions (answerable questions abstained on).
type Squad2Result struct {
	Questions        int     `json:"questions"`
	Answerable       int     `json:"answerable"`
	Containment      float64 `json:"containment"`
	AbstainRecall    float64 `json:"abstain_recall"`
	FalseAbstentions int     `json:"false_abstentions"`
	FalseAbstainRate float64 `json:"false_abstain_rate"`
}

// AskSquad2 asks each question of eng (extractive, default top_k) and
// records whether the answer contains a gold answer.
func AskSquad2(ctx context.Context, eng *rag.Engine, qs []Squad2Question, minConf *float64) ([]Squad2Outcome, error) {
	out := make([]Squad2Outcome, 0, len(qs))
	for _, q := range qs {
		ans, err := eng.Ask(ctx, rag.AskRequest{Question: q.Question, Mode: rag.ModeExtractive, MinConfidence: minConf, Filter: rag.Filter{DocIDs: q.Within}})
		if err != nil {
			return nil, fmt.Errorf("squad2 question %s: %w", q.ID, err)
		}
		o := Squad2Outcome{ID: q.ID, Answerable: len(q.Answers) > 0, Abstained: ans.Abstained, Confidence: ans.Confidence}
		if !ans.Abstained {
			for _, g := range q.Answers {
				if ContainsFact(ans.Answer, g) {
					o.Contains = true
					break
				}
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// SumSquad2 computes the measures over outcomes.
func SumSquad2(os []Squad2Outcome) Squad2Result {
	var r Squad2Result
	var contains, abstainUn int
	for _, o := range os {
		r.Questions++
		switch {
		case o.Answerable:
			r.Answerable++
			if o.Contains {
				contains++
			}
			if o.Abstained {
				r.FalseAbstentions++
			}
		case o.Abstained:
			abstainUn++
		}
	}
	if r.Answerable > 0 {
		r.Containment = round4(float64(contains) / float64(r.Answerable))
		r.FalseAbstainRate = round4(float64(r.FalseAbstentions) / float64(r.Answerable))
	}
	if un := r.Questions - r.Answerable; un > 0 {
		r.AbstainRecall = round4(float64(abstainUn) / float64(un))
	}
	return r
}
