package rollup

import (
	"math/rand/v2"
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// TestMonthIndexEqualsDayBuckets checks that reading whole months from their sums gives the same
// totals as adding up the day buckets, for periods that start and end mid-month.
func TestMonthIndexEqualsDayBuckets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := newMonthIndex()
	var all []*viewBucket
	start := stats.NewDate(2025, 11, 1)
	for range 3000 {
		vb := &viewBucket{Bucket: stats.Bucket{
			Day: start.AddDays(rng.IntN(150)), Agency: []string{"A", "B"}[rng.IntN(2)], Field: []string{"land", "health"}[rng.IntN(2)],
			Counts: map[string]int64{"n": int64(1 + rng.IntN(5)), "sat": int64(rng.IntN(2))},
		}}
		all = append(all, vb)
		m.addBucket(vb)
		if rng.IntN(3) == 0 { // later increments of an existing bucket
			inc := map[string]int64{"n": 2}
			vb.Add(inc)
			m.add(&vb.Bucket, inc)
		}
	}
	for _, p := range []stats.Period{
		{From: stats.NewDate(2025, 11, 1), To: stats.NewDate(2026, 3, 31)},
		{From: stats.NewDate(2025, 11, 15), To: stats.NewDate(2026, 2, 3)},
		{From: stats.NewDate(2026, 1, 1), To: stats.NewDate(2026, 1, 31)},
		{From: stats.NewDate(2026, 2, 28), To: stats.NewDate(2026, 2, 28)},
	} {
		want := map[string]int64{}
		for _, vb := range all {
			if p.Contains(vb.Day) {
				want[vb.Field] += vb.Counts["n"]
			}
		}
		got := map[string]int64{}
		m.each(p, func(b *stats.Bucket) {
			if !p.Contains(b.Day) {
				t.Fatalf("%v: bucket dated %v outside the period", p, b.Day)
			}
			got[b.Field] += b.Counts["n"]
		})
		if got["land"] != want["land"] || got["health"] != want["health"] {
			t.Fatalf("%v: month index %v, day buckets %v", p, got, want)
		}
	}
}
