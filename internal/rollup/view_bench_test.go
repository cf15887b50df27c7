package rollup

import (
	"fmt"
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// BenchmarkYearQuery measures one stats query over a year on the in-memory rollups with as many
// day buckets as a year of 1 million or 10 million responses fills (365 days × 432 dimension
// combinations: 6 agencies × 2 counters × 12 fields × 3 channels): beyond that the bucket count
// no longer grows with the number of responses.
func BenchmarkYearQuery(b *testing.B) {
	v := &View{buckets: map[string]*viewBucket{}, months: newMonthIndex(), days: map[string]*dayComments{}, loaded: true, daysIn: true}
	first := stats.NewDate(2025, 1, 1)
	for d := range 365 {
		for a := range 6 {
			for c := range 2 {
				for f := range 12 {
					for s, src := range []string{"qr", "kiosk", "online"} {
						vb := &viewBucket{Bucket: stats.Bucket{
							Day: first.AddDays(d), Agency: fmt.Sprint("A", a), Counter: fmt.Sprint("Q", c), Field: fmt.Sprint("f", f), Channel: src,
							Counts: map[string]int64{"n": int64(5 + s), "sat": 4, "answered": int64(5 + s), "r5": 3, "r4": 1, "r2": 1, "c_staff_4": 3},
						}}
						v.buckets[vb.Key()] = vb
						v.months.addDay(vb)
						v.months.add(v.months.sum(&vb.Bucket), vb.Counts)
					}
				}
			}
		}
	}
	meta := stats.Meta{Targets: stats.DefaultTargets()}
	for _, tc := range []struct {
		name string
		p    stats.Period
	}{
		{"whole-year", stats.Period{From: first, To: stats.NewDate(2025, 12, 31)}},
		{"mid-month-to-mid-month", stats.Period{From: stats.NewDate(2025, 1, 15), To: stats.NewDate(2025, 12, 14)}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := stats.Query{Period: tc.p, GroupBy: stats.ByField}
			for b.Loop() {
				if _, err := stats.Aggregate(func(fn func(*stats.Bucket)) { v.Buckets(tc.p, fn) }, q, meta); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(v.buckets)), "day-buckets")
		})
	}
}
