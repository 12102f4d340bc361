package logreg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitRecoversWeights draws labels from a known model and checks the
// fit finds its weights.
func TestFitRecoversWeights(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	want := []float64{2, -1, 0, 0.5}
	const bias = -0.5
	var x [][]float64
	var y []bool
	for range 20000 {
		row := make([]float64, len(want))
		z := bias
		for j := range row {
			row[j] = r.NormFloat64()
			z += want[j] * row[j]
		}
		x = append(x, row)
		y = append(y, r.Float64() < Sigmoid(z))
	}
	m, err := Fit(x, y, nil, 1e-6)
	if err != nil {
		t.Fatal(err)
	}
	for j, w := range want {
		got := m.Weights[j] / m.Scale[j] // back to the raw feature's scale
		if math.Abs(got-w) > 0.1 {
			t.Errorf("weight %d = %.3f, want %.3f", j, got, w)
		}
	}
	var mid float64
	for j := range want {
		mid -= m.Weights[j] * m.Mean[j] / m.Scale[j]
	}
	if got := m.Bias + mid; math.Abs(got-bias) > 0.1 {
		t.Errorf("bias = %.3f, want %.3f", got, bias)
	}
}

func TestFitRegularisationShrinks(t *testing.T) {
	x := [][]float64{{0}, {1}, {2}, {3}}
	y := []bool{false, false, true, true} // separable: unregularised weights diverge
	m, err := Fit(x, y, nil, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if w := m.Weights[0]; w <= 0 || w > 20 {
		t.Errorf("weight %.3f, want positive and bounded", w)
	}
	if m.Prob([]float64{3}) <= m.Prob([]float64{0}) {
		t.Error("probability does not grow with the feature")
	}
}

func TestFitErrors(t *testing.T) {
	tests := []struct {
		name string
		x    [][]float64
		y    []bool
	}{
		{"empty", nil, nil},
		{"mismatch", [][]float64{{1}}, []bool{true, false}},
		{"ragged", [][]float64{{1}, {1, 2}}, []bool{true, false}},
	}
	for _, tc := range tests {
		if _, err := Fit(tc.x, tc.y, nil, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestFitPlatt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var s []float64
	var y []bool
	for range 20000 {
		v := r.NormFloat64() * 2
		s = append(s, v)
		y = append(y, r.Float64() < Sigmoid(1.5*v-1))
	}
	p, err := FitPlatt(s, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.A-1.5) > 0.1 || math.Abs(p.B+1) > 0.1 {
		t.Errorf("platt = %+v, want a=1.5 b=-1", p)
	}
	if _, err := FitPlatt(nil, nil); err == nil {
		t.Error("empty: no error")
	}
}
