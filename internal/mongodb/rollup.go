package mongodb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/hailong/hailong/internal/stats"
)

// Rollup collections: the buckets, and the numbered batches that update them.
const (
	colRollups  = "rollups"
	colBatches  = "rollup_batches"
	colLeases   = "rollup_leases"
	colComments = "comment_days"
	doneKey     = "rollup_done" // settings document holding the last completed batch number
)

// The rollup lease is granted by time windows: whoever first inserts the window's document owns
// it. The owner stops issuing writes leaseMargin before the window ends, so owners of
// consecutive windows never overlap (given clocks in sync to well under leaseMargin).
const (
	leaseWindow = 15 * time.Second
	leaseMargin = 2 * time.Second
)

// lease reports whether this worker owns the current lease window, claiming it if free.
func (w *RollupWorker) lease(ctx context.Context) (bool, error) {
	now := time.Now()
	start := now.Truncate(leaseWindow)
	w.mu.Lock()
	owned := w.ownedUntil.Equal(start.Add(leaseWindow))
	w.mu.Unlock()
	if owned {
		return now.Before(w.leaseEnd()), nil
	}
	id := "w" + strconv.FormatInt(start.Unix(), 10)
	_, err := w.writes.Collection(colLeases).InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "owner", Value: w.owner}})
	if isDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: claim rollup lease: %w", err)
	}
	w.mu.Lock()
	w.ownedUntil = start.Add(leaseWindow)
	w.mu.Unlock()
	old := "w" + strconv.FormatInt(start.Add(-100*leaseWindow).Unix(), 10)
	_, _ = w.writes.Collection(colLeases).DeleteOne(ctx, bson.D{{Key: "_id", Value: old}})
	return now.Before(w.leaseEnd()), nil
}

// leaseEnd is when this worker must stop writing in its window.
func (w *RollupWorker) leaseEnd() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ownedUntil.Add(-leaseMargin)
}

// Rollup batches are numbered 1, 2, 3… A batch is created only once the one before it is
// complete, so batch numbers order every update. Each bucket records the number of the last
// batch applied to it (seq), and a batch only touches buckets with a lower seq: re-applying a
// batch after a crash changes nothing it already changed. Any instance may do the work; the
// unique batch number keeps two from doing it twice.

// Batch is one step of the rollups: the journal entries it consumed and what it adds to each
// bucket.
type Batch struct {
	Key      string          `bson:"_id"` // batchKey(ID)
	ID       int64           `bson:"n"`
	Journals []bson.ObjectID `bson:"journals"`
	// Confirmed are the consumed entries whose confirmation was stored on its own; a batch
	// from before confirmations were carried (Carried false) may have one for every entry.
	Confirmed []bson.ObjectID `bson:"confirmed,omitempty"`
	Carried   bool            `bson:"carried"`
	Incs      []BucketInc     `bson:"incs"`
	Comments  []DayComments   `bson:"comments,omitempty"`
	At        time.Time       `bson:"at"`
}

// DayComments are the comments a batch adds to one day's list.
type DayComments struct {
	Day   string          `bson:"day"`
	Items []stats.Comment `bson:"items"`
}

// BucketInc is what a batch adds to one bucket.
type BucketInc struct {
	Key  string           `bson:"key"`
	Dims bson.D           `bson:"dims"`
	Inc  map[string]int64 `bson:"inc"`
}

// batchKey is the _id of batch id. It is a string because the embedded store looks documents
// up by index only for a string or ObjectID _id, and would scan every batch for a number.
func batchKey(id int64) string { return fmt.Sprintf("b%012d", id) }

// RollupWorker turns journal entries into rollup updates.
type RollupWorker struct {
	db            *DB
	journal       *mongo.Collection
	rollups       *mongo.Collection
	batches       *mongo.Collection
	settings      *mongo.Collection
	log           *slog.Logger
	StaleAfter    time.Duration // a pending entry older than this is checked against the store
	Keep          int64         // completed batches kept for readers that follow them
	leases        *mongo.Collection
	confirmations *mongo.Collection
	comments      *mongo.Collection
	writes        *mongo.Database // db.W: the worker's writes go through it, but for the journal's $in delete (clearJournal)
	owner         string
	mu            sync.Mutex
	ownedUntil    time.Time
	backlog       atomic.Bool // the last batch read a full journal page: more is waiting
}

// NewRollupWorker returns a worker on db.
func NewRollupWorker(db *DB, log *slog.Logger) *RollupWorker {
	return &RollupWorker{
		db: db, log: log,
		journal: db.DB.Collection(colJournal), rollups: db.DB.Collection(colRollups),
		batches: db.DB.Collection(colBatches), settings: db.DB.Collection(colSettings),
		StaleAfter: time.Minute, Keep: 2000,
		leases: db.DB.Collection(colLeases), owner: bson.NewObjectID().Hex(),
		confirmations: db.DB.Collection(colJournalOK),
		comments:      db.DB.Collection(colComments),
		writes:        db.W,
	}
}

// Run rolls up every interval until ctx ends, whenever this instance holds the lease.
func (w *RollupWorker) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := w.stepIfWork(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("rollup step failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Drain rolls up everything that can be rolled up now, waiting for the lease while another
// instance holds it.
func (w *RollupWorker) Drain(ctx context.Context) error {
	deadline := time.Now().Add(3 * leaseWindow)
	failures := 0
	for {
		owned, err := w.lease(ctx)
		if err != nil {
			return err
		}
		if owned {
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
			return errors.New("mongodb: another instance keeps the rollup lease; retry later")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stepIfWork takes the lease only when there is something to roll up, so an idle instance
// leaves the lease to others (such as `hailong rollup verify`).
func (w *RollupWorker) stepIfWork(ctx context.Context) error {
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

func (w *RollupWorker) hasWork(ctx context.Context) (bool, error) {
	done, err := w.Done(ctx)
	if err != nil {
		return false, err
	}
	if b, err := w.batch(ctx, done+1); err != nil || b != nil {
		return b != nil, err
	}
	err = w.journal.FindOne(ctx, bson.D{}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// stepWhileLeased steps until nothing is left (finished) or this instance's lease window
// closes; a step cut short by the window's end is resumed by the next holder.
// With all, it steps until nothing is left even without a backlog (Drain).
func (w *RollupWorker) stepWhileLeased(ctx context.Context, all bool) (finished bool, err error) {
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
func (w *RollupWorker) Step(ctx context.Context) (bool, error) {
	done, err := w.Done(ctx)
	if err != nil {
		return false, err
	}
	b, err := w.batch(ctx, done+1)
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

// Done returns the number of the last completed batch.
func (w *RollupWorker) Done(ctx context.Context) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := w.settings.FindOne(ctx, bson.D{{Key: "_id", Value: doneKey}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mongodb: read rollup progress: %w", err)
	}
	return doc.Seq, nil
}

func (w *RollupWorker) batch(ctx context.Context, id int64) (*Batch, error) {
	var b Batch
	err := w.batches.FindOne(ctx, bson.D{{Key: "_id", Value: batchKey(id)}}).Decode(&b)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mongodb: read rollup batch %d: %w", id, err)
	}
	return &b, nil
}

// journalScan is how many journal entries one batch reads at most.
const journalScan = 500

// newBatch builds batch id from the journal and stores it; nil when there is nothing to do or
// another instance created it first.
func (w *RollupWorker) newBatch(ctx context.Context, id int64) (*Batch, error) {
	cur, err := w.journal.Find(ctx, bson.D{}, options.Find().SetLimit(journalScan))
	if err != nil {
		return nil, fmt.Errorf("mongodb: read journal: %w", err)
	}
	var entries []JournalEntry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, fmt.Errorf("mongodb: read journal: %w", err)
	}
	settled, err := w.settleAll(ctx, entries)
	if err != nil {
		return nil, err
	}
	b := &Batch{Key: batchKey(id), ID: id, At: time.Now().UTC(), Carried: true}
	merged := map[string]*BucketInc{}
	for i, e := range entries {
		events, ok := settled[i].events, settled[i].ok
		if !ok {
			continue
		}
		b.Journals = append(b.Journals, e.ID)
		if settled[i].confirmedApart {
			b.Confirmed = append(b.Confirmed, e.ID)
		}
		for _, ev := range events {
			mergeInc(merged, &b.Incs, ev)
			b.Comments = addComment(b.Comments, ev.Comment)
		}
	}
	w.backlog.Store(len(entries) == journalScan)
	if len(b.Journals) == 0 {
		return nil, nil
	}
	b.Incs = flatten(merged, b.Incs)
	if err := w.db.lane.background(func() error { _, err := w.writes.Collection(colBatches).InsertOne(ctx, b); return err }); err != nil {
		if isDuplicate(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("mongodb: store rollup batch %d: %w", id, err)
	}
	return b, nil
}

type settledEntry struct {
	events         []Event
	ok             bool
	confirmedApart bool // by a confirmation stored on its own
}

// settleAll settles entries, a few at a time.
func (w *RollupWorker) settleAll(ctx context.Context, entries []JournalEntry) ([]settledEntry, error) {
	carried := map[bson.ObjectID][]int{}
	for _, e := range entries {
		for _, c := range e.Confirms {
			carried[c.ID] = c.OK
		}
	}
	out := make([]settledEntry, len(entries))
	err := lookUpEach(len(entries), func(i int) (err error) {
		if ok, found := carried[entries[i].ID]; found {
			out[i] = settledEntry{events: pick(entries[i].Events, ok), ok: true}
			return nil
		}
		out[i].events, out[i].ok, err = w.settled(ctx, entries[i])
		out[i].confirmedApart = out[i].ok // a single-event entry may have one too, from a batch of one
		return err
	})
	return out, err
}

// lookUpEach runs look-up i for each i < n, a few at a time: they are reads, which the store
// serves beside its single writer. It returns the first error.
func lookUpEach(n int, lookUp func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error { return lookUp(i) })
	}
	return g.Wait()
}

// settled returns the events of e that took effect, and false while e may still be in flight.
func (w *RollupWorker) settled(ctx context.Context, e JournalEntry) ([]Event, bool, error) {
	if len(e.Events) != 1 {
		var c Confirmation
		err := w.confirmations.FindOne(ctx, bson.D{{Key: "_id", Value: e.ID}}).Decode(&c)
		if err == nil {
			return pick(e.Events, c.OK), true, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, false, fmt.Errorf("mongodb: read journal confirmation: %w", err)
		}
	}
	young := time.Since(e.At) < w.StaleAfter
	if young && len(e.Events) != 1 {
		return nil, false, nil // a batch may still be on its way: wait for its confirmation
	}
	// A single write needs no confirmation: its document is either stored or, once the entry is
	// stale, never will be. A stale batch means its writer stopped before confirming.
	var out []Event
	for _, ev := range e.Events {
		stored, err := w.storedWithNonce(ctx, ev)
		if err != nil {
			return nil, false, err
		}
		if stored {
			out = append(out, ev)
		}
	}
	if young && len(out) == 0 {
		return nil, false, nil // the single write is still on its way
	}
	return out, true, nil
}

// pick returns the events at the indexes ok.
func pick(events []Event, ok []int) []Event {
	var out []Event
	for _, i := range ok {
		if i >= 0 && i < len(events) {
			out = append(out, events[i])
		}
	}
	return out
}

func (w *RollupWorker) storedWithNonce(ctx context.Context, ev Event) (bool, error) {
	var doc struct {
		Nonce string `bson:"nonce"`
	}
	err := w.db.DB.Collection(ev.Col).FindOne(ctx, bson.D{{Key: "_id", Value: ev.DocID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: check journaled %s: %w", ev.Col, err)
	}
	return doc.Nonce == ev.Nonce, nil
}

// idem marks where a bucket's position in the list is kept while merging.
func mergeInc(merged map[string]*BucketInc, list *[]BucketInc, ev Event) {
	bi, ok := merged[ev.Key]
	if !ok {
		bi = &BucketInc{Key: ev.Key, Dims: ev.Dims, Inc: map[string]int64{}}
		merged[ev.Key] = bi
	}
	for k, v := range ev.Inc {
		bi.Inc[k] += v
	}
}

func addComment(days []DayComments, c *stats.Comment) []DayComments {
	if c == nil {
		return days
	}
	day := stats.DateOf(c.At).String()
	for i := range days {
		if days[i].Day == day {
			days[i].Items = append(days[i].Items, *c)
			return days
		}
	}
	return append(days, DayComments{Day: day, Items: []stats.Comment{*c}})
}

func flatten(merged map[string]*BucketInc, _ []BucketInc) []BucketInc {
	out := make([]BucketInc, 0, len(merged))
	for _, bi := range merged {
		out = append(out, *bi)
	}
	return out
}

// complete applies batch b to the buckets (skipping any it already reached), removes the journal
// entries it consumed, and records it as done. fresh says b was created by this call's Step,
// so no bucket can hold it yet.
func (w *RollupWorker) complete(ctx context.Context, b *Batch, fresh bool) error {
	if err := w.apply(ctx, b, fresh); err != nil {
		return err
	}
	confirmed := b.Confirmed
	if !b.Carried {
		confirmed = b.Journals
	}
	if err := w.clearJournal(ctx, colJournal, b.Journals); err != nil {
		return err
	}
	if err := w.clearJournal(ctx, colJournalOK, confirmed); err != nil {
		return err
	}
	err := w.db.lane.background(func() error {
		_, err := w.writes.Collection(colSettings).UpdateOne(ctx, bson.D{{Key: "_id", Value: doneKey}},
			bson.D{{Key: "$max", Value: bson.D{{Key: "seq", Value: b.ID}}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
	if err != nil {
		return fmt.Errorf("mongodb: record rollup progress: %w", err)
	}
	if b.ID > w.Keep {
		_, _ = w.writes.Collection(colBatches).DeleteOne(ctx, bson.D{{Key: "_id", Value: batchKey(b.ID - w.Keep)}})
	}
	return nil
}

// apply adds batch b to its buckets and comment days. Every update is filtered by _id alone:
// the embedded store looks documents up by _id only and would scan the whole collection for
// any other condition. A batch resumed after a crash or a failed attempt first reads which
// documents already hold it (their seq), and skips those.
func (w *RollupWorker) apply(ctx context.Context, b *Batch, fresh bool) error {
	buckets := make([]mongo.WriteModel, 0, len(b.Incs))
	keys := make([]string, 0, len(b.Incs))
	for _, bi := range b.Incs {
		keys = append(keys, bi.Key)
		buckets = append(buckets, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: bi.Key}}).
			SetUpdate(bson.D{
				{Key: "$inc", Value: incDoc(bi.Inc)},
				{Key: "$set", Value: bson.D{{Key: "seq", Value: b.ID}}},
				{Key: "$setOnInsert", Value: bi.Dims},
			}).SetUpsert(true))
	}
	days := make([]mongo.WriteModel, 0, len(b.Comments))
	dayKeys := make([]string, 0, len(b.Comments))
	for _, dc := range b.Comments {
		dayKeys = append(dayKeys, dc.Day)
		days = append(days, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: dc.Day}}).
			SetUpdate(bson.D{
				{Key: "$push", Value: bson.D{{Key: "items", Value: bson.D{{Key: "$each", Value: dc.Items}}}}},
				{Key: "$set", Value: bson.D{{Key: "seq", Value: b.ID}}},
			}).SetUpsert(true))
	}
	if err := w.applyTo(ctx, colRollups, b.ID, keys, buckets, fresh); err != nil {
		return fmt.Errorf("mongodb: apply rollup batch %d: %w", b.ID, err)
	}
	if err := w.applyTo(ctx, colComments, b.ID, dayKeys, days, fresh); err != nil {
		return fmt.Errorf("mongodb: apply comments of batch %d: %w", b.ID, err)
	}
	return nil
}

// updatesPerCommand bounds the updates sent in one command. The embedded store keeps each
// update's read of its document open until the whole command ends, one SQLite connection each,
// out of a pool of 100: a command of 100 updates would wait forever for a connection.
const updatesPerCommand = 16

// applyTo writes the updates of batch id to col in a few round trips; unless fresh, it leaves
// out the documents (by _id, keys[i] for updates[i]) that already hold the batch.
func (w *RollupWorker) applyTo(ctx context.Context, col string, id int64, keys []string, updates []mongo.WriteModel, fresh bool) error {
	if !fresh {
		reached, err := w.reached(ctx, w.db.DB.Collection(col), id, keys)
		if err != nil {
			return err
		}
		var left []mongo.WriteModel
		for i, m := range updates {
			if !reached[i] {
				left = append(left, m)
			}
		}
		updates = left
	}
	for start := 0; start < len(updates); start += updatesPerCommand {
		chunk := updates[start:min(start+updatesPerCommand, len(updates))]
		if err := w.db.lane.background(func() error {
			_, err := w.writes.Collection(col).BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(true))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// reached reports, for each _id in keys, whether its document in col already holds batch id.
func (w *RollupWorker) reached(ctx context.Context, col *mongo.Collection, id int64, keys []string) ([]bool, error) {
	out := make([]bool, len(keys))
	err := lookUpEach(len(keys), func(i int) error {
		var doc struct {
			Seq int64 `bson:"seq"`
		}
		err := col.FindOne(ctx, bson.D{{Key: "_id", Value: keys[i]}}, options.FindOne().SetProjection(bson.D{{Key: "seq", Value: 1}})).Decode(&doc)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		out[i] = err == nil && doc.Seq >= id
		return err
	})
	return out, err
}

// incDoc orders counter increments so the update document is deterministic.
func incDoc(inc map[string]int64) bson.D {
	d := make(bson.D, 0, len(inc))
	for k, v := range inc {
		d = append(d, bson.E{Key: "c." + k, Value: v})
	}
	return d
}

// Pending counts the journal entries not yet rolled up (for tests and monitoring).
func (w *RollupWorker) Pending(ctx context.Context) (int64, error) {
	return w.journal.CountDocuments(ctx, bson.D{})
}

// clearJournal deletes consumed entries (or their confirmations) from col. The embedded store
// commits each statement of a bulk delete on its own, one disk sync each, while a single $in
// delete scans the collection once and commits once: that is cheaper while the journal is short
// (the last read did not fill a page), and the one-at-a-time form is kept for a backlog.
//
// The $in delete goes on a connection of its own rather than through the single writer: the
// embedded store finds the documents to delete with a read (tens of milliseconds, the whole
// journal), which would hold the writer and every submission queued behind it, and takes the
// write lock only for the short delete by _id that follows.
func (w *RollupWorker) clearJournal(ctx context.Context, col string, ids []bson.ObjectID) error {
	if len(ids) == 0 {
		return nil
	}
	if !w.backlog.Load() {
		_, err := w.db.DB.Collection(col).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
		if err != nil {
			return fmt.Errorf("mongodb: clear %s: %w", col, err)
		}
		return nil
	}
	models := make([]mongo.WriteModel, len(ids))
	for i, id := range ids {
		models[i] = mongo.NewDeleteOneModel().SetFilter(bson.D{{Key: "_id", Value: id}})
	}
	for start := 0; start < len(models); start += 100 { // each request well inside the op timeout
		chunk := models[start:min(start+100, len(models))]
		if err := w.db.lane.background(func() error {
			_, err := w.writes.Collection(col).BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(true))
			return err
		}); err != nil {
			return fmt.Errorf("mongodb: clear %s: %w", col, err)
		}
	}
	return nil
}
