package stats

import (
	"math"
	"testing"
	"time"
)

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		p        float64
		decimals int
		want     string
	}{
		{0.875, 1, "87,5%"},
		{1, 1, "100,0%"},
		{0, 1, "0,0%"},
		{0.9, 1, "90,0%"},
		{0.85, 1, "85,0%"},
		{0.875, 0, "88%"}, // half away from zero, not half-even
		{0.865, 0, "87%"}, // 0.865*100 is 86.49999999999999 in float
		{0.8125, 1, "81,3%"},
		{0.81249, 1, "81,2%"},
		{0.9999, 1, "100,0%"},
		{0.12345, 2, "12,35%"},
		{2.0 / 3, 1, "66,7%"},
		{1.0 / 3, 3, "33,333%"},
		{0.5, -1, "50%"},
		{-0.0004, 1, "0,0%"}, // no "-0,0%"
		{-0.05, 1, "-5,0%"},
		{12.5, 1, "1.250,0%"},
		{math.NaN(), 1, NotANumber},
		{math.Inf(1), 1, NotANumber},
	}
	for _, tc := range tests {
		if got := FormatPercent(tc.p, tc.decimals); got != tc.want {
			t.Errorf("FormatPercent(%v, %d) = %q, want %q", tc.p, tc.decimals, got, tc.want)
		}
	}
	// Computed ratios, the way callers produce them.
	ratioTests := []struct {
		s, n int64
		want string
	}{
		{173, 200, "86,5%"},
		{85, 100, "85,0%"},
		{7, 8, "87,5%"},
		{1, 3, "33,3%"},
	}
	for _, tc := range ratioTests {
		if got := Percent(float64(tc.s) / float64(tc.n)); got != tc.want {
			t.Errorf("Percent(%d/%d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	if got := FormatPercent(173.0/200, 0); got != "87%" {
		t.Errorf("FormatPercent(173/200, 0) = %q, want 87%%", got)
	}
}

func TestFormatDecimal(t *testing.T) {
	tests := []struct {
		v        float64
		decimals int
		want     string
	}{
		{4.25, 1, "4,3"},
		{4.24, 1, "4,2"},
		{1234.5, 1, "1.234,5"},
		{999.96, 1, "1.000,0"},
		{9.99, 0, "10"},
		{1234567.891, 2, "1.234.567,89"},
		{-1234.5, 0, "-1.235"},
		{0, 2, "0,00"},
		{0.005, 2, "0,01"},
		{1e-9, 2, "0,00"},
	}
	for _, tc := range tests {
		if got := FormatDecimal(tc.v, tc.decimals); got != tc.want {
			t.Errorf("FormatDecimal(%v, %d) = %q, want %q", tc.v, tc.decimals, got, tc.want)
		}
	}
}

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{7, "7"},
		{999, "999"},
		{1000, "1.000"},
		{12345, "12.345"},
		{123456, "123.456"},
		{1234567, "1.234.567"},
		{-1234, "-1.234"},
		{-999, "-999"},
		{math.MaxInt64, "9.223.372.036.854.775.807"},
		{math.MinInt64, "-9.223.372.036.854.775.808"},
	}
	for _, tc := range tests {
		if got := FormatInt(tc.n); got != tc.want {
			t.Errorf("FormatInt(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		d    Date
		want string
	}{
		{d(2026, 3, 31), "31/03/2026"},
		{d(2024, 2, 29), "29/02/2024"},
		{d(2026, 1, 5), "05/01/2026"},
		{Date{}, ""},
	}
	for _, tc := range tests {
		if got := FormatDate(tc.d); got != tc.want {
			t.Errorf("FormatDate(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestFormatDateTime(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"2026-03-31T07:05:00Z", "31/03/2026 14:05"},
		{"2026-03-31T17:30:00Z", "01/04/2026 00:30"},
		{"2025-12-31T16:59:00Z", "31/12/2025 23:59"},
		{"2026-03-31T14:05:00+07:00", "31/03/2026 14:05"},
		{"2026-03-31T09:05:00+02:00", "31/03/2026 14:05"},
	}
	for _, tc := range tests {
		at, err := time.Parse(time.RFC3339, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatDateTime(at); got != tc.want {
			t.Errorf("FormatDateTime(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := FormatDateTime(time.Time{}); got != "" {
		t.Errorf("FormatDateTime(zero) = %q", got)
	}
}
