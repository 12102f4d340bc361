package eval

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// checkSuiteNode walks a decoded suite document against the Suite type and
// reports, in words and with line numbers, every unknown field and every
// value of the wrong kind. The YAML decoder's own errors name Go types
// ("cannot unmarshal !!str into eval.Case"), which mean nothing to a person
// writing a suite.
func checkSuiteNode(doc *yaml.Node) error {
	var errs []error
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	checkNode(doc, reflect.TypeOf(Suite{}), "", &errs)
	return errors.Join(errs...)
}

// checkNode checks n against t; path names the field for messages.
func checkNode(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Tag == "!!null" {
		return
	}
	bad := func(want string) {
		*errs = append(*errs, fmt.Errorf("line %d: %s: want %s, got %s", n.Line, fieldName(path), want, describeNode(n)))
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("a mapping of fields (" + strings.Join(yamlFields(t), ", ") + ")")
			return
		}
		checkMapping(n, t, path, errs)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			bad("a list")
			return
		}
		for i, item := range n.Content {
			checkNode(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i+1), errs)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("text")
		}
	case reflect.Int:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
			bad("a whole number")
		}
	case reflect.Float64:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
			bad("a number")
		}
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
			bad("true or false")
		}
	}
}

func checkMapping(n *yaml.Node, t reflect.Type, path string, errs *[]error) {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			fields[name] = t.Field(i).Type
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		child := k.Value
		if path != "" {
			child = path + "." + k.Value
		}
		ft, ok := fields[k.Value]
		switch {
		case !ok:
			*errs = append(*errs, fmt.Errorf("line %d: unknown field %q in %s (known fields: %s)",
				k.Line, k.Value, fieldName(path), strings.Join(yamlFields(t), ", ")))
		case seen[k.Value]:
			*errs = append(*errs, fmt.Errorf("line %d: %s is set twice", k.Line, child))
		default:
			checkNode(v, ft, child, errs)
		}
		seen[k.Value] = true
	}
}

// yamlName is a struct field's YAML key, or "" for fields YAML skips.
func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		name = strings.ToLower(f.Name)
	}
	return name
}

// yamlFields lists t's YAML keys in declaration order.
func yamlFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func fieldName(path string) string {
	if path == "" {
		return "the suite"
	}
	return path
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}
