package server

import (
	"strings"
	"testing"
)

func TestStandaloneQuestion(t *testing.T) {
	const amazon = "How much is Amazon reportedly considering investing in OpenAI?"
	tests := []struct {
		name  string
		turns []string
		want  string
	}{
		{"one turn", []string{amazon}, amazon},
		{"whitespace is normalised", []string{"  Who is   the CEO?  "}, "Who is the CEO?"},
		{"empty turns are skipped", []string{amazon, "  "}, amazon},
		{"standalone second question", []string{amazon, "Who is the CEO of OpenAI?"}, "Who is the CEO of OpenAI?"},
		{"full follow-up swaps the subject, carries the object",
			[]string{amazon, "and how much did Microsoft invest?"}, "how much did Microsoft invest in OpenAI?"},
		{"fragment swaps the subject",
			[]string{amazon, "What about Microsoft?"}, "How much is Microsoft reportedly considering investing in OpenAI?"},
		{"fragment swaps the entity with the same preposition",
			[]string{"Who is the CEO of OpenAI?", "and of Anthropic?"}, "Who is the CEO of Anthropic?"},
		{"pronoun takes the subject",
			[]string{amazon, "How much did they invest in Anthropic?"}, "How much did Amazon invest in Anthropic?"},
		{"possessive takes the subject",
			[]string{"Which chips does Amazon design?", "when did it launch its first chip?"}, "when did Amazon launch its first chip?"},
		{"determiner carries every entity",
			[]string{amazon, "Who reported this deal?"}, "Who reported this deal Amazon in OpenAI?"},
		{"short fragment without entities",
			[]string{amazon, "since when?"}, "since when Amazon in OpenAI?"},
		{"chain resolves against the resolved turn",
			[]string{amazon, "and how much did Microsoft invest?", "and Google?"}, "how much did Google invest in OpenAI?"},
		{"previous question without entities", []string{"how are you?", "and then?"}, "then?"},
		{"bare connective repeats the question", []string{amazon, "and?"}, amazon},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := standaloneQuestion(tc.turns); got != tc.want {
				t.Errorf("standaloneQuestion(%q)\n got %q\nwant %q", tc.turns, got, tc.want)
			}
		})
	}
}

func TestStandaloneQuestionBoundsHistory(t *testing.T) {
	turns := []string{"Who founded Netscape?"}
	for range maxHistoryTurns - 1 {
		turns = append(turns, "and when?")
	}
	if got := standaloneQuestion(turns); !strings.Contains(got, "Netscape") {
		t.Errorf("within the bound the first turn is used: %q", got)
	}
	turns = append(turns, "and when?")
	if got := standaloneQuestion(turns); strings.Contains(got, "Netscape") {
		t.Errorf("past %d turns the first is dropped: %q", maxHistoryTurns, got)
	}
}

func FuzzStandaloneQuestion(f *testing.F) {
	f.Add("How much is Amazon investing in OpenAI?", "and Microsoft?")
	f.Add("Who is the CEO of OpenAI?", "and of Anthropic?")
	f.Add("", "it its their?!")
	f.Fuzz(func(t *testing.T, a, b string) {
		got := standaloneQuestion([]string{a, b})
		if strings.TrimSpace(a+b) != "" && got == "" {
			t.Errorf("standaloneQuestion(%q, %q) is empty", a, b)
		}
	})
}
