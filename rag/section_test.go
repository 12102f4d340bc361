package rag

import "testing"

func TestSectionPath(t *testing.T) {
	md := Document{Title: "Report", Text: "# Report\nintro\n## Costs\nc1\n### Fuel\nf1\n## Staff\ns1\n```\n# not a heading\n```\n#nospace"}
	recorded := Document{Text: "Fleet\nBody\nShips\nMore", Metadata: map[string]string{MetaHeadings: "0:1,11:2"}}
	damaged := Document{Text: "Fleet\nBody", Metadata: map[string]string{MetaHeadings: "0:1,999:2"}}
	tests := []struct {
		name string
		doc  Document
		at   string
		want string
	}{
		{"before any", Document{Text: "plain text only"}, "text", ""},
		{"top", md, "intro", "Report"},
		{"nested", md, "f1", "Report > Costs > Fuel"},
		{"sibling pops deeper", md, "s1", "Report > Staff"},
		{"fenced hash is code", md, "not a heading", "Report > Staff"},
		{"recorded headings", recorded, "More", "Fleet > Ships"},
		{"damaged record ignored", damaged, "Body", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			off := indexOf(t, tc.doc.Text, tc.at)
			if got := sectionPath(headingsOf(tc.doc), off); got != tc.want {
				t.Errorf("section at %q = %q, want %q", tc.at, got, tc.want)
			}
		})
	}
}

func indexOf(t *testing.T, s, sub string) int {
	t.Helper()
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	t.Fatalf("%q not in %q", sub, s)
	return -1
}
