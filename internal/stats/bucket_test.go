package stats_test

import (
	"testing"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Buckets sum what lands in one bucket, whether added one response at a time or merged from
// another set (as the bench and the demo loader do before writing precomputed rollups).
func TestBucketsAddAndMerge(t *testing.T) {
	day := stats.Date{Year: 2026, Month: 11, Day: 26}
	land := stats.Bucket{Day: day, Agency: "so-tn-mt", Field: "dat-dai", Channel: "qr"}
	build := stats.Bucket{Day: day, Agency: "so-xd", Field: "xay-dung", Channel: "kiosk"}

	a := stats.Buckets{}
	a.Add(land, map[string]int64{"answered": 1, "r5": 1})
	a.Add(land, map[string]int64{"answered": 1, "r2": 1})
	b := stats.Buckets{}
	b.Add(land, map[string]int64{"answered": 1, "r5": 1})
	b.Add(build, map[string]int64{"answered": 1, "r4": 1})
	a.Merge(b)

	if len(a) != 2 {
		t.Fatalf("%d buckets, want 2", len(a))
	}
	got := a[land.Key()].Counts
	if got["answered"] != 3 || got["r5"] != 2 || got["r2"] != 1 {
		t.Errorf("land bucket counts %v, want answered 3, r5 2, r2 1", got)
	}
	if got := a[build.Key()].Counts; got["answered"] != 1 || got["r4"] != 1 {
		t.Errorf("construction bucket counts %v, want answered 1, r4 1", got)
	}
	a.Add(build, map[string]int64{"answered": 1})
	if got := b[build.Key()].Counts; got["answered"] != 1 {
		t.Errorf("adding to the merged-into set changed the merged one: %v", got)
	}
}

func TestTicketCountsCountHandIssuedTicketsApart(t *testing.T) {
	for _, c := range []struct {
		by   survey.IssueMethod
		hand int64
	}{{survey.IssuedByAPI, 0}, {survey.IssuedByBatch, 0}, {"", 0}, {survey.IssuedByCounter, 1}} {
		got := stats.TicketCounts(&survey.Ticket{IssuedBy: c.by})
		if got[stats.CounterIssued] != 1 || got[stats.CounterHand] != c.hand {
			t.Errorf("ticket issued by %q counts %v, want issued 1 and hand %d", c.by, got, c.hand)
		}
	}
}
