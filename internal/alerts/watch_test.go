package alerts_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/alerts"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/testkit"
)

// bucketFigures aggregates buckets the test fills, with the default targets (land 85%).
type bucketFigures struct {
	mu sync.Mutex
	bs stats.Buckets
}

func (f *bucketFigures) add(day stats.Date, agency, field string, rated, satisfied int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bs.Add(stats.Bucket{Day: day, Agency: agency, Counter: "c1", Field: field, Channel: "qr"},
		map[string]int64{stats.CounterAnswered: rated, stats.CounterRated: rated, stats.CounterSatisfied: satisfied})
}

func (f *bucketFigures) Aggregate(_ context.Context, q stats.Query) (stats.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return stats.Aggregate(func(fn func(*stats.Bucket)) {
		for _, b := range f.bs {
			fn(b)
		}
	}, q, stats.Meta{Targets: stats.DefaultTargets()})
}

type eventCount map[string]int

func recorded(t *testing.T, store *mongodb.OutboxStore) (eventCount, []outbox.Event) {
	t.Helper()
	evs, err := store.Unfanned(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := eventCount{}
	for _, ev := range evs {
		n[ev.Type]++
	}
	return n, evs
}

// target.below is raised once per unit or field and period when it goes below its target with
// at least 30 responses, not again while it stays below, and again once it has met the target
// and fallen back; a field with 20 responses raises nothing.
func TestTargetBelowOncePerEpisode(t *testing.T) {
	db := testkit.Store(t)
	store := mongodb.NewOutboxStore(db)
	box := outbox.New(store, nil, nil, testkit.Logger(t), time.Now)
	figures := &bucketFigures{bs: stats.Buckets{}}
	tz := stats.TimeZone()
	clock := time.Date(2026, 11, 20, 10, 0, 0, 0, tz)
	now := func() time.Time { return clock }
	w := alerts.NewWatch(box, figures, mongodb.NewAlertStateStore(db), mongodb.NewLeaseStore(db), nil, now)
	step := func() int {
		t.Helper()
		clock = clock.Add(time.Minute) // a new lease window each time
		n, err := w.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	day := stats.NewDate(2026, 11, 10)
	figures.add(day, "H48", "land", 40, 30)        // 30/40 = 75% < 85%: below, month and quarter
	figures.add(day, "X01", "civil-status", 20, 5) // 20 responses: too few to judge
	if n := step(); n != 4 {
		t.Fatalf("raised %d; want 4: agency H48 and field land, each for November and Q4", n)
	}
	if n := step(); n != 0 {
		t.Fatalf("raised %d again while still below; want 0", n)
	}
	figures.add(day, "H48", "land", 200, 200) // 230/240 = 95.8%: meets again
	if n := step(); n != 0 {
		t.Fatalf("raised %d on recovery", n)
	}
	figures.add(day, "H48", "land", 100, 0) // 230/340 = 67.6%: below again
	if n := step(); n != 4 {
		t.Fatalf("raised %d after falling back; want 4", n)
	}
	counts, evs := recorded(t, store)
	if counts[outbox.TargetBelow] != 8 || len(evs) != 8 {
		t.Fatalf("recorded %v; want 8 target.below events in two episodes", counts)
	}
	var found bool
	for _, ev := range evs {
		d := ev.Fields()
		if d["kind"] == "agency" && d["key"] == "H48" && d["period"] == "2026-11" && d["episode"] == float64(2) {
			found = d["responses"] == float64(340) && d["period_label"] == "tháng 11/2026" && ev.Agency == "H48"
		}
		if d["key"] == "X01" || d["key"] == "civil-status" {
			t.Fatalf("a group of 20 responses raised %v", d)
		}
	}
	if !found {
		t.Fatal("no second-episode event for H48 in November with its 340 responses")
	}
}

// The daily digest is written at 07:30 for the day before, and on Monday the weekly summary
// for the week before, each once however often the watch runs.
func TestDigestsAtHalfPastSeven(t *testing.T) {
	db := testkit.Store(t)
	store := mongodb.NewOutboxStore(db)
	box := outbox.New(store, nil, nil, testkit.Logger(t), time.Now)
	figures := &bucketFigures{bs: stats.Buckets{}}
	figures.add(stats.NewDate(2026, 11, 22), "H48", "land", 10, 9) // Sunday
	figures.add(stats.NewDate(2026, 11, 17), "H48", "land", 5, 1)  // Tuesday of the same week
	tz := stats.TimeZone()
	clock := time.Date(2026, 11, 23, 7, 29, 0, 0, tz) // Monday
	digests := &alerts.Digests{Outbox: box, Figures: figures, Cases: mongodb.NewCaseStore(db)}
	w := alerts.NewWatch(box, figures, mongodb.NewAlertStateStore(db), mongodb.NewLeaseStore(db), digests, func() time.Time { return clock })
	if _, err := w.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if counts, _ := recorded(t, store); len(counts) != 0 {
		t.Fatalf("at 07:29: %v; want nothing yet", counts)
	}
	for _, at := range []time.Duration{2 * time.Minute, 3 * time.Minute, time.Hour} {
		clock = time.Date(2026, 11, 23, 7, 29, 0, 0, tz).Add(at)
		if _, err := w.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	counts, evs := recorded(t, store)
	if counts[outbox.DigestDaily] != 1 || counts[outbox.DigestWeekly] != 1 {
		t.Fatalf("recorded %v; want one daily digest and one weekly summary", counts)
	}
	for _, ev := range evs {
		all, _ := ev.Fields()["all"].(map[string]any)
		switch ev.Type {
		case outbox.DigestDaily: // Sunday 22/11 only
			if all["responses"] != float64(10) || all["satisfied"] != float64(9) || ev.Fields()["period_label"] != "22/11/2026" {
				t.Errorf("daily digest %s", ev.Data)
			}
		case outbox.DigestWeekly: // Monday 16/11 to Sunday 22/11: 10 + 5 responses
			if all["responses"] != float64(15) || all["satisfied"] != float64(10) {
				t.Errorf("weekly summary %s", ev.Data)
			}
		}
	}
}
