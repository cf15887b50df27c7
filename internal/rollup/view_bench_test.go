package rollup

import (
	"fmt"
	"maps"
	"testing"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// BenchmarkYearQuery measures one stats query over a year on the in-memory rollups with as many
// day buckets as a year of 1 million or 10 million responses fills (365 days × 432 dimension
// combinations: 6 agencies × 2 counters × 12 fields × 3 channels): beyond that the bucket count
// no longer grows with the number of responses. Each counter has one officer, and each bucket
// the counters of responses rated 1 to 5 on every criterion, as the synthetic load's have.
func BenchmarkYearQuery(b *testing.B) {
	counts := map[string]int64{}
	for overall := 1; overall <= 5; overall++ {
		r := &survey.Response{Overall: overall, Returns: "0"}
		for _, c := range survey.Criteria {
			r.Criteria = append(r.Criteria, survey.CriterionRating{Criterion: c, Rating: overall})
		}
		for k, n := range stats.ResponseCounts(r) {
			counts[k] += n
		}
	}
	v := &View{buckets: map[string]*viewBucket{}, months: newMonthIndex(), days: map[string]*dayComments{}, loaded: true, daysIn: true}
	first := stats.NewDate(2025, 1, 1)
	for d := range 365 {
		for a := range 6 {
			for c := range 2 {
				for f := range 12 {
					for s, src := range []string{"qr", "kiosk", "online"} {
						vb := &viewBucket{Bucket: stats.Bucket{
							Day: first.AddDays(d), Agency: fmt.Sprint("A", a), Counter: fmt.Sprint("Q", c), Field: fmt.Sprint("f", f), Channel: src,
							Officer: fmt.Sprint("O", a, c), Counts: maps.Clone(counts),
						}}
						vb.Counts[stats.CounterRated] += int64(s)
						v.buckets[vb.Key()] = vb
						v.months.addDay(vb)
						v.months.add(v.months.sum(&vb.Bucket), vb.Counts)
						vb.Packed, vb.Counts = stats.Pack(v.months.names, vb.Counts), nil // as loaded
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
