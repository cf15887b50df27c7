package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

// storedMonths reads the stored month sums by key.
func (f *fixture) storedMonths() map[string]map[string]int64 {
	f.t.Helper()
	out := map[string]map[string]int64{}
	err := f.rollups.EachMonthCount(context.Background(), func(key string, _ int64, counts map[string]int64) { out[key] = counts })
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// monthsMatchDays asserts the stored month sums equal the stored day buckets summed by month,
// counter by counter, and returns how many month sums there are.
func (f *fixture) monthsMatchDays() int {
	f.t.Helper()
	days := f.exact() // also runs verify, which compares the two
	want := map[string]map[string]int64{}
	for key, counts := range days {
		mk := rollup.MonthKey(key)
		if want[mk] == nil {
			want[mk] = map[string]int64{}
		}
		for c, n := range counts {
			want[mk][c] += n
		}
	}
	got := f.storedMonths()
	for mk, counts := range want {
		for c, n := range counts {
			if got[mk][c] != n {
				f.t.Fatalf("month sum %s counter %s = %d, day buckets add up to %d", mk, c, got[mk][c], n)
			}
		}
	}
	if len(got) != len(want) {
		f.t.Fatalf("%d month sums stored, day buckets fall in %d", len(got), len(want))
	}
	return len(got)
}

// submitOn submits a response rated overall on ticket tk as of at.
func (f *fixture) submitOn(tk *survey.Ticket, overall int, at time.Time) {
	f.t.Helper()
	r := response(tk, overall)
	r.SubmittedAt = at
	if err := f.responses.SubmitResponse(context.Background(), r); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
}

// Month sums follow every batch, across months, including a batch that crashed half applied
// and was completed after a restart.
func TestMonthSumsFollowBatchesAndACrash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 12 {
		f.submitOn(f.ticket(i, []string{"land", "health", "justice"}[i%3]), 1+i%5, day.AddDate(0, -i%3, -i))
	}
	if n := f.monthsMatchDays(); n < 3 {
		t.Fatalf("%d month sums, want one per month and field at least (3)", n)
	}
	for i := range 8 {
		f.submitOn(f.ticket(100+i, []string{"land", "health"}[i%2]), 4, day.AddDate(0, -i%2, 0))
	}
	crashing := rollup.NewWorker(partialApply{RollupStore: f.rollups, n: 1}, f.cases, testkit.Logger(t))
	for i := 0; i < 50 && f.pending() > 0; i++ { // wait for the writers' confirmations
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := crashing.Step(ctx); err == nil {
		t.Fatal("the crashing step completed its batch")
	}
	f.monthsMatchDays()
	if got := total(f.storedMonths(), stats.CounterAnswered); got != 20 {
		t.Fatalf("month sums count %d answered, want 20", got)
	}
}

// An install from before month sums (day buckets, a half-applied batch, no month sums) gets
// them built by the worker's first step, exactly; until then no batch is applied.
func TestMonthSumsBuiltForAnInstallWithout(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 6 {
		f.submitOn(f.ticket(i, "land"), 5, day.AddDate(0, -i%2, 0))
	}
	f.exact()
	for i := range 6 {
		f.submitOn(f.ticket(50+i, "health"), 2, day.AddDate(0, -i%2, 0))
	}
	for i := 0; i < 50 && f.pending() > 0; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	crashing := rollup.NewWorker(partialApply{RollupStore: f.rollups, n: 1}, f.cases, testkit.Logger(t))
	if _, err := crashing.Step(ctx); err == nil {
		t.Fatal("the crashing step completed its batch")
	}
	// Forget the month sums, as a store written before them has none.
	if _, err := f.db.DB.Collection("rollup_months").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DB.Collection("settings").DeleteOne(ctx, bson.D{{Key: "_id", Value: "rollup_months"}}); err != nil {
		t.Fatal(err)
	}
	view := rollup.NewView(f.rollups)
	if err := view.Refresh(ctx); err != nil || view.Loaded() {
		t.Fatalf("a view loaded without month sums (%v)", err)
	}
	restarted := rollup.NewWorker(f.rollups, f.cases, testkit.Logger(t))
	if err := restarted.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	f.monthsMatchDays()
	if got := total(f.storedMonths(), stats.CounterAnswered); got != 12 {
		t.Fatalf("month sums count %d answered, want 12", got)
	}
	if err := view.Refresh(ctx); err != nil || !view.Loaded() {
		t.Fatalf("the view did not load the built month sums (%v)", err)
	}
}

// Rebuild rebuilds damaged month sums from the recount, and verify reports the damage first.
func TestRebuildRepairsMonthSums(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 5 {
		f.submit(f.ticket(i, "land"), 4)
	}
	f.monthsMatchDays()
	var key string
	for k := range f.storedMonths() {
		key = k
	}
	_, err := f.db.DB.Collection("rollup_months").UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "c." + stats.CounterRated, Value: 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := f.recount.Verify(ctx)
	if err != nil || len(diffs) != 1 || diffs[0].Key != key || !diffs[0].Month || diffs[0].Rollup-diffs[0].Recounted != 3 {
		t.Fatalf("verify after damaging a month sum: %+v, %v; want that one counter", diffs, err)
	}
	if _, err := f.recount.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	f.monthsMatchDays()
	if got := total(f.storedMonths(), stats.CounterRated); got != 5 {
		t.Fatalf("rated = %d in the month sums after rebuild, want 5", got)
	}
}

// midLoad is a store on which batches complete while a view reads the day buckets: before the
// scan (the buckets read hold them) or after it (they do not).
type midLoad struct {
	*mongodb.RollupStore
	during func()
	after  bool
}

func (s *midLoad) EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error {
	if s.during != nil && !s.after {
		s.during()
	}
	err := s.RollupStore.EachBucket(ctx, fn)
	if s.during != nil && s.after {
		s.during()
	}
	return err
}

// A view answers whole months from the month sums before its day buckets are in, waits for
// them for other periods, and ends up with exactly the stored counts when batches complete
// while the day buckets load, whether the buckets it read hold those batches or not.
func TestViewLoadsMonthsFirstThenDays(t *testing.T) {
	for _, after := range []bool{false, true} {
		t.Run(fmt.Sprint("batch after the scan: ", after), func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			for i := range 4 {
				f.submit(f.ticket(i, "land"), 5)
			}
			f.exact()
			store := &midLoad{RollupStore: f.rollups, after: after}
			view := rollup.NewView(store)
			if err := view.Refresh(ctx); err != nil || !view.Loaded() {
				t.Fatalf("months not loaded: %v", err)
			}
			month := stats.Period{From: stats.DateOf(day).FirstOfMonth(), To: stats.DateOf(day)}
			oneDay := stats.Period{From: stats.DateOf(day), To: stats.DateOf(day)}
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if err := view.Wait(short, oneDay); err == nil {
				t.Fatal("a single day was answerable before the day buckets loaded")
			}
			if err := view.Wait(ctx, month); err != nil {
				t.Fatalf("a whole month was not answerable from the month sums: %v", err)
			}
			sum := func(p stats.Period) (n int64) {
				view.Buckets(p, func(b *stats.Bucket) { n += b.Count(stats.CounterSatisfied) })
				return n
			}
			if n := sum(month); n != 4 {
				t.Fatalf("month from its sums: %d satisfied, want 4", n)
			}
			store.during = func() {
				for i := range 3 {
					f.submit(f.ticket(10+i, "health"), 4)
				}
				f.exact()
				if err := view.Refresh(ctx); err != nil {
					t.Error(err)
				}
			}
			if err := view.LoadDays(ctx); err != nil {
				t.Fatal(err)
			}
			if n := sum(oneDay); n != 7 {
				t.Fatalf("day after loading: %d satisfied, want 7", n)
			}
			if n := sum(month); n != 7 {
				t.Fatalf("month after loading: %d satisfied, want 7", n)
			}
			stored, _ := f.recount.Stored(ctx)
			if view.Len() != len(stored) {
				t.Fatalf("view holds %d day buckets, store %d", view.Len(), len(stored))
			}
		})
	}
}

// The view tells the first month the rollups count anything in, which the retention job reads
// to skip its date-filtered scans while nothing is that old.
func TestViewSinceIsTheEarliestMonthCounted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	view := rollup.NewView(f.rollups)
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if d, ok := view.Since(); ok {
		t.Fatalf("an empty store counts from %s", d)
	}
	f.submitOn(f.ticket(1, "land"), 5, day)
	f.submitOn(f.ticket(2, "land"), 4, day.AddDate(0, -2, 0))
	f.exact()
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	want := stats.DateOf(day.AddDate(0, -2, 0)).FirstOfMonth()
	if d, ok := view.Since(); !ok || d != want {
		t.Fatalf("since %s (%v), want %s", d, ok, want)
	}
}

// leaseWindow is the rollup lease's window (rollup.leaseWindow).
const leaseWindow = 15 * time.Second

// earlyInALeaseWindow waits, if need be, for the next lease window, so that at least 4 s of
// the current one are left: a lease taken in its last 2 s is not held.
func earlyInALeaseWindow() {
	if into := time.Since(time.Now().Truncate(leaseWindow)); into > leaseWindow-4*time.Second {
		time.Sleep(leaseWindow - into)
	}
}

// slowMonths is a store whose month-sum write outlasts the lease window it started in.
type slowMonths struct{ *mongodb.RollupStore }

func (s slowMonths) BuildMonths(ctx context.Context, _ int64, _ stats.Buckets) error {
	<-ctx.Done()
	return fmt.Errorf("mongodb: record month sums built: %w", ctx.Err())
}

// A month-sum build the lease window's end cuts short is pending, to be done again in a later
// window, not a failure: a server started in the last moments of a window failed to load its
// figures.
func TestMonthSumsBuildCutShortByTheLeaseWindowIsPending(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.submitOn(f.ticket(1, "land"), 5, day)
	f.exact()
	if _, err := f.db.DB.Collection("settings").DeleteOne(ctx, bson.D{{Key: "_id", Value: "rollup_months"}}); err != nil {
		t.Fatal(err)
	}
	// Start with at least 2 s of a lease window's 13 left, so the write begins and the window
	// ends under it.
	earlyInALeaseWindow()
	// The window's lease is free for the new worker (the fixture's worker claimed it).
	if _, err := f.db.DB.Collection("rollup_leases").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	w := rollup.NewWorker(slowMonths{f.rollups}, f.cases, testkit.Logger(t))
	if err := w.EnsureMonths(ctx); !errors.Is(err, rollup.ErrMonthsPending) {
		t.Fatalf("a build cut short by the end of the lease window: %v, want it pending", err)
	}
	if err := rollup.NewWorker(f.rollups, f.cases, testkit.Logger(t)).Drain(ctx); err != nil {
		t.Fatal(err)
	}
	f.monthsMatchDays()
}

// scanUntilLeaseLost is a store whose first read of every day bucket lasts until the lease
// window ends and a rival instance has claimed the next one, and which counts the reads.
type scanUntilLeaseLost struct {
	*mongodb.RollupStore
	scans int
}

func (s *scanUntilLeaseLost) EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error {
	s.scans++
	if s.scans == 1 {
		next := time.Now().Truncate(leaseWindow).Add(leaseWindow)
		if claimed, err := s.ClaimLease(ctx, next, "rival"); err != nil || !claimed {
			return fmt.Errorf("the rival could not claim the next window: %v", err)
		}
		time.Sleep(time.Until(next) + 100*time.Millisecond)
	}
	return s.RollupStore.EachBucket(ctx, fn)
}

// An instance that read every day bucket and then lost the lease to another keeps the sums it
// read: at a million responses the read takes minutes, and two instances taking turns at it
// never finished.
func TestMonthSumsReadBeforeLosingTheLeaseAreKept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 3 {
		f.submitOn(f.ticket(i, "land"), 5-i, day.AddDate(0, -i, 0))
	}
	f.exact()
	if _, err := f.db.DB.Collection("settings").DeleteOne(ctx, bson.D{{Key: "_id", Value: "rollup_months"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DB.Collection("rollup_leases").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	store := &scanUntilLeaseLost{RollupStore: f.rollups}
	w := rollup.NewWorker(store, f.cases, testkit.Logger(t))
	earlyInALeaseWindow()
	if err := w.EnsureMonths(ctx); !errors.Is(err, rollup.ErrMonthsPending) {
		t.Fatalf("with the lease lost during the read: %v, want the build pending", err)
	}
	// The rival's window ends early: the lease is free again.
	if _, err := f.db.DB.Collection("rollup_leases").DeleteMany(ctx, bson.D{}); err != nil {
		t.Fatal(err)
	}
	if err := w.EnsureMonths(ctx); err != nil {
		t.Fatal(err)
	}
	if store.scans != 1 {
		t.Fatalf("the day buckets were read %d times, want once", store.scans)
	}
	if n := f.monthsMatchDays(); n != 3 {
		t.Fatalf("%d month sums, want 3", n)
	}
}
