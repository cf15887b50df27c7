package rollup

import (
	"context"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// RecountStore is what a recount reads and a rebuild writes: every stored ticket, response,
// bucket and journal entry, and the buckets replaced whole.
type RecountStore interface {
	// EachTicket calls fn for every stored ticket.
	EachTicket(ctx context.Context, fn func(*survey.Ticket)) error
	// EachResponse calls fn for every stored response.
	EachResponse(ctx context.Context, fn func(*survey.Response)) error
	// EachCount calls fn for every stored bucket's counts, with the last batch applied to it.
	EachCount(ctx context.Context, fn func(key string, seq int64, counts map[string]int64)) error
	// EachMonthCount calls fn for every stored month sum's counts, with the last batch applied to it.
	EachMonthCount(ctx context.Context, fn func(key string, seq int64, counts map[string]int64)) error
	// EachJournalEntry calls fn for every journal entry.
	EachJournalEntry(ctx context.Context, fn func(*JournalEntry)) error
	// ReplaceBuckets replaces every stored bucket with buckets, each marked as holding batch seq.
	ReplaceBuckets(ctx context.Context, seq int64, buckets stats.Buckets) error
}

// Recounter checks the rollups against a full recount of the stored tickets and responses, and
// rebuilds them from one. It reads every document, so it is for verification and repair, never
// for queries.
type Recounter struct {
	w     *Worker
	store RecountStore
}

// NewRecounter returns a recounter that rolls up through w before it compares or rebuilds.
func NewRecounter(w *Worker, store RecountStore) *Recounter {
	return &Recounter{w: w, store: store}
}

// recount computes every bucket from the stored tickets and responses.
func (r *Recounter) recount(ctx context.Context) (stats.Buckets, error) {
	buckets := stats.Buckets{}
	err := r.store.EachTicket(ctx, func(t *survey.Ticket) { buckets.Add(stats.TicketBucket(t), stats.TicketCounts(t)) })
	if err != nil {
		return nil, err
	}
	err = r.store.EachResponse(ctx, func(resp *survey.Response) { buckets.Add(stats.ResponseBucket(resp), stats.ResponseCounts(resp)) })
	return buckets, err
}

// Stored reads the counts of every stored bucket.
func (r *Recounter) Stored(ctx context.Context) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	err := r.store.EachCount(ctx, func(key string, _ int64, counts map[string]int64) { out[key] = counts })
	return out, err
}

// Difference is a bucket counter whose rollup differs from the recount, or (Month) a month
// sum's counter that differs from its stored day buckets added up (Recounted).
type Difference struct {
	Key, Counter      string
	Rollup, Recounted int64
	Month             bool
}

// Verify rolls up what it can, then compares the rollups plus what is still on its way into
// them (journal entries, an unfinished batch) with a full recount, and the stored month sums
// with the day buckets they sum. A server writing at the same time can make one comparison
// differ, so a difference is checked again a few times.
func (r *Recounter) Verify(ctx context.Context) ([]Difference, error) {
	if owned, err := r.w.lease(ctx); err == nil && owned {
		if _, err := r.w.stepWhileLeased(ctx, true); err != nil {
			return nil, err
		}
	}
	var diffs []Difference
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Second)
		}
		expected, months, err := r.expected(ctx)
		if err != nil {
			return nil, err
		}
		recount, err := r.recount(ctx)
		if err != nil {
			return nil, err
		}
		diffs = compare(expected, countsOf(recount))
		if diffs = append(diffs, months...); len(diffs) == 0 {
			return nil, nil
		}
	}
	return diffs, nil
}

// expected is the stored rollups plus what pending work will add to them; months are the
// differences between the stored month sums and the day buckets, both with the unfinished
// batch added where it is not yet.
func (r *Recounter) expected(ctx context.Context) (map[string]map[string]int64, []Difference, error) {
	seqs := map[string]int64{}
	out := map[string]map[string]int64{}
	err := r.store.EachCount(ctx, func(key string, seq int64, counts map[string]int64) { out[key], seqs[key] = counts, seq })
	if err != nil {
		return nil, nil, err
	}
	months, monthSeqs := map[string]map[string]int64{}, map[string]int64{}
	err = r.store.EachMonthCount(ctx, func(key string, seq int64, counts map[string]int64) { months[key], monthSeqs[key] = counts, seq })
	if err != nil {
		return nil, nil, err
	}
	done, err := r.w.store.Done(ctx)
	if err != nil {
		return nil, nil, err
	}
	consumed := map[bson.ObjectID]bool{}
	b, err := r.w.store.Batch(ctx, done+1)
	if err != nil {
		return nil, nil, err
	}
	if b != nil {
		for _, id := range b.Journals {
			consumed[id] = true
		}
		for _, bi := range b.Incs {
			if seqs[bi.Key] < b.ID {
				addTo(out, bi.Key, bi.Inc)
			}
		}
		for _, mi := range MonthIncs(b) {
			if monthSeqs[mi.Key] < b.ID {
				addTo(months, mi.Key, mi.Inc)
			}
		}
	}
	summed := map[string]map[string]int64{}
	for key, counts := range out {
		addTo(summed, MonthKey(key), counts)
	}
	diffs := compare(months, summed)
	for i := range diffs {
		diffs[i].Month = true
	}
	return out, diffs, r.addJournal(ctx, consumed, func(key string, inc map[string]int64) { addTo(out, key, inc) })
}

// addTo adds inc to the counts of key in m.
func addTo(m map[string]map[string]int64, key string, inc map[string]int64) {
	if m[key] == nil {
		m[key] = map[string]int64{}
	}
	for k, v := range inc {
		m[key][k] += v
	}
}

// addJournal adds the events of journal entries not yet in a batch, keeping those whose
// document is stored.
func (r *Recounter) addJournal(ctx context.Context, consumed map[bson.ObjectID]bool, add func(string, map[string]int64)) error {
	return r.store.EachJournalEntry(ctx, func(e *JournalEntry) {
		if consumed[e.ID] {
			return
		}
		for _, ev := range e.Events {
			if ok, err := r.w.store.EventStored(ctx, ev); err == nil && ok {
				add(ev.Key, ev.Inc)
			}
		}
	})
}

// countsOf returns the counts of buckets by key.
func countsOf(buckets stats.Buckets) map[string]map[string]int64 {
	out := make(map[string]map[string]int64, len(buckets))
	for k, b := range buckets {
		out[k] = b.Counts
	}
	return out
}

func compare(stored, recount map[string]map[string]int64) []Difference {
	keys := map[string]bool{}
	for k := range stored {
		keys[k] = true
	}
	for k := range recount {
		keys[k] = true
	}
	var diffs []Difference
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		counters := map[string]bool{}
		for c := range stored[k] {
			counters[c] = true
		}
		for c := range recount[k] {
			counters[c] = true
		}
		for _, c := range slices.Sorted(maps.Keys(counters)) {
			if stored[k][c] != recount[k][c] {
				diffs = append(diffs, Difference{Key: k, Counter: c, Rollup: stored[k][c], Recounted: recount[k][c]})
			}
		}
	}
	return diffs
}

// Rebuild replaces every bucket with a full recount, and the month sums with their sums, and
// returns how many day buckets there are. Run it
// while no responses arrive (the servers stopped or idle): a response stored during the rebuild
// may be counted twice.
func (r *Recounter) Rebuild(ctx context.Context) (int, error) {
	if err := r.w.Drain(ctx); err != nil {
		return 0, err
	}
	done, err := r.w.store.Done(ctx)
	if err != nil {
		return 0, err
	}
	recount, err := r.recount(ctx)
	if err != nil {
		return 0, err
	}
	if err := r.store.ReplaceBuckets(ctx, done, recount); err != nil {
		return 0, err
	}
	if err := r.w.store.BuildMonths(ctx, done, MonthSums(recount)); err != nil {
		return 0, err
	}
	return len(recount), nil
}
