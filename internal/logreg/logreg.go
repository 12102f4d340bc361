// Package logreg fits L2-regularised logistic regression on standardised
// features (Newton's method) and Platt scaling of scores to probabilities.
package logreg

import (
	"errors"
	"fmt"
	"math"
)

// Model is a fitted logistic regression. Features are standardised with
// Mean and Scale before the weights apply.
type Model struct {
	Mean    []float64 `json:"mean"`
	Scale   []float64 `json:"scale"`
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
}

// Logit returns the model's log-odds for x.
func (m *Model) Logit(x []float64) float64 {
	z := m.Bias
	for j, v := range x {
		z += m.Weights[j] * (v - m.Mean[j]) / m.Scale[j]
	}
	return z
}

// Prob returns the model's probability that x is positive.
func (m *Model) Prob(x []float64) float64 { return Sigmoid(m.Logit(x)) }

// Sigmoid is the logistic function.
func Sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Fit fits weights for rows x with labels y, minimising the mean log loss
// plus l2/2 times the squared weights (the bias is not penalised). Rows may
// carry weights w (nil: all 1). Standardising (the row-weighted means and
// scales the model keeps) and the Newton iterations on the standardised
// rows stay in one function, in the order a reader checks them.
func Fit(x [][]float64, y []bool, w []float64, l2 float64) (*Model, error) {
	if len(x) == 0 || len(x) != len(y) || (w != nil && len(w) != len(x)) {
		return nil, errors.New("logreg: rows, labels and weights differ in number or are empty")
	}
	d := len(x[0])
	m := &Model{Mean: make([]float64, d), Scale: make([]float64, d), Weights: make([]float64, d)}
	var wsum float64
	rw := func(i int) float64 {
		if w == nil {
			return 1
		}
		return w[i]
	}
	for i, r := range x {
		if len(r) != d {
			return nil, fmt.Errorf("logreg: row %d has %d features, want %d", i, len(r), d)
		}
		wsum += rw(i)
		for j, v := range r {
			m.Mean[j] += rw(i) * v
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= wsum
	}
	for i, r := range x {
		for j, v := range r {
			m.Scale[j] += rw(i) * (v - m.Mean[j]) * (v - m.Mean[j])
		}
	}
	for j := range m.Scale {
		m.Scale[j] = math.Sqrt(m.Scale[j] / wsum)
		if m.Scale[j] < 1e-9 {
			m.Scale[j] = 1 // a constant feature: its weight stays 0 under l2
		}
	}
	z := make([][]float64, len(x))
	for i, r := range x {
		z[i] = make([]float64, d+1)
		for j, v := range r {
			z[i][j] = (v - m.Mean[j]) / m.Scale[j]
		}
		z[i][d] = 1
	}
	beta := make([]float64, d+1)
	for iter := 0; iter < 50; iter++ {
		grad := make([]float64, d+1)
		hess := make([][]float64, d+1)
		for j := range hess {
			hess[j] = make([]float64, d+1)
		}
		for i, r := range z {
			var s float64
			for j, v := range r {
				s += beta[j] * v
			}
			p := Sigmoid(s)
			t := 0.0
			if y[i] {
				t = 1
			}
			g := rw(i) * (p - t) / wsum
			h := rw(i) * max(p*(1-p), 1e-12) / wsum
			for j, v := range r {
				grad[j] += g * v
				for k := j; k <= d; k++ {
					hess[j][k] += h * v * r[k]
				}
			}
		}
		for j := 0; j <= d; j++ {
			for k := 0; k < j; k++ {
				hess[j][k] = hess[k][j]
			}
			if j < d {
				grad[j] += l2 * beta[j]
				hess[j][j] += l2
			}
		}
		hess[d][d] += 1e-9
		step, err := solve(hess, grad)
		if err != nil {
			return nil, err
		}
		var norm float64
		for j := range beta {
			beta[j] -= step[j]
			norm += step[j] * step[j]
		}
		if norm < 1e-16 {
			break
		}
	}
	copy(m.Weights, beta[:d])
	m.Bias = beta[d]
	return m, nil
}

// solve solves a x = b by Gaussian elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-15 {
			return nil, errors.New("logreg: singular system")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}

// Platt maps a score to a probability: Sigmoid(A*score + B).
type Platt struct {
	A float64 `json:"a"`
	B float64 `json:"b"`
}

// Prob returns the calibrated probability of score s.
func (p Platt) Prob(s float64) float64 { return Sigmoid(p.A*s + p.B) }

// FitPlatt fits Platt scaling of scores to outcomes, with Platt's (1999)
// smoothed targets so a separable set does not drive A to infinity.
func FitPlatt(scores []float64, y []bool) (Platt, error) {
	if len(scores) == 0 || len(scores) != len(y) {
		return Platt{}, errors.New("logreg: platt needs as many outcomes as scores")
	}
	var pos, neg float64
	for _, v := range y {
		if v {
			pos++
		} else {
			neg++
		}
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	a, b := 1.0, 0.0
	for iter := 0; iter < 100; iter++ {
		var g0, g1, h00, h01, h11 float64
		for i, s := range scores {
			t := lo
			if y[i] {
				t = hi
			}
			p := Sigmoid(a*s + b)
			d := p - t
			w := max(p*(1-p), 1e-12)
			g0 += d * s
			g1 += d
			h00 += w * s * s
			h01 += w * s
			h11 += w
		}
		h00 += 1e-9
		h11 += 1e-9
		det := h00*h11 - h01*h01
		if math.Abs(det) < 1e-18 {
			break
		}
		da := (h11*g0 - h01*g1) / det
		db := (h00*g1 - h01*g0) / det
		a, b = a-da, b-db
		if da*da+db*db < 1e-18 {
			break
		}
	}
	return Platt{A: a, B: b}, nil
}
