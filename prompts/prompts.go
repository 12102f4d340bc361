package prompts

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

//go:embed templates/*.tmpl
var files embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{"fence": Fence, "attr": attr}).ParseFS(files, "templates/*.tmpl"))

// Passage is one numbered source passage.
type Passage struct {
	N     int
	Title string
	Text  string
}

// Data is what every template may use.
type Data struct {
	Question     string    // answer
	Query        string    // summarize: the query the passages answer, if any
	Passages     []Passage // answer, summarize, map
	Partials     []string  // reduce: partial summaries whose markers point at passages
	MaxSentences int       // summarize, reduce
	Claim        string    // verify: the claim judged against Passages
}

// Messages is a rendered prompt.
type Messages struct {
	System string
	User   string
}

// Names of the prompts.
const (
	Answer    = "answer"
	Summarize = "summarize"
	Map       = "map"
	Reduce    = "reduce"
	Verify    = "verify"
)

// Render renders the system and user templates of a prompt.
func Render(name string, d Data) (Messages, error) {
	var sys, user bytes.Buffer
	if err := templates.ExecuteTemplate(&sys, name+"_system.tmpl", d); err != nil {
		return Messages{}, fmt.Errorf("render %s system prompt: %w", name, err)
	}
	if err := templates.ExecuteTemplate(&user, name+"_user.tmpl", d); err != nil {
		return Messages{}, fmt.Errorf("render %s user prompt: %w", name, err)
	}
	return Messages{System: strings.TrimSpace(sys.String()), User: strings.TrimSpace(user.String())}, nil
}

// fenceTag is anything a model may read as a passage or partial tag,
// whatever its case or spacing ("</PASSAGE>", "< /Passage").
var fenceTag = regexp.MustCompile(`(?i)<(\s*/?\s*(?:passage|partial))`)

// Fence makes text safe inside a <passage> element: anything that looks
// like a passage tag is defused so a passage cannot close its fence and
// speak as instructions.
func Fence(text string) string {
	return fenceTag.ReplaceAllString(text, "‹$1")
}

// attr makes text safe inside a double-quoted attribute.
func attr(text string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "<", "‹").Replace(Fence(text))
}
