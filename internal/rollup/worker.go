// Package rollup keeps the satisfaction figures current from the journal: one instance at a time,
// under a lease, folds journal entries into numbered batches applied to the stored buckets, and
// every instance's View follows those batches in memory for the stats. Storage sits behind the
// interfaces declared here (Store, ViewStore, RecountStore); the batch and event types carry
// their stored layout (bson tags) so a store writes them as they are.
package rollup

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Store is what the worker reads and writes: the lease windows, the journal, the numbered
// batches, the buckets and comment days they update, and the record of the last completed batch.
type Store interface {
	// ClaimLease records owner as the holder of the lease window that starts at start; false
	// when another instance claimed it first.
	ClaimLease(ctx context.Context, start time.Time, owner string) (bool, error)
	// DropLease forgets the lease window that starts at start, if it is still recorded.
	DropLease(ctx context.Context, start time.Time)
	// Done returns the number of the last completed batch, 0 before the first.
	Done(ctx context.Context) (int64, error)
	// SetDone records batch id as completed, never lowering the record.
	SetDone(ctx context.Context, id int64) error
	// Batch reads batch id; nil when it was not created yet or is no longer kept.
	Batch(ctx context.Context, id int64) (*Batch, error)
	// CreateBatch stores b; false when another instance stored a batch of that number first.
	CreateBatch(ctx context.Context, b *Batch) (bool, error)
	// DropBatch forgets completed batch id, if it is still kept.
	DropBatch(ctx context.Context, id int64)
	// Journal reads up to limit journal entries.
	Journal(ctx context.Context, limit int) ([]JournalEntry, error)
	// HasJournal reports whether any journal entry is waiting.
	HasJournal(ctx context.Context) (bool, error)
	// JournalLen counts the journal entries.
	JournalLen(ctx context.Context) (int64, error)
	// Confirmation returns which events of entry id took effect, found only when its
	// confirmation was stored on its own.
	Confirmation(ctx context.Context, id bson.ObjectID) (ok []int, found bool, err error)
	// EventStored reports whether ev's document is stored, with ev's nonce.
	EventStored(ctx context.Context, ev Event) (bool, error)
	// Apply adds batch b to its buckets and comment days; unless fresh (created by this step),
	// it leaves out those that already hold b.
	Apply(ctx context.Context, b *Batch, fresh bool) error
	// MonthsBuilt reports whether the month sums are stored.
	MonthsBuilt(ctx context.Context) (bool, error)
	// EachBucket calls fn for every stored day bucket, with the last batch applied to it.
	EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error
	// BuildMonths replaces every stored month sum with sums, each marked as holding batch seq,
	// then records the month sums as built.
	BuildMonths(ctx context.Context, seq int64, sums stats.Buckets) error
	// Consume deletes the journal entries and the confirmations a completed batch consumed;
	// backlog says the journal is long (the last read filled a page).
	Consume(ctx context.Context, entries, confirmations []bson.ObjectID, backlog bool) error
}

// The rollup lease is granted by time windows: whoever first claims the window owns it. The
// owner stops issuing writes leaseMargin before the window ends, so owners of consecutive
// windows never overlap (given clocks in sync to well under leaseMargin).
const (
	leaseWindow = 15 * time.Second
	leaseMargin = 2 * time.Second
	// minMonthsBuild is the least lease time left to start writing the month sums in; with
	// less, the build waits for the next window. (A server started in the last moments of a
	// window failed to load its figures when the window ended mid-write.)
	minMonthsBuild = time.Second
)

// CaseOpener opens the follow-up cases a batch's responses call for; opening a case twice
// leaves one case.
type CaseOpener interface {
	OpenCases(ctx context.Context, seeds []cases.Seed) error
}

// ResponsesCol is the collection whose journal events are responses.
const ResponsesCol = "responses"

// Announcer is told of the responses each batch counts, while it wants them (a webhook asks
// for response.created); telling twice of one response is harmless.
type Announcer interface {
	Wanted(ctx context.Context) (bool, error)
	ResponsesCreated(ctx context.Context, ids []string) error
}

// Worker turns journal entries into rollup updates and opens the cases they call for.
type Worker struct {
	// Created, when set, is told of the responses of each batch before it is marked done.
	Created    Announcer
	store      Store
	cases      CaseOpener
	log        *slog.Logger
	StaleAfter time.Duration // a pending entry older than this is checked against the store
	Keep       int64         // completed batches kept for readers that follow them
	owner      string
	mu         sync.Mutex
	ownedUntil time.Time
	backlog    atomic.Bool // the last batch read a full journal page: more is waiting
	months     atomic.Bool // the month sums are known to be stored
	read       *monthSums  // month sums summed from the day buckets, not yet stored (under mu)
}

// monthSums are month sums summed from the day buckets as of a completed batch.
type monthSums struct {
	done int64
	sums stats.Buckets
}

// NewWorker returns a worker on store; cases, when not nil, opens the follow-up cases.
func NewWorker(store Store, cases CaseOpener, log *slog.Logger) *Worker {
	return &Worker{store: store, cases: cases, log: log, StaleAfter: time.Minute, Keep: 2000, owner: bson.NewObjectID().Hex()}
}

// lease reports whether this worker owns the current lease window, claiming it if free.
func (w *Worker) lease(ctx context.Context) (bool, error) {
	now := time.Now()
	start := now.Truncate(leaseWindow)
	w.mu.Lock()
	owned := w.ownedUntil.Equal(start.Add(leaseWindow))
	w.mu.Unlock()
	if owned {
		return now.Before(w.leaseEnd()), nil
	}
	claimed, err := w.store.ClaimLease(ctx, start, w.owner)
	if err != nil || !claimed {
		return false, err
	}
	w.mu.Lock()
	w.ownedUntil = start.Add(leaseWindow)
	w.mu.Unlock()
	w.store.DropLease(ctx, start.Add(-100*leaseWindow))
	return now.Before(w.leaseEnd()), nil
}

// leaseEnd is when this worker must stop writing in its window.
func (w *Worker) leaseEnd() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ownedUntil.Add(-leaseMargin)
}

// monthsRetry is how soon Run looks again while the month sums wait for the lease: a server
// started near the end of a lease window would otherwise roll up its first responses a whole
// interval after the next window opened.
const monthsRetry = 500 * time.Millisecond

// Run rolls up every interval until ctx ends, whenever this instance holds the lease.
func (w *Worker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		next := t.C
		err := w.stepIfWork(ctx)
		if errors.Is(err, ErrMonthsPending) {
			next = time.After(monthsRetry)
			if onlyPending(err) {
				err = nil // nothing went wrong: the lease was out of reach
			}
		}
		if err != nil && ctx.Err() == nil {
			w.log.Warn("rollup step failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-next:
		}
	}
}

// Drain rolls up everything that can be rolled up now, waiting for the lease while another
// instance holds it.
func (w *Worker) Drain(ctx context.Context) error {
	deadline := time.Now().Add(3 * leaseWindow)
	failures := 0
	for {
		months := w.EnsureMonths(ctx)
		if months != nil && !errors.Is(months, ErrMonthsPending) {
			return months
		}
		owned, err := w.lease(ctx)
		if err != nil {
			return err
		}
		if owned && months == nil {
			finished, err := w.stepWhileLeased(ctx, true)
			if err != nil && ctx.Err() == nil && failures < 3 {
				failures++ // a slow store: try again, the steps are idempotent
				continue
			}
			if err != nil || finished {
				return err
			}
			continue // the window closed mid-way: carry on in the next one
		}
		if time.Now().After(deadline) {
			return errors.New("rollup: another instance keeps the rollup lease; retry later")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stepIfWork takes the lease only when there is something to roll up, so an idle instance
// leaves the lease to others (such as `hailong rollup verify`).
func (w *Worker) stepIfWork(ctx context.Context) error {
	if err := w.EnsureMonths(ctx); err != nil {
		return err
	}
	work, err := w.hasWork(ctx)
	if err != nil || !work {
		return err
	}
	owned, err := w.lease(ctx)
	if err != nil || !owned {
		return err
	}
	_, err = w.stepWhileLeased(ctx, false)
	return err
}

func (w *Worker) hasWork(ctx context.Context) (bool, error) {
	done, err := w.store.Done(ctx)
	if err != nil {
		return false, err
	}
	if b, err := w.store.Batch(ctx, done+1); err != nil || b != nil {
		return b != nil, err
	}
	return w.store.HasJournal(ctx)
}

// stepWhileLeased steps until nothing is left (finished) or this instance's lease window
// closes; a step cut short by the window's end is resumed by the next holder.
// With all, it steps until nothing is left even without a backlog (Drain).
func (w *Worker) stepWhileLeased(ctx context.Context, all bool) (finished bool, err error) {
	end := w.leaseEnd()
	lctx, cancel := context.WithDeadline(ctx, end)
	defer cancel()
	for {
		progressed, err := w.Step(lctx)
		// A read cut by the window's end may fail a moment before lctx reports it.
		if err != nil && ctx.Err() == nil && (lctx.Err() != nil || !time.Now().Add(100*time.Millisecond).Before(end)) {
			return false, nil
		}
		if err != nil || !progressed {
			return err == nil, err
		}
		if !w.backlog.Load() && !all {
			// Under a steady load, one batch per tick keeps batches large and leaves the
			// store's single writer to the submissions; a backlog is caught up at once.
			return true, nil
		}
	}
}

// Step completes the next batch, creating it from the journal if needed, and reports whether
// it did anything. Only the lease holder may call it: the embedded store does not apply two
// updates of one document atomically, so two instances must never update buckets at once.
func (w *Worker) Step(ctx context.Context) (bool, error) {
	if err := w.EnsureMonths(ctx); err != nil {
		return false, err
	}
	done, err := w.store.Done(ctx)
	if err != nil {
		return false, err
	}
	b, err := w.store.Batch(ctx, done+1)
	if err != nil {
		return false, err
	}
	fresh := false // created just now: none of its updates can have been applied yet
	if b == nil {
		if b, err = w.newBatch(ctx, done+1); err != nil || b == nil {
			return false, err
		}
		fresh = true
	}
	return true, w.complete(ctx, b, fresh)
}

// complete applies batch b to the buckets (skipping any it already reached), removes the journal
// entries it consumed, and records it as done. fresh says b was created by this call's Step,
// so no bucket can hold it yet.
func (w *Worker) complete(ctx context.Context, b *Batch, fresh bool) error {
	if err := w.store.Apply(ctx, b, fresh); err != nil {
		return err
	}
	if len(b.Cases) > 0 && w.cases != nil {
		// Before the batch is marked done, so a crash opens them again, never loses them.
		if err := w.cases.OpenCases(ctx, b.Cases); err != nil {
			return err
		}
	}
	if len(b.Responses) > 0 && w.Created != nil {
		if err := w.Created.ResponsesCreated(ctx, b.Responses); err != nil {
			return err
		}
	}
	confirmed := b.Confirmed
	if !b.Carried {
		confirmed = b.Journals
	}
	if err := w.store.Consume(ctx, b.Journals, confirmed, w.backlog.Load()); err != nil {
		return err
	}
	if err := w.store.SetDone(ctx, b.ID); err != nil {
		return err
	}
	if b.ID > w.Keep {
		w.store.DropBatch(ctx, b.ID-w.Keep)
	}
	return nil
}

// Pending counts the journal entries not yet rolled up (for tests and monitoring).
func (w *Worker) Pending(ctx context.Context) (int64, error) {
	return w.store.JournalLen(ctx)
}

// onlyPending says err is ErrMonthsPending and nothing else.
func onlyPending(err error) bool {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !onlyPending(e) {
				return false
			}
		}
		return true
	}
	return err == ErrMonthsPending
}

// ErrMonthsPending says the month sums are not built yet (the rollup lease was out of reach,
// or a batch completed meanwhile) and no batch may be applied until they are: retry.
var ErrMonthsPending = errors.New("rollup: month sums not built yet; will retry")

// EnsureMonths builds the stored month sums when a store from before them has none, and
// reports an error while they are not built: no batch is applied before, so the sums built
// from the day buckets stay exact. The instance holding the lease reads every day bucket (at a
// million responses on the embedded store this takes minutes, longer than a lease window, so
// the read does not hold it); the sums are written under the lease, after checking that no
// batch completed meanwhile. A batch left half applied by a crash is taken out of the buckets
// that hold it, since completing it will add it to the month sums.
func (w *Worker) EnsureMonths(ctx context.Context) error {
	if w.months.Load() {
		return nil
	}
	if built, err := w.store.MonthsBuilt(ctx); err != nil || built {
		w.storeMonthsBuilt(built)
		return err
	}
	if owned, err := w.lease(ctx); err != nil || !owned { // another instance is at it
		return errors.Join(err, ErrMonthsPending)
	}
	done, sums, err := w.readMonthSums(ctx)
	if err != nil {
		return err
	}
	owned, err := w.lease(ctx)
	if err != nil || !owned || time.Until(w.leaseEnd()) < minMonthsBuild {
		return errors.Join(err, ErrMonthsPending)
	}
	lctx, cancel := context.WithDeadline(ctx, w.leaseEnd())
	defer cancel()
	// The lease window ending first is no failure: the build starts again in the next one.
	pending := func(err error) error {
		if ctx.Err() == nil && lctx.Err() != nil {
			return errors.Join(err, ErrMonthsPending)
		}
		return err
	}
	if built, err := w.store.MonthsBuilt(lctx); err != nil || built {
		w.storeMonthsBuilt(built)
		return pending(err)
	}
	if now, err := w.store.Done(lctx); err != nil || now != done {
		return errors.Join(err, ErrMonthsPending)
	}
	if err := w.store.BuildMonths(lctx, done, sums); err != nil {
		return pending(err)
	}
	w.log.Info("rollup month sums built from the day buckets", "months", len(sums), "batch", done)
	w.storeMonthsBuilt(true)
	return nil
}

// storeMonthsBuilt records whether the month sums are stored; once they are, by this instance
// or another, the sums read here are of no more use.
func (w *Worker) storeMonthsBuilt(built bool) {
	w.months.Store(built)
	if built {
		w.mu.Lock()
		w.read = nil
		w.mu.Unlock()
	}
}

// readMonthSums returns the month sums of the day buckets as of the last completed batch. Sums
// read before are kept while that batch is still the last: no batch is applied until the month
// sums are stored, so the buckets have not changed, and an instance that lost the lease to
// another after minutes of reading does not read everything again.
func (w *Worker) readMonthSums(ctx context.Context) (int64, stats.Buckets, error) {
	w.mu.Lock()
	read := w.read
	w.mu.Unlock()
	if read != nil {
		if done, err := w.store.Done(ctx); err != nil || done == read.done {
			return read.done, read.sums, err
		}
	}
	done, sums, err := w.monthSumsAt(ctx)
	if err == nil {
		w.mu.Lock()
		w.read = &monthSums{done: done, sums: sums}
		w.mu.Unlock()
	}
	return done, sums, err
}

// monthSumsAt sums the stored day buckets into month sums as of the last completed batch.
func (w *Worker) monthSumsAt(ctx context.Context) (int64, stats.Buckets, error) {
	done, err := w.store.Done(ctx)
	if err != nil {
		return 0, nil, err
	}
	pending, err := w.store.Batch(ctx, done+1)
	if err != nil {
		return 0, nil, err
	}
	incs := map[string]map[string]int64{}
	if pending != nil {
		for _, bi := range pending.Incs {
			incs[bi.Key] = bi.Inc
		}
	}
	sums := stats.Buckets{}
	err = w.store.EachBucket(ctx, func(key string, seq int64, b stats.Bucket) {
		addMonth(sums, key, &b, b.Counts, 1)
		if inc, ok := incs[key]; ok && seq > done {
			addMonth(sums, key, &b, inc, -1)
		}
	})
	return done, sums, err
}
