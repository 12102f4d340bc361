package eval

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSuiteSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("suite.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// yamlAsJSON decodes YAML into the values a JSON decoder would give.
func yamlAsJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Every suite the project ships validates against the published schema,
// and the schema rejects what ParseSuite rejects.
func TestSuiteSchemaValidatesSuites(t *testing.T) {
	sch := compileSuiteSchema(t)
	files, _ := filepath.Glob("../testdata/eval/*.yaml")
	if len(files) == 0 {
		t.Fatal("no suites under testdata/eval")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("# yaml-language-server: $schema=../../eval/suite.schema.json\n")) {
			t.Errorf("%s does not name the schema for editors on its first line", f)
		}
		if err := sch.Validate(yamlAsJSON(t, data)); err != nil {
			t.Errorf("%s does not validate against suite.schema.json: %v", f, err)
		}
		if _, err := ParseSuite(data); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, bad := range []string{
		"cases:\n  - {id: a, question: q, expect: {cites: [x]}}\n",
		"cases:\n  - {id: a, question: q, top_k: six}\n",
		"cases: []\n",
		"gates: {min_pass_rate: 2}\ncases:\n  - {id: a, question: q}\n",
	} {
		if err := sch.Validate(yamlAsJSON(t, []byte(bad))); err == nil {
			t.Errorf("schema accepts %q", bad)
		}
		if _, err := ParseSuite([]byte(bad)); err == nil {
			t.Errorf("ParseSuite accepts %q", bad)
		}
	}
}

// The schema lists exactly the fields of the Go types, at every level.
func TestSuiteSchemaMatchesStruct(t *testing.T) {
	data, err := os.ReadFile("suite.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	var walk func(path string, node map[string]any, typ reflect.Type)
	walk = func(path string, node map[string]any, typ reflect.Type) {
		if ref, ok := node["$ref"].(string); ok {
			node, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			if typ.Kind() == reflect.Slice {
				node, _ = node["items"].(map[string]any)
				if ref, ok := node["$ref"].(string); ok {
					node, _ = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				}
			}
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		props, _ := node["properties"].(map[string]any)
		var inSchema []string
		for k := range props {
			inSchema = append(inSchema, k)
		}
		slices.Sort(inSchema)
		inGo := yamlFields(typ)
		slices.Sort(inGo)
		if !slices.Equal(inSchema, inGo) {
			t.Errorf("%s: schema fields %v, Go fields %v", path, inSchema, inGo)
		}
		if node["additionalProperties"] != false {
			t.Errorf("%s: schema allows unknown fields, ParseSuite does not", path)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			if name := yamlName(f); name != "" {
				if p, ok := props[name].(map[string]any); ok {
					walk(path+"."+name, p, f.Type)
				}
			}
		}
	}
	walk("suite", root, reflect.TypeOf(Suite{}))
}

func TestParseSuiteErrorsInWords(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"unknown field", "cases:\n  - id: a\n    question: q\n    expect: {cites: [b]}\n",
			`line 4: unknown field "cites" in cases[1].expect (known fields: facts, cite, not, abstain, conflict, min_coverage)`},
		{"wrong kind", "defaults: {top_k: six}\ncases:\n  - {id: a, question: q}\n", `line 1: defaults.top_k: want a whole number, got "six"`},
		{"scalar for list", "documents: ../articles\ncases:\n  - {id: a, question: q}\n", `line 1: documents: want a list, got "../articles"`},
		{"bool", "cases:\n  - {id: a, question: q, expect: {abstain: maybe}}\n", `line 2: cases[1].expect.abstain: want true or false, got "maybe"`},
		{"case line", "cases:\n  - {id: a, question: q}\n  - {id: a, question: r}\n", "line 3: case 2 (a): duplicate id"},
		{"syntax", "cases: [\n", "line 1: did not find expected node content"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSuite([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "eval.") || strings.Contains(err.Error(), "!!") {
				t.Errorf("error names Go or YAML types: %v", err)
			}
		})
	}
}

// FuzzParseSuite: any input gives a suite or an error in words, never a
// panic and never a Go or YAML type name.
func FuzzParseSuite(f *testing.F) {
	f.Add("name: x\ncases:\n  - {id: a, question: q, expect: {facts: [[a]]}}\n")
	f.Add("cases:\n  - id: a\n    question: q\n    expect: {cites: [b], abstain: maybe}\n")
	f.Add("defaults: {top_k: six}\ncases: [1, [2], {id: a}]\n")
	f.Add("a: &x [1]\ncases: *x\n")
	f.Add("cases: [\n")
	f.Fuzz(func(t *testing.T, data string) {
		s, err := ParseSuite([]byte(data))
		if err != nil {
			msg := err.Error()
			for _, typeName := range []string{"eval.", "!!", "unmarshal"} {
				if strings.Contains(msg, typeName) && !strings.Contains(data, typeName) {
					t.Fatalf("error names a Go or YAML type: %v", msg)
				}
			}
			return
		}
		if len(s.Cases) == 0 {
			t.Fatal("a suite without cases was accepted")
		}
	})
}
