package stats

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
)

func TestDefaultTargets(t *testing.T) {
	tt := DefaultTargets()
	if err := tt.Validate(); err != nil {
		t.Fatalf("default table invalid: %v", err)
	}
	tests := []struct {
		group  string
		year   int
		want   float64
		wantOK bool
	}{
		{GroupOverall, 2025, 0.90, true},
		{GroupOverall, 2029, 0.90, true},
		{GroupOverall, 2030, 0.95, true},
		{GroupOverall, 2035, 0.95, true},
		{GroupOverall, 2021, 0.90, true},
		{GroupOverall, 2020, 0, false},
		{GroupLandConstructionInvestment, 2025, 0.85, true},
		{GroupLandConstructionInvestment, 2030, 0.85, true},
		{GroupHealthEducation, 2025, 0.85, true},
		{GroupHealthEducation, 2029, 0.85, true},
		{GroupHealthEducation, 2030, 0.90, true},
		{"unknown-group", 2025, 0.90, true},
		{"unknown-group", 2030, 0.95, true},
		{"", 2026, 0.90, true},
		{GroupHealthEducation, 2020, 0, false},
	}
	for _, tc := range tests {
		got, ok := tt.Target(tc.group, tc.year)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("Target(%q, %d) = %v, %v; want %v, %v", tc.group, tc.year, got, ok, tc.want, tc.wantOK)
		}
		p := tt.Lookup(tc.group, tc.year)
		if (p != nil) != tc.wantOK || (p != nil && *p != tc.want) {
			t.Errorf("Lookup(%q, %d) = %v", tc.group, tc.year, p)
		}
	}
}

func TestFieldTargets(t *testing.T) {
	tt := DefaultTargets()
	tests := []struct {
		field string
		group string
		y2025 float64
		y2030 float64
	}{
		{"land", GroupLandConstructionInvestment, 0.85, 0.85},
		{"construction", GroupLandConstructionInvestment, 0.85, 0.85},
		{"investment", GroupLandConstructionInvestment, 0.85, 0.85},
		{"education", GroupHealthEducation, 0.85, 0.90},
		{"health", GroupHealthEducation, 0.85, 0.90},
		{"justice", GroupOverall, 0.90, 0.95},
		{"", GroupOverall, 0.90, 0.95},
	}
	for _, tc := range tests {
		if g := tt.GroupOf(tc.field); g != tc.group {
			t.Errorf("GroupOf(%q) = %q, want %q", tc.field, g, tc.group)
		}
		for year, want := range map[int]float64{2025: tc.y2025, 2030: tc.y2030} {
			if got, ok := tt.FieldTarget(tc.field, year); !ok || got != want {
				t.Errorf("FieldTarget(%q, %d) = %v, %v; want %v", tc.field, year, got, ok, want)
			}
		}
	}
}

func TestTargetTableEditable(t *testing.T) {
	// Each call returns an independent copy.
	a := DefaultTargets()
	a.Rules[0].Target = 0.5
	a.FieldGroups["land"] = GroupOverall
	b := DefaultTargets()
	if got, _ := b.Target(GroupOverall, 2025); got != 0.90 {
		t.Errorf("DefaultTargets shares rules: %v", got)
	}
	if b.GroupOf("land") != GroupLandConstructionInvestment {
		t.Error("DefaultTargets shares field groups")
	}

	// Rule order does not matter; the greatest FromYear <= year wins.
	tt := TargetTable{Rules: []TargetRule{
		{Group: GroupOverall, FromYear: 2030, Target: 0.95},
		{Group: GroupOverall, FromYear: 2021, Target: 0.90},
		{Group: GroupOverall, FromYear: 2025, Target: 0.92},
	}}
	for year, want := range map[int]float64{2021: 0.90, 2024: 0.90, 2025: 0.92, 2029: 0.92, 2030: 0.95} {
		if got, _ := tt.Target(GroupOverall, year); got != want {
			t.Errorf("Target(overall, %d) = %v, want %v", year, got, want)
		}
	}

	// The zero table has no targets at all.
	if _, ok := (TargetTable{}).Target(GroupOverall, 2025); ok {
		t.Error("zero table returned a target")
	}
	if (TargetTable{}).Lookup("x", 2025) != nil {
		t.Error("zero table Lookup not nil")
	}

	// JSON round trip for configuration files.
	b2, err := json.Marshal(DefaultTargets())
	if err != nil {
		t.Fatal(err)
	}
	var back TargetTable
	if err := json.Unmarshal(b2, &back); err != nil {
		t.Fatal(err)
	}
	if got, ok := back.FieldTarget("health", 2030); !ok || got != 0.90 {
		t.Errorf("round trip FieldTarget = %v, %v (json %s)", got, ok, b2)
	}
}

func TestTargetTableValidate(t *testing.T) {
	tests := []struct {
		name string
		tt   TargetTable
		ok   bool
	}{
		{"empty", TargetTable{}, true},
		{"empty group", TargetTable{Rules: []TargetRule{{Group: "", FromYear: 2021, Target: 0.9}}}, false},
		{"zero year", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 0, Target: 0.9}}}, false},
		{"percent not fraction", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 2021, Target: 90}}}, false},
		{"negative", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 2021, Target: -0.1}}}, false},
		{"NaN", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 2021, Target: math.NaN()}}}, false},
		{"duplicate", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 2021, Target: 0.9}, {Group: "g", FromYear: 2021, Target: 0.8}}}, false},
		{"empty field group", TargetTable{FieldGroups: map[string]string{"land": ""}}, false},
		{"bounds 0 and 1", TargetTable{Rules: []TargetRule{{Group: "g", FromYear: 2021, Target: 0}, {Group: "g", FromYear: 2022, Target: 1}}}, true},
	}
	for _, tc := range tests {
		err := tc.tt.Validate()
		if (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidTargets) {
			t.Errorf("%s: error %v does not wrap ErrInvalidTargets", tc.name, err)
		}
	}
}

func TestTargetsWithFigure(t *testing.T) {
	tt := DefaultTargets()
	tests := []struct {
		field  string
		year   int
		s, n   int64
		status string
	}{
		{"land", 2025, 85, 100, StatusMeets},
		{"health", 2025, 85, 100, StatusMeets},
		{"health", 2030, 85, 100, StatusBelow},
		{"justice", 2025, 90, 100, StatusMeets},
		{"justice", 2025, 89, 100, StatusBelow},
		{"justice", 2030, 90, 100, StatusLikelyBelow}, // ci_high 0.9448 < 0.95
		{"justice", 2030, 93, 100, StatusBelow},
		{"justice", 2019, 90, 100, StatusNone},
	}
	for _, tc := range tests {
		f := NewFigure(tc.s, tc.n, tt.Lookup(tt.GroupOf(tc.field), tc.year))
		if f.Status != tc.status {
			t.Errorf("%s %d %d/%d: status %q, want %q", tc.field, tc.year, tc.s, tc.n, f.Status, tc.status)
		}
	}
}
