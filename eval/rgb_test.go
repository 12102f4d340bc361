package eval

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/ragcite/ragcite/embed"
	"github.com/ragcite/ragcite/rag"
	"github.com/ragcite/ragcite/rag/chromemstore"
)

// answerKind sorts gold answers so a counterfactual swaps like for like:
// a number or year, a capitalised name, or other text.
func answerKind(a string) string {
	a = strings.TrimSpace(a)
	digits := 0
	for _, r := range a {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	switch {
	case digits > 0:
		return "number"
	case a != "" && unicode.IsUpper([]rune(a)[0]):
		return "name"
	}
	return "other"
}

// rgbCase is one question in the noise-and-counterfactual design of RGB
// (Chen et al. 2024): the positive paragraph, noise paragraphs of the same
// article, and a copy of the positive with its answer replaced by another
// answer of the same kind.
type rgbCase struct {
	q       Squad2Question
	pos     string
	noise   []string
	counter string
}

func rgbCases(arts []Squad2Article, perArticle int) []rgbCase {
	var out []rgbCase
	for _, a := range arts {
		byKind := map[string][]string{}
		for _, q := range a.Questions {
			if len(q.Answers) > 0 {
				byKind[answerKind(q.Answers[0])] = append(byKind[answerKind(q.Answers[0])], q.Answers[0])
			}
		}
		n := 0
		for i, q := range a.Questions {
			if n == perArticle || len(q.Answers) == 0 {
				continue
			}
			gold, kind := q.Answers[0], answerKind(q.Answers[0])
			pos := a.Paragraphs[q.Paragraph]
			if kind == "other" || !strings.Contains(pos, gold) {
				continue
			}
			alt := ""
			pool := byKind[kind]
			for j := range pool {
				cand := pool[(i+j+1)%len(pool)]
				if !strings.Contains(cand, gold) && !strings.Contains(gold, cand) && !strings.Contains(pos, cand) {
					alt = cand
					break
				}
			}
			if alt == "" {
				continue
			}
			c := rgbCase{q: q, pos: pos, counter: strings.ReplaceAll(pos, gold, alt)}
			for k := 1; k <= 4; k++ {
				c.noise = append(c.noise, a.Paragraphs[(q.Paragraph+k*7)%len(a.Paragraphs)])
			}
			out = append(out, c)
			n++
		}
	}
	return out
}

// askOver answers q over a fresh store of the given texts.
func askOver(t *testing.T, texts []string, q string) *rag.Answer {
	t.Helper()
	ctx := context.Background()
	st, err := chromemstore.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := rag.NewEngine(ctx, rag.Config{Store: st, Embedder: embed.DefaultLocal()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	docs := make([]rag.Document, len(texts))
	for i, s := range texts {
		docs[i] = rag.Document{ID: "d" + strconv.Itoa(i), Text: s}
	}
	if _, err := eng.Ingest(ctx, docs, nil); err != nil {
		t.Fatal(err)
	}
	ans, err := eng.Ask(ctx, rag.AskRequest{Question: q, Mode: rag.ModeExtractive})
	if err != nil {
		t.Fatal(err)
	}
	return ans
}

// TestRGBNoiseAndCounterfactual measures, on SQuAD 2.0 questions whose
// answer is a number or a name: answer accuracy with four noise paragraphs
// beside the positive one, and how often a conflict is flagged when a
// counterfactual copy of the positive is added.
func TestRGBNoiseAndCounterfactual(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a store per question: skipped with -short")
	}
	f, err := os.Open(filepath.Join(benchDir(t), "squad2", "squad2-dev-two-articles.json"))
	if err != nil {
		t.Skipf("squad2 not found: %v", err)
	}
	defer f.Close()
	arts, err := LoadSquad2(f)
	if err != nil {
		t.Fatal(err)
	}
	cases := rgbCases(arts, 40)
	if len(cases) < 40 {
		t.Fatalf("%d cases", len(cases))
	}
	right, flagged := 0, 0
	for _, c := range cases {
		ans := askOver(t, append([]string{c.pos}, c.noise...), c.q.Question)
		if !ans.Abstained && ContainsFact(ans.Answer, c.q.Answers[0]) {
			right++
		}
		ans = askOver(t, append([]string{c.pos, c.counter}, c.noise...), c.q.Question)
		if len(ans.Conflicts) > 0 {
			flagged++
		}
	}
	acc, conf := float64(right)/float64(len(cases)), float64(flagged)/float64(len(cases))
	t.Logf("RGB-style, %d SQuAD 2.0 questions: accuracy with noise %.3f, conflict flagged with a counterfactual %.3f", len(cases), acc, conf)
	if acc < 0.5 {
		t.Errorf("accuracy with noise %.3f, want >= 0.5", acc)
	}
}
