package mongodb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Recount computes every bucket from the stored tickets and responses. It reads every document,
// so it is for verification and repair, never for queries.
func (w *RollupWorker) Recount(ctx context.Context) (map[string]map[string]int64, map[string]bson.D, error) {
	counts := map[string]map[string]int64{}
	dims := map[string]bson.D{}
	add := func(b stats.Bucket, inc map[string]int64) {
		k := b.Key()
		if counts[k] == nil {
			counts[k], dims[k] = map[string]int64{}, bucketDims(b)
		}
		for c, v := range inc {
			counts[k][c] += v
		}
	}
	err := scan(ctx, w.db.DB.Collection(colTickets), func(t *survey.Ticket) { add(stats.TicketBucket(t), stats.TicketCounts()) })
	if err != nil {
		return nil, nil, err
	}
	err = scan(ctx, w.db.DB.Collection(colResponses), func(r *survey.Response) { add(stats.ResponseBucket(r), stats.ResponseCounts(r)) })
	return counts, dims, err
}

func scan[T any](ctx context.Context, col *mongo.Collection, fn func(*T)) error {
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetBatchSize(2000))
	if err != nil {
		return fmt.Errorf("mongodb: scan %s: %w", col.Name(), err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var v T
		if err := cur.Decode(&v); err != nil {
			return fmt.Errorf("mongodb: decode %s: %w", col.Name(), err)
		}
		fn(&v)
	}
	return cur.Err()
}

// Stored reads the counts of every stored bucket.
func (w *RollupWorker) Stored(ctx context.Context) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	err := scan(ctx, w.rollups, func(d *rollupDoc) { out[d.Key] = d.C })
	return out, err
}

// Difference is a bucket counter whose rollup differs from the recount.
type Difference struct {
	Key, Counter      string
	Rollup, Recounted int64
}

// Verify rolls up what it can, then compares the rollups plus what is still on its way into
// them (journal entries, an unfinished batch) with a full recount. A server writing at the same
// time can make one comparison differ, so a difference is checked again a few times.
func (w *RollupWorker) Verify(ctx context.Context) ([]Difference, error) {
	if owned, err := w.lease(ctx); err == nil && owned {
		if _, err := w.stepWhileLeased(ctx, true); err != nil {
			return nil, err
		}
	}
	var diffs []Difference
	for attempt := range 5 {
		if attempt > 0 {
			time.Sleep(time.Second)
		}
		expected, err := w.expected(ctx)
		if err != nil {
			return nil, err
		}
		recount, _, err := w.Recount(ctx)
		if err != nil {
			return nil, err
		}
		if diffs = compare(expected, recount); len(diffs) == 0 {
			return nil, nil
		}
	}
	return diffs, nil
}

// expected is the stored rollups plus what pending work will add to them.
func (w *RollupWorker) expected(ctx context.Context) (map[string]map[string]int64, error) {
	seqs := map[string]int64{}
	out := map[string]map[string]int64{}
	err := scan(ctx, w.rollups, func(d *rollupDoc) { out[d.Key], seqs[d.Key] = d.C, d.Seq })
	if err != nil {
		return nil, err
	}
	add := func(key string, inc map[string]int64) {
		if out[key] == nil {
			out[key] = map[string]int64{}
		}
		for k, v := range inc {
			out[key][k] += v
		}
	}
	done, err := w.Done(ctx)
	if err != nil {
		return nil, err
	}
	consumed := map[bson.ObjectID]bool{}
	if b, err := w.batch(ctx, done+1); err != nil {
		return nil, err
	} else if b != nil {
		for _, id := range b.Journals {
			consumed[id] = true
		}
		for _, bi := range b.Incs {
			if seqs[bi.Key] < b.ID {
				add(bi.Key, bi.Inc)
			}
		}
	}
	return out, w.addJournal(ctx, consumed, add)
}

// addJournal adds the events of journal entries not yet in a batch, keeping those whose
// document is stored.
func (w *RollupWorker) addJournal(ctx context.Context, consumed map[bson.ObjectID]bool, add func(string, map[string]int64)) error {
	return scan(ctx, w.journal, func(e *JournalEntry) {
		if consumed[e.ID] {
			return
		}
		for _, ev := range e.Events {
			if ok, err := w.storedWithNonce(ctx, ev); err == nil && ok {
				add(ev.Key, ev.Inc)
			}
		}
	})
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

// Rebuild replaces every bucket with a full recount. Run it while no responses arrive (the
// servers stopped or idle): a response stored during the rebuild may be counted twice.
func (w *RollupWorker) Rebuild(ctx context.Context) (int, error) {
	if err := w.Drain(ctx); err != nil {
		return 0, err
	}
	done, err := w.Done(ctx)
	if err != nil {
		return 0, err
	}
	recount, dims, err := w.Recount(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := w.rollups.DeleteMany(ctx, bson.D{}); err != nil {
		return 0, fmt.Errorf("mongodb: clear rollups: %w", err)
	}
	docs := make([]any, 0, len(recount))
	for k, c := range recount {
		d := append(bson.D{{Key: "_id", Value: k}, {Key: "seq", Value: done}, {Key: "c", Value: c}}, dims[k]...)
		docs = append(docs, d)
	}
	for start := 0; start < len(docs); start += 1000 {
		if _, err := w.rollups.InsertMany(ctx, docs[start:min(start+1000, len(docs))]); err != nil {
			return 0, fmt.Errorf("mongodb: write rollups: %w", err)
		}
	}
	return len(docs), nil
}
