package rollup

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/hailong/hailong/internal/stats"
)

// TestMonthIndexEqualsDayBuckets checks that month sums built from batches' MonthIncs give the
// same totals as adding up the day buckets, for periods that start and end mid-month.
func TestMonthIndexEqualsDayBuckets(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := newMonthIndex()
	days := stats.Buckets{}
	start := stats.NewDate(2025, 11, 1)
	for id := range int64(300) {
		b := &Batch{ID: id + 1}
		for range 10 {
			bk := stats.Bucket{Day: start.AddDays(rng.IntN(150)), Agency: []string{"A", "B"}[rng.IntN(2)], Field: []string{"land", "health"}[rng.IntN(2)]}
			inc := map[string]int64{"n": int64(1 + rng.IntN(5)), "sat": int64(rng.IntN(2))}
			days.Add(bk, inc)
			b.Incs = append(b.Incs, BucketInc{Key: bk.Key(), Dims: Dims(bk), Inc: inc})
		}
		for _, mi := range MonthIncs(b) {
			mb, err := bucketOf(mi.Dims)
			if err != nil {
				t.Fatal(err)
			}
			m.add(m.sum(&mb), mi.Inc)
		}
	}
	for _, b := range days {
		m.addDay(&viewBucket{Bucket: *b})
	}
	for _, p := range []stats.Period{
		{From: stats.NewDate(2025, 11, 1), To: stats.NewDate(2026, 3, 31)},
		{From: stats.NewDate(2025, 11, 15), To: stats.NewDate(2026, 2, 3)},
		{From: stats.NewDate(2026, 1, 1), To: stats.NewDate(2026, 1, 31)},
		{From: stats.NewDate(2026, 2, 28), To: stats.NewDate(2026, 2, 28)},
	} {
		want := map[string]int64{}
		for _, b := range days {
			if p.Contains(b.Day) {
				want[b.Field] += b.Counts["n"]
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
	// MonthSums of the day buckets agrees with the sums the batches built.
	for key, s := range MonthSums(days) {
		if got := m.sums[monthOf(s.Day)][dimsKey(s)]; got == nil || got.Counts["n"] != s.Counts["n"] {
			t.Fatalf("month %s: MonthSums %v, from batches %v", key, s.Counts, got)
		}
	}
}

func TestWholeMonths(t *testing.T) {
	for _, tc := range []struct {
		from, to stats.Date
		want     bool
	}{
		{stats.NewDate(2025, 1, 1), stats.NewDate(2025, 12, 31), true},
		{stats.NewDate(2025, 2, 1), stats.NewDate(2025, 2, 28), true},
		{stats.NewDate(2025, 2, 1), stats.NewDate(2025, 2, 27), false},
		{stats.NewDate(2025, 1, 2), stats.NewDate(2025, 12, 31), false},
	} {
		if got := wholeMonths(stats.Period{From: tc.from, To: tc.to}); got != tc.want {
			t.Errorf("wholeMonths(%v..%v) = %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

// A worker waiting for the lease to build the month sums says nothing of it, and looks again
// soon; a store failure on the way is still a failure.
func TestOnlyPendingIsNoFailure(t *testing.T) {
	if !onlyPending(errors.Join(nil, ErrMonthsPending)) || !onlyPending(ErrMonthsPending) {
		t.Error("waiting for the lease counted as a failure")
	}
	if onlyPending(errors.Join(errors.New("mongodb: claim lease: timeout"), ErrMonthsPending)) || onlyPending(nil) {
		t.Error("a store failure while waiting for the lease was not reported")
	}
}
