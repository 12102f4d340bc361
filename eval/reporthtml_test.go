package eval

import (
	"bytes"
	"strings"
	"testing"
)

// The HTML chart has an axis with ticks, a line for each gate, and shows
// MRR as a decimal, not a percent.
func TestWriteHTMLChart(t *testing.T) {
	rep := &Report{Suite: "s", Metrics: Metrics{Cases: 4, Passed: 3, PassRate: 0.75, MRR: 0.625, HitAtK: 1}}
	ApplyGates(rep, Gates{MinPassRate: 0.9, MinHitAtK: 0.5}, nil, 0)
	var buf bytes.Buffer
	if err := WriteHTML(&buf, rep); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, want := range []string{
		`<title>MRR: 0.625</title>`,
		`<title>pass rate: 75.0%</title>`,
		`class="bar below"`, // pass rate under its gate
		`<title>gate: at least 0.9</title>`,
		`<title>gate: at least 0.5</title>`,
		`text-anchor="middle">0.25</text>`,
		`score (0 to 1)`,
		`name="viewport"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(page, "62.5%") {
		t.Error("MRR shown as a percent")
	}
	if n := strings.Count(page, `class="gate"`); n != 2 {
		t.Errorf("%d gate lines, want 2", n)
	}
}
