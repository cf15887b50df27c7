package mongodb

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/groupcommit"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/survey"
)

var (
	_ survey.ResponseStore = (*ResponseStore)(nil)
	_ cases.ResponseReader = (*ResponseStore)(nil)
)

// ResponseStore stores responses with group commit: concurrent submissions are written as one
// unordered batch insert, and each caller is answered only once its own document is
// acknowledged; a duplicate in a batch is rejected alone.
type ResponseStore struct {
	col     *mongo.Collection // reads
	writes  *mongo.Collection // the same collection through the write handle
	lane    *lane
	journal *Journal
	log     *slog.Logger
	in      chan *submission
	wg      sync.WaitGroup
	closing chan struct{}
	once    sync.Once
	// Batches reports the size of each batch written (for metrics); may be nil.
	Batches func(n int)
}

type submission struct {
	r    *survey.Response
	done chan error
}

// Group-commit tuning (the writers in parallel are db.Writers()): the largest batch one writes, and the shortest
// time between the starts of two batches. Each batch costs the store two commits whatever its
// size: at a moderate rate, batches written back to back would hold a handful of submissions
// each and keep the single writer busy, so the rollups' writes would queue behind them. A
// submission arriving after a quiet spell is written at once.
const (
	maxBatch    = 512
	minFlushGap = 10 * time.Millisecond
)

// NewResponseStore starts the batch writers; Close stops them after flushing.
func NewResponseStore(db *DB, journal *Journal, log *slog.Logger) *ResponseStore {
	s := &ResponseStore{
		col:     db.DB.Collection(colResponses),
		writes:  db.W.Collection(colResponses),
		lane:    db.lane,
		journal: journal,
		log:     log,
		in:      make(chan *submission, maxBatch*db.Writers()),
		closing: make(chan struct{}),
	}
	for range db.Writers() {
		s.wg.Add(1)
		go s.writer()
	}
	return s
}

// SubmitResponse stores r once. It returns survey.ErrAlreadyRated when the ticket already has
// a response, and an unavailable error when the store did not acknowledge the write.
func (s *ResponseStore) SubmitResponse(ctx context.Context, r *survey.Response) error {
	sub := &submission{r: r, done: make(chan error, 1)}
	select {
	case <-s.closing:
		return survey.Wrap(errors.New("mongodb: response store is closing"))
	default:
	}
	select {
	case s.in <- sub:
	case <-ctx.Done():
		return survey.Wrap(ctx.Err())
	}
	select {
	case err := <-sub.done:
		return err
	case <-ctx.Done():
		return survey.Wrap(ctx.Err())
	}
}

// Answered reports whether token's ticket has a response.
func (s *ResponseStore) Answered(ctx context.Context, token string) (bool, error) {
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: token}}, options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, storeErr("find response", err)
	}
	return true, nil
}

// Response returns the stored response of token, or nil when there is none.
func (s *ResponseStore) Response(ctx context.Context, token string) (*survey.Response, error) {
	var r survey.Response
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: token}}).Decode(&r)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, storeErr("read response", err)
	}
	return &r, nil
}

// Close stops accepting submissions and returns once every queued one has been written.
func (s *ResponseStore) Close() {
	s.once.Do(func() {
		close(s.closing)
		close(s.in)
	})
	s.wg.Wait()
}

func (s *ResponseStore) writer() {
	defer s.wg.Done()
	defer s.journal.Flush(context.Background())
	var flushed time.Time
	for first := range s.in {
		batch := groupcommit.Gather(s.in, first, flushed, minFlushGap, maxBatch, func(*submission) int { return 1 })
		flushed = time.Now()
		s.flush(batch)
	}
}

// flush journals the batch with the confirmations the journal carries, inserts it unordered,
// answers each caller with its own result, and leaves the batch's confirmation to the next
// entry.
func (s *ResponseStore) flush(batch []*submission) {
	if s.Batches != nil {
		s.Batches(len(batch))
	}
	ctx := context.Background()
	events := make([]rollup.Event, 0, len(batch))
	docs := make([]any, len(batch))
	for i, sub := range batch {
		docs[i] = sub.r
		events = append(events, responseEvent(sub.r))
	}
	var id bson.ObjectID
	var inserted error
	// Both writes in one turn of the lane: a background write between them would hold the
	// batch up twice.
	err := s.lane.urgent(func() (err error) {
		if id, err = s.journal.BeginCarrying(ctx, events); err != nil {
			return err
		}
		inserted = s.insert(ctx, docs)
		return nil
	})
	if err != nil {
		answerAll(batch, storeErr("journal responses", err))
		return
	}
	results := insertResults(len(batch), inserted)
	c := rollup.Confirmation{ID: id, Single: len(batch) == 1}
	for i, sub := range batch {
		if results[i] == nil {
			c.OK = append(c.OK, i)
		}
		sub.done <- results[i]
	}
	s.journal.Carry(c)
}

func (s *ResponseStore) insert(ctx context.Context, docs []any) error {
	_, err := s.writes.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	return err
}

// insertResults spreads an unordered InsertMany result over its documents: a duplicate key
// fails only its own document; an error without per-document detail fails them all.
func insertResults(n int, err error) []error {
	res := perDocument(n, err)
	for i, e := range res {
		switch {
		case e == nil:
		case isDuplicate(e):
			res[i] = survey.ErrAlreadyRated
		default:
			res[i] = storeErr("insert responses", e)
		}
	}
	return res
}

// perDocument spreads the error of an unordered batch write of n documents over them: each
// document gets its own write error (a duplicate key among them), or none; an error without
// per-document detail is every document's.
func perDocument(n int, err error) []error {
	res := make([]error, n)
	if err == nil {
		return res
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil || len(bwe.WriteErrors) == 0 {
		for i := range res {
			res[i] = err
		}
		return res
	}
	for _, we := range bwe.WriteErrors {
		if we.Index >= 0 && we.Index < n {
			res[we.Index] = we
		}
	}
	return res
}

func answerAll(batch []*submission, err error) {
	for _, sub := range batch {
		sub.done <- err
	}
}

// ReduceOlderThan removes the dossier code, the comment and the answers of every response
// submitted before cutoff, leaving what the rollups count (the bucket's unit, field, channel,
// officer and day, the ratings and flags). It returns how many responses it reduced.
func (s *ResponseStore) ReduceOlderThan(ctx context.Context, cutoff time.Time) (int64, error) {
	filter := bson.D{
		{Key: "submitted_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}},
		{Key: "dossier_code", Value: bson.D{{Key: "$exists", Value: true}}},
	}
	unset := bson.D{{Key: "$unset", Value: bson.D{{Key: "dossier_code", Value: ""}, {Key: "comment", Value: ""}, {Key: "answers", Value: ""}}}}
	var n int64
	err := s.lane.background(func() error {
		res, err := s.writes.UpdateMany(ctx, filter, unset)
		if res != nil {
			n = res.ModifiedCount
		}
		return err
	})
	if err != nil {
		return n, storeErr("reduce old responses", err)
	}
	return n, nil
}
