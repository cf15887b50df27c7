package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
)

// ClaimOnce reports true the first time it is called with name on this store, so one-off work
// (such as loading demo data) runs once even across restarts.
func (d *DB) ClaimOnce(ctx context.Context, name string) (bool, error) {
	_, err := d.DB.Collection(colSettings).InsertOne(ctx, bson.D{{Key: "_id", Value: "once:" + name}})
	if isDuplicate(err) {
		return false, nil
	}
	return err == nil, storeErr("claim "+name, err)
}

// LoadDemo bulk-writes demo tickets and responses with their rollup buckets and comments already
// computed (completed batch 0), bypassing the journal: it is only for an empty demo store.
func (d *DB) LoadDemo(ctx context.Context, tickets, responses []any, buckets stats.Buckets, comments []stats.Comment) error {
	if err := insertBatches(ctx, d.DB.Collection(colTickets), tickets); err != nil {
		return err
	}
	if err := insertBatches(ctx, d.DB.Collection(colResponses), responses); err != nil {
		return err
	}
	docs := make([]any, 0, len(buckets))
	for _, b := range buckets {
		docs = append(docs, RollupDoc(b))
	}
	if err := insertBatches(ctx, d.DB.Collection(colRollups), docs); err != nil {
		return err
	}
	if err := NewRollupStore(d).BuildMonths(ctx, 0, rollup.MonthSums(buckets)); err != nil {
		return err
	}
	days := map[string][]stats.Comment{}
	for _, c := range comments {
		day := stats.DateOf(c.At).String()
		days[day] = append(days[day], c)
	}
	var dayDocs []any
	for day, items := range days {
		dayDocs = append(dayDocs, bson.D{{Key: "_id", Value: day}, {Key: "seq", Value: int64(0)}, {Key: "items", Value: items}})
	}
	return insertBatches(ctx, d.DB.Collection(colComments), dayDocs)
}

// RollupDoc is bucket b as the rollups store it, before any batch has applied to it (seq 0):
// for loading precomputed buckets into an empty store.
func RollupDoc(b *stats.Bucket) bson.D { return rollupDocAt(b, 0) }

func insertBatches(ctx context.Context, col *mongo.Collection, docs []any) error {
	for start := 0; start < len(docs); start += 1000 {
		_, err := col.InsertMany(ctx, docs[start:min(start+1000, len(docs))], options.InsertMany().SetOrdered(false))
		if err != nil {
			return fmt.Errorf("mongodb: load %s: %w", col.Name(), err)
		}
	}
	return nil
}
