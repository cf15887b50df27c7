package stats

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) Date { return Date{y, m, day} }

func TestTimeZone(t *testing.T) {
	loc := TimeZone()
	for _, ts := range []string{"2026-01-15T00:00:00Z", "2026-07-15T00:00:00Z"} {
		at, _ := time.Parse(time.RFC3339, ts)
		if _, off := at.In(loc).Zone(); off != 7*3600 {
			t.Errorf("offset at %s = %d, want +7h", ts, off)
		}
	}
	if loc.String() != TimeZoneName {
		t.Logf("tzdata unavailable, using %s", loc)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-03-31", d(2026, 3, 31), true},
		{"2024-02-29", d(2024, 2, 29), true},
		{"2025-02-29", Date{}, false},
		{"2026-04-31", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-3-31", Date{}, false},
		{"26-03-31", Date{}, false},
		{"31/03/2026", Date{}, false},
		{"2026-03-31T00:00:00Z", Date{}, false},
		{" 2026-03-31", Date{}, false},
		{"", Date{}, false},
	}
	for _, tc := range tests {
		got, err := ParseDate(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) error %v does not wrap ErrInvalidDate", tc.in, err)
		}
	}
}

func TestDateOf(t *testing.T) {
	tests := []struct {
		utc  string
		want Date
	}{
		{"2026-03-31T16:59:59Z", d(2026, 3, 31)},
		{"2026-03-31T17:00:00Z", d(2026, 4, 1)},
		{"2026-03-31T17:30:00Z", d(2026, 4, 1)},
		{"2026-04-01T00:30:00Z", d(2026, 4, 1)},
		{"2025-12-31T17:00:00Z", d(2026, 1, 1)},
		{"2024-02-28T18:00:00Z", d(2024, 2, 29)},
		{"2026-04-01T06:00:00+09:00", d(2026, 4, 1)},  // 2026-03-31T21:00Z → 04:00 local
		{"2026-04-01T01:00:00+09:00", d(2026, 3, 31)}, // 2026-03-31T16:00Z → 23:00 local
	}
	for _, tc := range tests {
		at, err := time.Parse(time.RFC3339, tc.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := DateOf(at); got != tc.want {
			t.Errorf("DateOf(%s) = %v, want %v", tc.utc, got, tc.want)
		}
	}
}

func TestDateMethods(t *testing.T) {
	a := d(2026, 3, 31)
	if a.String() != "2026-03-31" {
		t.Errorf("String = %q", a.String())
	}
	if got := a.Time(); got.Format(time.RFC3339) != "2026-03-31T00:00:00+07:00" {
		t.Errorf("Time = %v", got)
	}
	if got := a.Time().UTC().Format(time.RFC3339); got != "2026-03-30T17:00:00Z" {
		t.Errorf("Time UTC = %v", got)
	}
	addTests := []struct {
		from Date
		n    int
		want Date
	}{
		{a, 1, d(2026, 4, 1)},
		{a, -31, d(2026, 2, 28)},
		{d(2024, 2, 28), 1, d(2024, 2, 29)},
		{d(2025, 12, 31), 1, d(2026, 1, 1)},
		{a, 0, a},
		{a, 365, d(2027, 3, 31)},
		{d(1, 1, 1), 3652058, d(9999, 12, 31)}, // beyond time.Duration's ~292 years
	}
	for _, tc := range addTests {
		if got := tc.from.AddDays(tc.n); got != tc.want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", tc.from, tc.n, got, tc.want)
		}
		if got := tc.want.Sub(tc.from); got != tc.n {
			t.Errorf("%v.Sub(%v) = %d, want %d", tc.want, tc.from, got, tc.n)
		}
	}
	b := d(2026, 4, 1)
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Before(a) || a.Compare(a) != 0 || a.Compare(b) != -1 || b.Compare(a) != 1 {
		t.Error("ordering methods inconsistent")
	}
	if NewDate(2026, 2, 30) != d(2026, 3, 2) {
		t.Errorf("NewDate normalization = %v", NewDate(2026, 2, 30))
	}
	if !a.Valid() || (Date{2026, 2, 30}).Valid() || (Date{}).Valid() || !(Date{}).IsZero() || a.IsZero() {
		t.Error("Valid/IsZero wrong")
	}
	if a.FirstOfMonth() != d(2026, 3, 1) {
		t.Errorf("FirstOfMonth = %v", a.FirstOfMonth())
	}
}

func TestDateJSON(t *testing.T) {
	type wrap struct {
		D Date `json:"d"`
		Z Date `json:"z"`
	}
	b, err := json.Marshal(wrap{D: d(2026, 3, 31)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"d":"2026-03-31","z":""}` {
		t.Errorf("marshal = %s", b)
	}
	var w wrap
	if err := json.Unmarshal(b, &w); err != nil || w.D != d(2026, 3, 31) || !w.Z.IsZero() {
		t.Errorf("unmarshal = %+v, %v", w, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2026-02-30"}`), &w); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("bad date unmarshal err = %v", err)
	}
	pb, _ := json.Marshal(Period{d(2026, 1, 1), d(2026, 3, 31)})
	if string(pb) != `{"from":"2026-01-01","to":"2026-03-31"}` {
		t.Errorf("period json = %s", pb)
	}
}

func TestPeriodOf(t *testing.T) {
	tests := []struct {
		kind        string
		year, index int
		from, to    Date
	}{
		{PeriodMonth, 2026, 1, d(2026, 1, 1), d(2026, 1, 31)},
		{PeriodMonth, 2024, 2, d(2024, 2, 1), d(2024, 2, 29)}, // leap year
		{PeriodMonth, 2025, 2, d(2025, 2, 1), d(2025, 2, 28)},
		{PeriodMonth, 2000, 2, d(2000, 2, 1), d(2000, 2, 29)}, // divisible by 400
		{PeriodMonth, 2100, 2, d(2100, 2, 1), d(2100, 2, 28)}, // divisible by 100
		{PeriodMonth, 2026, 4, d(2026, 4, 1), d(2026, 4, 30)},
		{PeriodMonth, 2026, 12, d(2026, 12, 1), d(2026, 12, 31)},
		{PeriodQuarter, 2026, 1, d(2026, 1, 1), d(2026, 3, 31)},
		{PeriodQuarter, 2026, 2, d(2026, 4, 1), d(2026, 6, 30)},
		{PeriodQuarter, 2026, 3, d(2026, 7, 1), d(2026, 9, 30)},
		{PeriodQuarter, 2026, 4, d(2026, 10, 1), d(2026, 12, 31)},
		{PeriodHalf, 2026, 1, d(2026, 1, 1), d(2026, 6, 30)},
		{PeriodHalf, 2026, 2, d(2026, 7, 1), d(2026, 12, 31)},
		{PeriodNineMonths, 2026, 1, d(2026, 1, 1), d(2026, 9, 30)},
		{PeriodNineMonths, 2026, 0, d(2026, 1, 1), d(2026, 9, 30)},
		{PeriodYear, 2026, 0, d(2026, 1, 1), d(2026, 12, 31)},
		{PeriodYear, 2024, 1, d(2024, 1, 1), d(2024, 12, 31)},
	}
	for _, tc := range tests {
		p, err := PeriodOf(tc.kind, tc.year, tc.index)
		if err != nil || p.From != tc.from || p.To != tc.to {
			t.Errorf("PeriodOf(%s, %d, %d) = %v, %v; want %v..%v", tc.kind, tc.year, tc.index, p, err, tc.from, tc.to)
			continue
		}
		if err := p.Validate(); err != nil {
			t.Errorf("PeriodOf(%s, %d, %d) invalid: %v", tc.kind, tc.year, tc.index, err)
		}
	}
	if p, _ := PeriodOf(PeriodYear, 2024, 0); p.Days() != 366 {
		t.Errorf("leap year days = %d", p.Days())
	}
}

func TestPeriodOfErrors(t *testing.T) {
	tests := []struct {
		kind        string
		year, index int
		want        error
	}{
		{PeriodMonth, 2026, 0, ErrPeriodIndex},
		{PeriodMonth, 2026, 13, ErrPeriodIndex},
		{PeriodQuarter, 2026, 0, ErrPeriodIndex},
		{PeriodQuarter, 2026, 5, ErrPeriodIndex},
		{PeriodHalf, 2026, 3, ErrPeriodIndex},
		{PeriodHalf, 2026, -1, ErrPeriodIndex},
		{"week", 2026, 1, ErrPeriodKind},
		{"", 2026, 1, ErrPeriodKind},
		{PeriodYear, 0, 0, ErrPeriodYear},
		{PeriodYear, 10000, 0, ErrPeriodYear},
	}
	for _, tc := range tests {
		_, err := PeriodOf(tc.kind, tc.year, tc.index)
		if !errors.Is(err, tc.want) {
			t.Errorf("PeriodOf(%q, %d, %d) err = %v, want %v", tc.kind, tc.year, tc.index, err, tc.want)
		}
	}
}

func TestParsePeriod(t *testing.T) {
	tests := []struct {
		from, to string
		want     error
		days     int
	}{
		{"2026-01-01", "2026-03-31", nil, 90},
		{"2026-03-31", "2026-03-31", nil, 1},
		{"2026-04-01", "2026-03-31", ErrPeriodOrder, 0},
		{"2026-1-01", "2026-03-31", ErrInvalidDate, 0},
		{"2026-01-01", "2026-02-30", ErrInvalidDate, 0},
		{"2020-01-01", "2030-01-07", nil, 3660}, // exactly the maximum
		{"2020-01-01", "2030-01-08", ErrPeriodTooLong, 0},
	}
	for _, tc := range tests {
		p, err := ParsePeriod(tc.from, tc.to)
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("ParsePeriod(%s, %s) err = %v, want %v", tc.from, tc.to, err, tc.want)
			continue
		}
		if err == nil && p.Days() != tc.days {
			t.Errorf("ParsePeriod(%s, %s).Days() = %d, want %d", tc.from, tc.to, p.Days(), tc.days)
		}
		if err != nil && p != (Period{}) {
			t.Errorf("ParsePeriod(%s, %s) returned %v with error", tc.from, tc.to, p)
		}
	}
	if _, err := NewPeriod(Date{}, d(2026, 1, 1)); !errors.Is(err, ErrInvalidDate) {
		t.Errorf("NewPeriod zero from err = %v", err)
	}
}

func TestPeriodMethods(t *testing.T) {
	p, _ := PeriodOf(PeriodQuarter, 2026, 1)
	containsTests := []struct {
		d    Date
		want bool
	}{
		{d(2025, 12, 31), false},
		{d(2026, 1, 1), true},
		{d(2026, 2, 15), true},
		{d(2026, 3, 31), true},
		{d(2026, 4, 1), false},
	}
	for _, tc := range containsTests {
		if p.Contains(tc.d) != tc.want {
			t.Errorf("%v.Contains(%v) = %v", p, tc.d, !tc.want)
		}
	}
	start, end := p.Bounds()
	if start.UTC().Format(time.RFC3339) != "2025-12-31T17:00:00Z" || end.UTC().Format(time.RFC3339) != "2026-03-31T17:00:00Z" {
		t.Errorf("Bounds = %v, %v", start.UTC(), end.UTC())
	}
	// An instant just after local midnight of April 1 is outside Q1.
	at, _ := time.Parse(time.RFC3339, "2026-03-31T17:30:00Z")
	if !(at.Compare(end) >= 0) || p.Contains(DateOf(at)) {
		t.Errorf("2026-03-31T17:30Z should be outside Q1 2026")
	}
	if p.String() != "2026-01-01/2026-03-31" {
		t.Errorf("String = %q", p.String())
	}
	if (Period{d(2026, 2, 1), d(2026, 1, 1)}).Days() != 0 {
		t.Error("reversed period Days != 0")
	}
}
