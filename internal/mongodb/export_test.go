package mongodb

import (
	"context"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/survey"
)

// ResponseEvent exposes responseEvent to tests that journal by hand.
func ResponseEvent(r *survey.Response) Event { return responseEvent(r) }

// ApplyPartOfNextBatch creates the next batch and applies only its first n bucket updates,
// leaving it incomplete as a crash would.
func (w *RollupWorker) ApplyPartOfNextBatch(ctx context.Context, n int) error {
	if _, err := w.lease(ctx); err != nil {
		return err
	}
	done, err := w.Done(ctx)
	if err != nil {
		return err
	}
	b, err := w.newBatch(ctx, done+1)
	if err != nil || b == nil {
		return err
	}
	part := *b
	part.Incs = b.Incs[:min(n, len(b.Incs))]
	return w.apply(ctx, &part, true)
}

// Reapply applies completed batch id again, as a worker resuming after a crash would.
func (w *RollupWorker) Reapply(ctx context.Context, id int64) error {
	b, err := w.batch(ctx, id)
	if err != nil || b == nil {
		return err
	}
	return w.apply(ctx, b, false)
}

// JournalLen counts the journal entries not yet rolled up.
func (w *RollupWorker) JournalLen(ctx context.Context) int64 {
	n, _ := w.journal.CountDocuments(ctx, bson.D{})
	return n
}
