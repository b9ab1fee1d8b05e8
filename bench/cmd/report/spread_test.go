package main

import "testing"

func TestSpread(t *testing.T) {
	for _, tt := range []struct {
		name   string
		a, b   []float64
		lo, hi float64
		ok     bool
	}{
		{"five rounds drop the extremes", []float64{5, 1, 4, 2, 3}, []float64{1, 1, 1, 1, 1}, 2, 4, true},
		{"pairs by round, not by rank", []float64{1, 2, 3, 4, 5}, []float64{5, 4, 3, 2, 1}, 0.5, 2, true},
		{"three rounds keep all", []float64{1, 2, 4}, []float64{2, 2, 2}, 0.5, 2, true},
		{"unequal rounds", []float64{1, 2, 3}, []float64{1, 2}, 0, 0, false},
		{"too few rounds", []float64{1, 2}, []float64{1, 2}, 0, 0, false},
	} {
		lo, hi, ok := spread(tt.a, tt.b)
		if lo != tt.lo || hi != tt.hi || ok != tt.ok {
			t.Errorf("%s: spread = %v, %v, %v; want %v, %v, %v", tt.name, lo, hi, ok, tt.lo, tt.hi, tt.ok)
		}
	}
}

func TestNoisy(t *testing.T) {
	rounds := func(ck, peer []float64) map[key]*samples {
		return map[key]*samples{{"s", "corskit"}: {ns: ck}, {"s", "peer"}: {ns: peer}}
	}
	for _, tt := range []struct {
		name      string
		ck, peer  []float64
		limit     float64
		strict    bool
		wantNoise bool
	}{
		{"every round meets", []float64{50, 55, 58}, []float64{100, 100, 100}, 0.6, false, false},
		{"no round meets", []float64{61, 70, 80}, []float64{100, 100, 100}, 0.6, false, false},
		{"rounds straddle", []float64{55, 65, 58}, []float64{100, 100, 100}, 0.6, false, true},
		{"an extreme round alone does not count", []float64{10, 50, 52, 54, 90}, []float64{100, 100, 100, 100, 100}, 0.6, false, false},
		{"equal meets ≤", []float64{90, 100, 95}, []float64{100, 100, 100}, 1, false, false},
		{"equal fails <", []float64{90, 100, 95}, []float64{100, 100, 100}, 1, true, true},
	} {
		noise, detail := noisy(rounds(tt.ck, tt.peer), "s", "peer", tt.limit, tt.strict)
		if noise != tt.wantNoise || detail == "" {
			t.Errorf("%s: noisy = %v, %q; want %v and a description", tt.name, noise, detail, tt.wantNoise)
		}
	}
	if noise, detail := noisy(rounds([]float64{1, 2, 3}, nil), "s", "other", 0.6, false); noise || detail != "" {
		t.Errorf("missing cell: noisy = %v, %q; want false, \"\"", noise, detail)
	}
}
