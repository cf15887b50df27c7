package cases_test

import (
	"testing"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
)

func TestFollowUpFiguresByHand(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return at(2026, m, d, 10) }
	settled := func(m time.Month, d int) *time.Time { v := day(m, d); return &v }
	list := []cases.Case{
		// 1: settled on time after 6 working days (Tue 3 … Tue 10 November).
		{Agency: "A", CreatedAt: day(11, 2), DueAt: day(11, 16), Status: cases.StatusResolved, SettledAt: settled(11, 10)},
		// 2: settled late, after 14 working days (Tue 3 … Fri 20).
		{Agency: "A", CreatedAt: day(11, 2), DueAt: day(11, 16), Status: cases.StatusResolved, SettledAt: settled(11, 20)},
		// 3: still open past its deadline.
		{Agency: "A", CreatedAt: day(11, 3), DueAt: day(11, 17), Status: cases.StatusOpen},
		// 4: closed unresolvable: neither settled nor overdue.
		{Agency: "A", CreatedAt: day(11, 20), DueAt: day(12, 4), Status: cases.StatusUnresolvable, SettledAt: settled(11, 25)},
		// 5: open, due the day before now: overdue.
		{Agency: "A", CreatedAt: day(11, 25), DueAt: day(12, 9), Status: cases.StatusOpen},
		// 6: opened before the period: not counted.
		{Agency: "A", CreatedAt: day(10, 30), DueAt: day(11, 13), Status: cases.StatusOpen},
		// 7: unit B, settled the next working day.
		{Agency: "B", CreatedAt: day(11, 5), DueAt: day(11, 19), Status: cases.StatusResolved, SettledAt: settled(11, 6)},
	}
	p, _ := stats.ParsePeriod("2026-11-01", "2026-11-30")
	now := day(12, 10)
	f := cases.Count(list, p, cases.ByAgency, now, cases.DefaultCalendar(), stats.DefaultTargets(), func(_, k string) string { return "unit " + k })
	type want struct {
		opened, settled, onTime, overdue int64
		settledRate, onTimeRate, median  float64
	}
	check := func(name string, r cases.Row, w want) {
		t.Helper()
		if r.Opened != w.opened || r.Settled != w.settled || r.SettledOnTime != w.onTime || r.Overdue != w.overdue ||
			r.SettledRate != w.settledRate || r.OnTimeRate != w.onTimeRate || r.MedianDays == nil || *r.MedianDays != w.median {
			t.Errorf("%s = %+v (median %v), want %+v", name, r, r.MedianDays, w)
		}
	}
	// Overall: cases 1,2,3,4,5,7 opened; 1,2,7 settled (3/6 = 0.5); 1,7 on time; 3,5 overdue;
	// on time 2 ÷ (3 settled + 2 overdue) = 0.4; median of 6, 14, 1 working days = 6.
	check("overall", f.Overall, want{6, 3, 2, 2, 0.5, 0.4, 6})
	if len(f.Groups) != 2 || f.Groups[0].Key != "A" || f.Groups[0].Label != "unit A" {
		t.Fatalf("groups = %+v", f.Groups)
	}
	// A: 1,2,3,4,5 opened; 1,2 settled (0.4); 1 on time; 3,5 overdue: 1 ÷ 4 = 0.25; median (6+14)/2.
	check("A", f.Groups[0], want{5, 2, 1, 2, 0.4, 0.25, 10})
	// B: one case settled on time in 1 working day.
	check("B", f.Groups[1], want{1, 1, 1, 0, 1, 1, 1})
	if f.Overall.Status != stats.StatusInsufficient || *f.Overall.TargetSettled != 0.95 || *f.Overall.TargetOnTime != 1 {
		t.Errorf("overall status %s, targets %v %v", f.Overall.Status, *f.Overall.TargetSettled, *f.Overall.TargetOnTime)
	}
}
