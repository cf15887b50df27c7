package stats

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// A query over buckets carrying packed counts (as the in-memory rollups keep them: month sums
// with both forms, day buckets packed alone) answers exactly as over plain count maps, for
// every grouping: with counts that show every group, and with few responses spread over many
// officers, so that groups are hidden for standing for one officer, and over buckets numbered
// by two numberings (as after the rollups are reloaded).
func TestPackedBucketsAggregateLikeMaps(t *testing.T) {
	for _, tc := range []struct {
		name               string
		officers, maxCount int
		numberings         int
	}{
		{"every group shown", 4, 20, 1},
		{"officers hidden, two numberings", 12, 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			numberings := make([]*CounterNames, tc.numberings)
			for i := range numberings {
				numberings[i] = NewCounterNames()
			}
			var plain, packed []*Bucket
			for i := range 400 {
				b := &Bucket{Day: NewDate(2025, time.Month(1+rng.IntN(12)), 1+rng.IntN(28)), Agency: fmt.Sprint("A", rng.IntN(3)),
					Counter: fmt.Sprint("Q", rng.IntN(2)), Field: []string{"land", "health", "justice"}[rng.IntN(3)],
					Channel: []string{"qr", "kiosk", ""}[rng.IntN(3)], Officer: fmt.Sprint("o", rng.IntN(tc.officers)), Counts: map[string]int64{}}
				for _, c := range []string{CounterRated, CounterSatisfied, CounterAnswered, CounterIssued, "r1", "r5", "cn_staff", "cs_staff", ProcedureCounter("1.2.3", "n")} {
					if rng.IntN(4) > 0 {
						b.Counts[c] = int64(rng.IntN(tc.maxCount))
					}
				}
				plain = append(plain, b)
				p := *b
				p.Packed = Pack(numberings[i%len(numberings)], b.Counts)
				if i%3 != 0 {
					p.Counts = nil // a day bucket
				}
				packed = append(packed, &p)
			}
			p := Period{From: NewDate(2025, 1, 1), To: NewDate(2025, 12, 31)}
			hidden := 0
			for _, by := range Groupings {
				q := Query{Period: p, GroupBy: by, MinOfficerResponses: 10}
				answer := func(bs []*Bucket) string {
					res, err := Aggregate(func(fn func(*Bucket)) {
						for _, b := range bs {
							fn(b)
						}
					}, q, Meta{Targets: DefaultTargets()})
					if err != nil {
						t.Fatal(err)
					}
					for _, g := range res.Groups {
						if g.Hidden {
							hidden++
						}
					}
					raw, _ := json.Marshal(res)
					return string(raw)
				}
				if a, b := answer(plain), answer(packed); a != b {
					t.Errorf("group_by=%s: packed buckets answer\n%s\nplain ones\n%s", by, b, a)
				}
			}
			if tc.officers > 4 && hidden == 0 {
				t.Error("no group was hidden: the case does not reach the officer rules")
			}
		})
	}
}

func TestDateCompareMatchesTimes(t *testing.T) {
	days := []Date{NewDate(2024, 2, 29), NewDate(2025, 1, 31), NewDate(2025, 2, 1), NewDate(2025, 12, 31), NewDate(2026, 1, 1), {Year: 2025, Month: 2, Day: 30}}
	for _, a := range days {
		for _, b := range days {
			if got, want := a.Compare(b), a.utc().Compare(b.utc()); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, want)
			}
		}
	}
	if got := monthKey(NewDate(2025, 3, 14)); got != "2025-03" {
		t.Errorf("monthKey = %q", got)
	}
}
