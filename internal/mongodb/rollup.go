package mongodb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"golang.org/x/sync/errgroup"

	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Rollup collections: the buckets, and the numbered batches that update them.
const (
	colRollups  = "rollups"
	colBatches  = "rollup_batches"
	colLeases   = "rollup_leases"
	colComments = "comment_days"
	colMonths   = "rollup_months" // month sums of the buckets, updated by the same batches
	doneKey     = "rollup_done"   // settings document holding the last completed batch number
	monthsKey   = "rollup_months" // settings document recording that the month sums are built
)

// RollupStore keeps the rollups: the journal the writers fill, the numbered batches, the buckets
// and comment days, the progress record and the lease windows. Its writes go through the
// store's write lane as background writes, so submissions go ahead of them.
type RollupStore struct {
	db            *DB
	journal       *mongo.Collection
	rollups       *mongo.Collection
	batches       *mongo.Collection
	settings      *mongo.Collection
	confirmations *mongo.Collection
	comments      *mongo.Collection
	months        *mongo.Collection
	writes        *mongo.Database // db.W: the rollup writes go through it, but for the journal's $in delete (clear)
}

var (
	_ rollup.Store        = (*RollupStore)(nil)
	_ rollup.ViewStore    = (*RollupStore)(nil)
	_ rollup.RecountStore = (*RollupStore)(nil)
)

// NewRollupStore returns the rollups of db.
func NewRollupStore(db *DB) *RollupStore {
	return &RollupStore{
		db:      db,
		journal: db.DB.Collection(colJournal), rollups: db.DB.Collection(colRollups),
		batches: db.DB.Collection(colBatches), settings: db.DB.Collection(colSettings),
		confirmations: db.DB.Collection(colJournalOK),
		comments:      db.DB.Collection(colComments),
		months:        db.DB.Collection(colMonths),
		writes:        db.W,
	}
}

// leaseKey is the _id of the lease window that starts at start: whoever inserts it first owns
// the window.
func leaseKey(start time.Time) string { return "w" + strconv.FormatInt(start.Unix(), 10) }

// ClaimLease inserts the lease window that starts at start; false when it exists.
func (s *RollupStore) ClaimLease(ctx context.Context, start time.Time, owner string) (bool, error) {
	_, err := s.writes.Collection(colLeases).InsertOne(ctx, bson.D{{Key: "_id", Value: leaseKey(start)}, {Key: "owner", Value: owner}})
	if isDuplicate(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: claim rollup lease: %w", err)
	}
	return true, nil
}

// DropLease deletes the lease window that starts at start, ignoring failures.
func (s *RollupStore) DropLease(ctx context.Context, start time.Time) {
	_, _ = s.writes.Collection(colLeases).DeleteOne(ctx, bson.D{{Key: "_id", Value: leaseKey(start)}})
}

// HasJournal reports whether the journal holds an entry.
func (s *RollupStore) HasJournal(ctx context.Context) (bool, error) {
	err := s.journal.FindOne(ctx, bson.D{}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	return err == nil, err
}

// Done returns the number of the last completed batch.
func (s *RollupStore) Done(ctx context.Context) (int64, error) {
	var doc struct {
		Seq int64 `bson:"seq"`
	}
	err := s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: doneKey}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("mongodb: read rollup progress: %w", err)
	}
	return doc.Seq, nil
}

// SetDone raises the recorded number of the last completed batch to id.
func (s *RollupStore) SetDone(ctx context.Context, id int64) error {
	if err := s.recordSeq(ctx, doneKey, "$max", id); err != nil {
		return fmt.Errorf("mongodb: record rollup progress: %w", err)
	}
	return nil
}

// recordSeq applies op ($set or $max) with seq to the seq of settings document key, creating it.
func (s *RollupStore) recordSeq(ctx context.Context, key, op string, seq int64) error {
	return s.db.lane.background(func() error {
		_, err := s.writes.Collection(colSettings).UpdateOne(ctx, bson.D{{Key: "_id", Value: key}},
			bson.D{{Key: op, Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
		return err
	})
}

// batchKey is the _id of batch id. It is a string because the embedded store looks documents
// up by index only for a string or ObjectID _id, and would scan every batch for a number.
func batchKey(id int64) string { return fmt.Sprintf("b%012d", id) }

// Batch reads batch id; nil when there is none.
func (s *RollupStore) Batch(ctx context.Context, id int64) (*rollup.Batch, error) {
	var b rollup.Batch
	err := s.batches.FindOne(ctx, bson.D{{Key: "_id", Value: batchKey(id)}}).Decode(&b)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mongodb: read rollup batch %d: %w", id, err)
	}
	return &b, nil
}

// CreateBatch inserts b under its number; false when a batch of that number exists.
func (s *RollupStore) CreateBatch(ctx context.Context, b *rollup.Batch) (bool, error) {
	b.Key = batchKey(b.ID)
	if err := s.db.lane.background(func() error { _, err := s.writes.Collection(colBatches).InsertOne(ctx, b); return err }); err != nil {
		if isDuplicate(err) {
			return false, nil
		}
		return false, fmt.Errorf("mongodb: store rollup batch %d: %w", b.ID, err)
	}
	return true, nil
}

// DropBatch deletes batch id, ignoring failures.
func (s *RollupStore) DropBatch(ctx context.Context, id int64) {
	_, _ = s.writes.Collection(colBatches).DeleteOne(ctx, bson.D{{Key: "_id", Value: batchKey(id)}})
}

// Journal reads up to limit journal entries.
func (s *RollupStore) Journal(ctx context.Context, limit int) ([]rollup.JournalEntry, error) {
	cur, err := s.journal.Find(ctx, bson.D{}, options.Find().SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("mongodb: read journal: %w", err)
	}
	var entries []JournalEntry
	if err := cur.All(ctx, &entries); err != nil {
		return nil, fmt.Errorf("mongodb: read journal: %w", err)
	}
	out := make([]rollup.JournalEntry, len(entries))
	for i, e := range entries {
		out[i] = rollup.JournalEntry(e)
	}
	return out, nil
}

// JournalLen counts the journal entries.
func (s *RollupStore) JournalLen(ctx context.Context) (int64, error) {
	return s.journal.CountDocuments(ctx, bson.D{})
}

// Confirmation reads the confirmation of entry id stored on its own, if there is one.
func (s *RollupStore) Confirmation(ctx context.Context, id bson.ObjectID) ([]int, bool, error) {
	var c rollup.Confirmation
	err := s.confirmations.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("mongodb: read journal confirmation: %w", err)
	}
	return c.OK, true, nil
}

// EventStored reports whether the document of ev is stored with ev's nonce.
func (s *RollupStore) EventStored(ctx context.Context, ev rollup.Event) (bool, error) {
	field := ev.NonceField
	if field == "" {
		field = "nonce"
	}
	var doc bson.M
	opts := options.FindOne().SetProjection(bson.D{{Key: field, Value: 1}})
	err := s.db.DB.Collection(ev.Col).FindOne(ctx, bson.D{{Key: "_id", Value: ev.DocID}}, opts).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: check journaled %s: %w", ev.Col, err)
	}
	nonce, _ := doc[field].(string)
	return nonce == ev.Nonce, nil
}

// Apply adds batch b to its buckets, their month sums and its comment days. Every update is filtered by _id alone:
// the embedded store looks documents up by _id only and would scan the whole collection for
// any other condition. A batch resumed after a crash or a failed attempt (not fresh) first
// reads which documents already hold it (their seq), and skips those.
func (s *RollupStore) Apply(ctx context.Context, b *rollup.Batch, fresh bool) error {
	keys, buckets := incUpdates(b.ID, b.Incs)
	monthKeys, months := incUpdates(b.ID, rollup.MonthIncs(b))
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
	if err := s.applyTo(ctx, colRollups, b.ID, keys, buckets, fresh); err != nil {
		return fmt.Errorf("mongodb: apply rollup batch %d: %w", b.ID, err)
	}
	if err := s.applyTo(ctx, colMonths, b.ID, monthKeys, months, fresh); err != nil {
		return fmt.Errorf("mongodb: apply month sums of batch %d: %w", b.ID, err)
	}
	if err := s.applyTo(ctx, colComments, b.ID, dayKeys, days, fresh); err != nil {
		return fmt.Errorf("mongodb: apply comments of batch %d: %w", b.ID, err)
	}
	return nil
}

// incUpdates are the upserts adding incs to their documents, each marked as holding batch id,
// and the documents' keys.
func incUpdates(id int64, incs []rollup.BucketInc) ([]string, []mongo.WriteModel) {
	keys := make([]string, 0, len(incs))
	updates := make([]mongo.WriteModel, 0, len(incs))
	for _, bi := range incs {
		keys = append(keys, bi.Key)
		updates = append(updates, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: bi.Key}}).
			SetUpdate(bson.D{
				{Key: "$inc", Value: incDoc(bi.Inc)},
				{Key: "$set", Value: bson.D{{Key: "seq", Value: id}}},
				{Key: "$setOnInsert", Value: bi.Dims},
			}).SetUpsert(true))
	}
	return keys, updates
}

// updatesPerCommand bounds the updates sent in one command. FerretDB v1 keeps each update's
// read of its document open until the whole command ends, one backend connection each: on
// SQLite out of a pool of 100, on PostgreSQL out of 50, so a command of 128 updates waits
// forever for a connection (measured on the test suite's FerretDB-on-PostgreSQL store). MongoDB
// itself has no such limit, but 16 updates per round trip cost it little.
const updatesPerCommand = 16

// updateChunk is how many updates one command carries.
func (d *DB) updateChunk() int { return updatesPerCommand }

// applyTo writes the updates of batch id to col in a few round trips; unless fresh, it leaves
// out the documents (by _id, keys[i] for updates[i]) that already hold the batch.
func (s *RollupStore) applyTo(ctx context.Context, col string, id int64, keys []string, updates []mongo.WriteModel, fresh bool) error {
	if !fresh {
		reached, err := reached(ctx, s.db.DB.Collection(col), id, keys)
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
	per := s.db.updateChunk()
	for start := 0; start < len(updates); start += per {
		chunk := updates[start:min(start+per, len(updates))]
		if err := s.db.lane.background(func() error {
			_, err := s.writes.Collection(col).BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(true))
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// reached reports, for each _id in keys, whether its document in col already holds batch id.
// The look-ups go a few at a time: they are reads, which the store serves beside its single
// writer.
func reached(ctx context.Context, col *mongo.Collection, id int64, keys []string) ([]bool, error) {
	out := make([]bool, len(keys))
	var g errgroup.Group
	g.SetLimit(8)
	for i := range keys {
		g.Go(func() error {
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
	}
	return out, g.Wait()
}

// incDoc orders counter increments so the update document is deterministic.
func incDoc(inc map[string]int64) bson.D {
	d := make(bson.D, 0, len(inc))
	for k, v := range inc {
		d = append(d, bson.E{Key: "c." + k, Value: v})
	}
	return d
}

// Consume deletes consumed journal entries, then their confirmations stored on their own.
func (s *RollupStore) Consume(ctx context.Context, entries, confirmations []bson.ObjectID, backlog bool) error {
	if err := s.clear(ctx, colJournal, entries, backlog); err != nil {
		return err
	}
	return s.clear(ctx, colJournalOK, confirmations, backlog)
}

// clear deletes consumed entries (or their confirmations) from col. The embedded store commits
// each statement of a bulk delete on its own, one disk sync each, while a single $in delete
// scans the collection once and commits once: that is cheaper while the journal is short (no
// backlog: the last read did not fill a page), and the one-at-a-time form is kept for a backlog.
//
// The $in delete goes on a connection of its own rather than through the single writer: the
// embedded store finds the documents to delete with a read (tens of milliseconds, the whole
// journal), which would hold the writer and every submission queued behind it, and takes the
// write lock only for the short delete by _id that follows.
func (s *RollupStore) clear(ctx context.Context, col string, ids []bson.ObjectID, backlog bool) error {
	if len(ids) == 0 {
		return nil
	}
	if !backlog {
		_, err := s.db.DB.Collection(col).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
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
		if err := s.db.lane.background(func() error {
			_, err := s.writes.Collection(col).BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(true))
			return err
		}); err != nil {
			return fmt.Errorf("mongodb: clear %s: %w", col, err)
		}
	}
	return nil
}

// rollupDoc is a bucket as stored: its key, the last batch applied to it, its counts, and its
// dimensions (rollup.Dims).
type rollupDoc struct {
	Key               string `bson:"_id"`
	Seq               int64  `bson:"seq"`
	rollup.BucketDims `bson:",inline"`
	C                 map[string]int64 `bson:"c"`
}

func (d *rollupDoc) bucket() (stats.Bucket, error) {
	b, err := d.BucketDims.Bucket()
	if err != nil {
		return stats.Bucket{}, fmt.Errorf("mongodb: rollup %q: %w", d.Key, err)
	}
	b.Counts = d.C
	return b, nil
}

// rollupDocAt is bucket b as stored once batch seq has applied to it.
func rollupDocAt(b *stats.Bucket, seq int64) bson.D {
	return append(bson.D{{Key: "_id", Value: b.Key()}, {Key: "seq", Value: seq}, {Key: "c", Value: b.Counts}}, rollup.Dims(*b)...)
}

// EachBucket reads every stored day bucket.
func (s *RollupStore) EachBucket(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error {
	return eachBucketOf(ctx, s.rollups, fn)
}

// EachMonth reads every stored month sum.
func (s *RollupStore) EachMonth(ctx context.Context, fn func(key string, seq int64, b stats.Bucket)) error {
	return eachBucketOf(ctx, s.months, fn)
}

// EachMonthCount reads the counts of every stored month sum.
func (s *RollupStore) EachMonthCount(ctx context.Context, fn func(key string, seq int64, counts map[string]int64)) error {
	return scan(ctx, s.months, func(d *rollupDoc) { fn(d.Key, d.Seq, d.C) })
}

// MonthsBuilt reports whether the month sums are stored.
func (s *RollupStore) MonthsBuilt(ctx context.Context) (bool, error) {
	err := s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: monthsKey}}).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mongodb: read rollup month sums record: %w", err)
	}
	return true, nil
}

// BuildMonths deletes every month sum, writes sums (1,000 per command), each marked as holding
// batch seq, and records the month sums as built.
func (s *RollupStore) BuildMonths(ctx context.Context, seq int64, sums stats.Buckets) error {
	err := s.db.lane.background(func() error {
		_, err := s.writes.Collection(colMonths).DeleteMany(ctx, bson.D{})
		return err
	})
	if err != nil {
		return fmt.Errorf("mongodb: clear month sums: %w", err)
	}
	docs := make([]any, 0, len(sums))
	for key, b := range sums {
		docs = append(docs, append(bson.D{{Key: "_id", Value: key}, {Key: "seq", Value: seq}, {Key: "c", Value: b.Counts}}, rollup.Dims(*b)...))
	}
	for start := 0; start < len(docs); start += 1000 {
		chunk := docs[start:min(start+1000, len(docs))]
		err := s.db.lane.background(func() error { _, err := s.writes.Collection(colMonths).InsertMany(ctx, chunk); return err })
		if err != nil {
			return fmt.Errorf("mongodb: write month sums: %w", err)
		}
	}
	if err := s.recordSeq(ctx, monthsKey, "$set", seq); err != nil {
		return fmt.Errorf("mongodb: record month sums built: %w", err)
	}
	return nil
}

// eachBucketOf reads every bucket stored in col.
func eachBucketOf(ctx context.Context, col *mongo.Collection, fn func(key string, seq int64, b stats.Bucket)) error {
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetBatchSize(2000))
	if err != nil {
		return fmt.Errorf("mongodb: read rollups: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d rollupDoc
		if err := cur.Decode(&d); err != nil {
			return fmt.Errorf("mongodb: decode rollup: %w", err)
		}
		b, err := d.bucket()
		if err != nil {
			return err
		}
		fn(d.Key, d.Seq, b)
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("mongodb: read rollups: %w", err)
	}
	return nil
}

// EachCommentDay reads every stored day of comments.
func (s *RollupStore) EachCommentDay(ctx context.Context, fn func(day string, seq int64, items []stats.Comment)) error {
	return scan(ctx, s.comments, func(d *struct {
		Day   string          `bson:"_id"`
		Seq   int64           `bson:"seq"`
		Items []stats.Comment `bson:"items"`
	}) {
		fn(d.Day, d.Seq, d.Items)
	})
}

// EachCount reads the counts of every stored bucket.
func (s *RollupStore) EachCount(ctx context.Context, fn func(key string, seq int64, counts map[string]int64)) error {
	return scan(ctx, s.rollups, func(d *rollupDoc) { fn(d.Key, d.Seq, d.C) })
}

// EachTicket reads every stored ticket.
func (s *RollupStore) EachTicket(ctx context.Context, fn func(*survey.Ticket)) error {
	return scan(ctx, s.db.DB.Collection(colTickets), fn)
}

// EachResponse reads every stored response.
func (s *RollupStore) EachResponse(ctx context.Context, fn func(*survey.Response)) error {
	return scan(ctx, s.db.DB.Collection(colResponses), fn)
}

// EachJournalEntry reads every journal entry.
func (s *RollupStore) EachJournalEntry(ctx context.Context, fn func(*rollup.JournalEntry)) error {
	return scan(ctx, s.journal, func(e *JournalEntry) { fn((*rollup.JournalEntry)(e)) })
}

// ReplaceBuckets deletes every bucket, then writes buckets, 1,000 per command.
func (s *RollupStore) ReplaceBuckets(ctx context.Context, seq int64, buckets stats.Buckets) error {
	if _, err := s.rollups.DeleteMany(ctx, bson.D{}); err != nil {
		return fmt.Errorf("mongodb: clear rollups: %w", err)
	}
	docs := make([]any, 0, len(buckets))
	for _, b := range buckets {
		docs = append(docs, rollupDocAt(b, seq))
	}
	for start := 0; start < len(docs); start += 1000 {
		if _, err := s.rollups.InsertMany(ctx, docs[start:min(start+1000, len(docs))]); err != nil {
			return fmt.Errorf("mongodb: write rollups: %w", err)
		}
	}
	return nil
}

// scan calls fn for every document of col, read 2,000 at a time.
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

// DropCommentDaysBefore deletes the stored days of comments before day (YYYY-MM-DD), so the
// managers' lists of latest comments keep no comment past the retention. The buckets, which
// the figures and `rollup verify` read, are untouched. It returns how many days it deleted.
func (s *RollupStore) DropCommentDaysBefore(ctx context.Context, day string) (int64, error) {
	var n int64
	err := s.db.lane.background(func() error {
		res, err := s.writes.Collection(colComments).DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: day}}}})
		if res != nil {
			n = res.DeletedCount
		}
		return err
	})
	if err != nil {
		return n, storeErr("drop old comment days", err)
	}
	return n, nil
}
