package report

import (
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// A cut-off on the 15th moves each period to start on the 15th of the month before it and end on
// the 14th of its last month; the earlier periods move with it.
func TestReportingPeriodsWithACutOff(t *testing.T) {
	d := stats.NewDate
	for _, c := range []struct {
		kind         string
		year, index  int
		cutoff       int
		from, to     stats.Date
		prev, lastYr [2]stats.Date
	}{
		// Q3 2026: 15/06–14/09; Q2: 15/03–14/06; Q3 2025: 15/06/2025–14/09/2025.
		{stats.PeriodQuarter, 2026, 3, 15, d(2026, 6, 15), d(2026, 9, 14), [2]stats.Date{d(2026, 3, 15), d(2026, 6, 14)}, [2]stats.Date{d(2025, 6, 15), d(2025, 9, 14)}},
		// Q1 2026: 15/12/2025–14/03/2026; the quarter before is Q4 2025: 15/09–14/12/2025.
		{stats.PeriodQuarter, 2026, 1, 15, d(2025, 12, 15), d(2026, 3, 14), [2]stats.Date{d(2025, 9, 15), d(2025, 12, 14)}, [2]stats.Date{d(2024, 12, 15), d(2025, 3, 14)}},
		// The year 2026 with no cut-off: calendar; the previous period of a year is the year before.
		{stats.PeriodYear, 2026, 1, 0, d(2026, 1, 1), d(2026, 12, 31), [2]stats.Date{d(2025, 1, 1), d(2025, 12, 31)}, [2]stats.Date{d(2025, 1, 1), d(2025, 12, 31)}},
		// The second half with a cut-off on the 20th: 20/06–19/12.
		{stats.PeriodHalf, 2026, 2, 20, d(2026, 6, 20), d(2026, 12, 19), [2]stats.Date{d(2025, 12, 20), d(2026, 6, 19)}, [2]stats.Date{d(2025, 6, 20), d(2025, 12, 19)}},
	} {
		p, err := ReportingPeriod(c.kind, c.year, c.index, c.cutoff)
		if err != nil || p.From != c.from || p.To != c.to {
			t.Errorf("%s %d/%d cut %d = %v, %v; want %v–%v", c.kind, c.index, c.year, c.cutoff, p, err, c.from, c.to)
			continue
		}
		r := &Report{Kind: c.kind, Year: c.year, Index: c.index, CutoffDay: c.cutoff, Period: p}
		e, err := EarlierPeriods(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := [2]stats.Date{e.Previous.Period.From, e.Previous.Period.To}; got != c.prev {
			t.Errorf("%s %d/%d: previous %v, want %v", c.kind, c.index, c.year, got, c.prev)
		}
		if got := [2]stats.Date{e.LastYear.Period.From, e.LastYear.Period.To}; got != c.lastYr {
			t.Errorf("%s %d/%d: last year %v, want %v", c.kind, c.index, c.year, got, c.lastYr)
		}
		if title := r.TitleIn("vi"); c.kind == stats.PeriodQuarter && c.index == 1 && title != "Báo cáo sự hài lòng quý I/2026" {
			t.Errorf("title %q, want quarter I of 2026 despite starting in December", title)
		}
	}
	// A custom range of 10 days is compared with the 10 days before it.
	r := &Report{Kind: KindCustom, Period: stats.Period{From: d(2026, 3, 11), To: d(2026, 3, 20)}}
	e, _ := EarlierPeriods(r)
	if e.Previous.Period.From != d(2026, 3, 1) || e.Previous.Period.To != d(2026, 3, 10) || e.LastYear.Period.From != d(2025, 3, 11) {
		t.Errorf("custom earlier periods %+v %+v", e.Previous.Period, e.LastYear.Period)
	}
}
