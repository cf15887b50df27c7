package stats

import (
	"encoding/json"
	"math"
	"testing"
)

// wilsonQuadratic computes the Wilson interval independently as the roots
// of (p̂ − p)² = z²·p(1−p)/n, i.e.
// (1 + z²/n)p² − (2p̂ + z²/n)p + p̂² = 0.
func wilsonQuadratic(s, n int64) (float64, float64) {
	ph := float64(s) / float64(n)
	k := WilsonZ * WilsonZ / float64(n)
	a, b, c := 1+k, -(2*ph + k), ph*ph
	d := math.Sqrt(b*b - 4*a*c)
	return (-b - d) / (2 * a), (-b + d) / (2 * a)
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestWilson(t *testing.T) {
	tests := []struct {
		s, n      int64
		low, high float64 // hand-computed, 4 decimals
	}{
		{0, 10, 0, 0.2775},
		{10, 10, 0.7225, 1},
		{45, 50, 0.7864, 0.9565},
		{5, 10, 0.2366, 0.7634},
		{1, 1, 0.2065, 1},
		{85, 100, 0.7672, 0.9069},
		{90, 100, 0.8256, 0.9448},
		{89, 100, 0.8137, 0.9375},
	}
	for _, tc := range tests {
		low, high := Wilson(tc.s, tc.n)
		if !near(low, tc.low, 5e-5) || !near(high, tc.high, 5e-5) {
			t.Errorf("Wilson(%d,%d) = %.5f..%.5f, want %.4f..%.4f", tc.s, tc.n, low, high, tc.low, tc.high)
		}
		ql, qh := wilsonQuadratic(tc.s, tc.n)
		if !near(low, ql, 1e-12) || !near(high, qh, 1e-12) {
			t.Errorf("Wilson(%d,%d) = %v..%v, quadratic form %v..%v", tc.s, tc.n, low, high, ql, qh)
		}
	}
}

func TestWilsonEdges(t *testing.T) {
	tests := []struct {
		name      string
		s, n      int64
		low, high float64 // exact expectations; NaN = not checked
	}{
		{"no data", 0, 0, 0, 1},
		{"negative n", 3, -1, 0, 1},
		{"none satisfied: low exactly 0", 0, 7, 0, math.NaN()},
		{"all satisfied: high exactly 1", 7, 7, math.NaN(), 1},
	}
	for _, tc := range tests {
		low, high := Wilson(tc.s, tc.n)
		if !math.IsNaN(tc.low) && low != tc.low {
			t.Errorf("%s: Wilson(%d,%d) low = %v, want exactly %v", tc.name, tc.s, tc.n, low, tc.low)
		}
		if !math.IsNaN(tc.high) && high != tc.high {
			t.Errorf("%s: Wilson(%d,%d) high = %v, want exactly %v", tc.name, tc.s, tc.n, high, tc.high)
		}
	}
	// Out-of-range successes are clamped.
	if l, h := Wilson(12, 10); !near(l, 0.7225, 5e-5) || h != 1 {
		t.Errorf("Wilson(12,10) = %v..%v, want clamp to 10/10", l, h)
	}
	if l, _ := Wilson(-3, 10); l != 0 {
		t.Errorf("Wilson(-3,10) low = %v, want 0", l)
	}
	// Bounds stay ordered and inside [0,1] for every s of a few sizes.
	for _, n := range []int64{1, 2, 29, 30, 1000, 1_000_000} {
		for _, s := range []int64{0, 1, n / 3, n / 2, n - 1, n} {
			if s < 0 {
				continue
			}
			l, h := Wilson(s, n)
			p := float64(s) / float64(n)
			if !(0 <= l && l <= p && p <= h && h <= 1) {
				t.Errorf("Wilson(%d,%d) = %v..%v not around %v within [0,1]", s, n, l, h, p)
			}
		}
	}
}

func ptr(f float64) *float64 { return &f }

func TestNewFigureStatus(t *testing.T) {
	tests := []struct {
		name      string
		s, n      int64
		target    *float64
		status    string
		satisfied int64
	}{
		{"empty set", 0, 0, ptr(0.9), StatusInsufficient, 0},
		{"empty set no target", 0, 0, nil, StatusInsufficient, 0},
		{"29 all satisfied", 29, 29, ptr(0.85), StatusInsufficient, 29},
		{"29 no target", 29, 29, nil, StatusInsufficient, 29},
		{"30 all satisfied", 30, 30, ptr(0.85), StatusMeets, 30},
		{"30 no target", 30, 30, nil, StatusNone, 30},
		{"85/100 at 0.85", 85, 100, ptr(0.85), StatusMeets, 85},
		{"84/100 at 0.85", 84, 100, ptr(0.85), StatusBelow, 84},
		{"90/100 at 0.90", 90, 100, ptr(0.90), StatusMeets, 90},
		{"89/100 at 0.90 (ci_high 0.9375)", 89, 100, ptr(0.90), StatusBelow, 89},
		{"95/100 at 0.95", 95, 100, ptr(0.95), StatusMeets, 95},
		{"17/20 would meet but n<30", 17, 20, ptr(0.85), StatusInsufficient, 17},
		{"850/1000 at 0.85", 850, 1000, ptr(0.85), StatusMeets, 850},
		{"849/1000 at 0.85", 849, 1000, ptr(0.85), StatusBelow, 849},
		{"1000 below clearly", 800, 1000, ptr(0.90), StatusLikelyBelow, 800},
		{"30 mostly unsatisfied", 15, 30, ptr(0.90), StatusLikelyBelow, 15},
		{"29/30 at 0.95 meets", 29, 30, ptr(0.95), StatusMeets, 29},
		{"28/30 at 0.95 below", 28, 30, ptr(0.95), StatusBelow, 28},
		{"target 0 always meets", 0, 30, ptr(0), StatusMeets, 0},
		{"target 1, 99/100 (ci_high 0.998)", 99, 100, ptr(1), StatusLikelyBelow, 99},
		{"target 1 all", 100, 100, ptr(1), StatusMeets, 100},
		{"NaN target", 30, 30, ptr(math.NaN()), StatusNone, 30},
		{"satisfied clamped", 120, 100, ptr(0.9), StatusMeets, 100},
		{"negative responses", 5, -4, ptr(0.9), StatusInsufficient, 0},
		{"huge counts exact", 17 * (1 << 56), 20 * (1 << 56), ptr(0.85), StatusMeets, 17 * (1 << 56)},
		{"huge counts one short", 17*(1<<56) - 1, 20 * (1 << 56), ptr(0.85), StatusBelow, 17*(1<<56) - 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := NewFigure(tc.s, tc.n, tc.target)
			if f.Status != tc.status {
				t.Errorf("status = %q, want %q (figure %+v)", f.Status, tc.status, f)
			}
			if f.Satisfied != tc.satisfied {
				t.Errorf("satisfied = %d, want %d", f.Satisfied, tc.satisfied)
			}
		})
	}
}

func TestNewFigureValues(t *testing.T) {
	f := NewFigure(45, 50, ptr(0.9))
	if f.Responses != 50 || f.Satisfied != 45 || f.Satisfaction != 0.9 {
		t.Errorf("counts/satisfaction wrong: %+v", f)
	}
	if !near(f.CILow, 0.7864, 5e-5) || !near(f.CIHigh, 0.9565, 5e-5) {
		t.Errorf("interval = %v..%v", f.CILow, f.CIHigh)
	}
	if f.Status != StatusMeets {
		t.Errorf("status = %q", f.Status)
	}

	empty := NewFigure(0, 0, nil)
	if empty.Satisfaction != 0 || empty.CILow != 0 || empty.CIHigh != 1 || empty.Target != nil {
		t.Errorf("empty figure = %+v", empty)
	}

	// The target is copied, not aliased.
	tgt := 0.85
	g := NewFigure(85, 100, &tgt)
	tgt = 0.5
	if g.Target == nil || *g.Target != 0.85 {
		t.Errorf("target aliased: %v", g.Target)
	}
}

func TestFigureJSON(t *testing.T) {
	b, err := json.Marshal(NewFigure(10, 10, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"responses":10,"satisfied":10,"satisfaction":1,"ci_low":0.7224672001371107,"ci_high":1,"target":null,"status":"insufficient"}`
	var got, exp map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal([]byte(want), &exp)
	for _, k := range []string{"responses", "satisfied", "satisfaction", "ci_high", "target", "status"} {
		if got[k] != exp[k] {
			t.Errorf("%s = %v, want %v (json %s)", k, got[k], exp[k], b)
		}
	}
	if l, ok := got["ci_low"].(float64); !ok || !near(l, 0.7225, 5e-5) {
		t.Errorf("ci_low = %v", got["ci_low"])
	}

	b, _ = json.Marshal(NewFigure(30, 30, ptr(0.9)))
	if err := json.Unmarshal(b, &got); err != nil || got["target"] != 0.9 || got["status"] != "meets" {
		t.Errorf("json with target = %s", b)
	}
}

func TestRatingHelpers(t *testing.T) {
	for r := -1; r <= 7; r++ {
		wantValid := r >= 1 && r <= 5
		wantSat := r == 4 || r == 5
		if ValidRating(r) != wantValid || IsSatisfied(r) != wantSat {
			t.Errorf("rating %d: valid %v satisfied %v", r, ValidRating(r), IsSatisfied(r))
		}
	}
}

func TestDossierRatio(t *testing.T) {
	tests := []struct {
		name                                     string
		dossiers, dissatisfied, complained, late int64
		want                                     float64
	}{
		{"no dossiers", 0, 0, 0, 0, 0},
		{"negative dossiers", -5, 1, 1, 1, 0},
		{"all good", 100, 0, 0, 0, 1},
		{"some bad", 100, 2, 3, 5, 0.9},
		{"capped", 10, 5, 5, 5, 0},
		{"negative categories ignored", 10, -3, 1, 0, 0.9},
		{"huge capped no overflow", math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := DossierRatio(tc.dossiers, tc.dissatisfied, tc.complained, tc.late)
			if !near(got, tc.want, 1e-12) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
