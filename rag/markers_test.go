package rag

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseMarkers(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"[1]", []int{1}},
		{"[1][2]", []int{1, 2}},
		{"[1, 2]", []int{1, 2}},
		{"[1-3]", []int{1, 2, 3}},
		{"[2–4]", []int{2, 3, 4}},
		{" [3] [1][3]", []int{3, 1}},
		{"[5-2]", []int{5}},
		{"[1-999999]", []int{1}},
	}
	for _, tc := range tests {
		if got := parseMarkers(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseMarkers(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestSplitCited(t *testing.T) {
	got := splitCited("Amazon may invest $10 billion [1]. OpenAI uses Trainium. [2][3] Nobody knows [1, 4]! No marker here.")
	want := []citedSentence{
		{"Amazon may invest $10 billion.", []int{1}},
		{"OpenAI uses Trainium.", []int{2, 3}},
		{"Nobody knows!", []int{1, 4}},
		{"No marker here.", nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("splitCited:\n got %#v\nwant %#v", got, want)
	}
}

func FuzzParseMarkers(f *testing.F) {
	for _, s := range []string{"[1]", "[1, 2][3-5]", "text [9] more [2–4].", "[", "[1-", "[99999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, loc := range markerGroup.FindAllStringIndex(s, -1) {
			nums := parseMarkers(s[loc[0]:loc[1]])
			if len(nums) > 64*(maxMarkerRange+1) {
				t.Fatalf("%d numbers from %q", len(nums), s)
			}
		}
		for _, c := range splitCited(s) {
			if strings.Contains(c.text, "[") && markerGroup.MatchString(c.text) {
				t.Fatalf("marker left in sentence %q of %q", c.text, s)
			}
		}
	})
}

func TestFormatMarkers(t *testing.T) {
	tests := []struct {
		ns   []int
		want string
	}{
		{nil, ""},
		{[]int{1}, "[1]"},
		{[]int{2, 10, 3}, "[2][10][3]"},
	}
	for _, tc := range tests {
		got := FormatMarkers(tc.ns)
		if got != tc.want {
			t.Errorf("FormatMarkers(%v) = %q, want %q", tc.ns, got, tc.want)
		}
		if back := parseMarkers(got); len(tc.ns) > 0 && !reflect.DeepEqual(back, tc.ns) {
			t.Errorf("parseMarkers(%q) = %v, want %v", got, back, tc.ns)
		}
	}
	var b strings.Builder
	writeSentence(&b, "One.", []int{1})
	writeSentence(&b, "Two.", []int{2, 3})
	writeSentence(&b, "Three.", nil)
	if got := b.String(); got != "One. [1] Two. [2][3] Three." {
		t.Errorf("writeSentence built %q", got)
	}
}
