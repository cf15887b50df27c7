package mongodb

import (
	"context"
	"errors"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/outbox"
)

// Collections of the outbox.
const (
	colOutbox     = "outbox"
	colDeliveries = "deliveries"
	colClaims     = "delivery_claims"
)

var _ outbox.Store = (*OutboxStore)(nil)

// OutboxStore keeps the outbox's events, their deliveries and the claims on attempts. Every
// write that must happen once is an insert under an _id derived from its cause, so it holds
// on the embedded store, which does not update one document atomically under concurrency.
type OutboxStore struct {
	events, deliveries, claims *mongo.Collection
}

// NewOutboxStore returns the outbox store in db.
func NewOutboxStore(db *DB) *OutboxStore {
	return &OutboxStore{events: db.DB.Collection(colOutbox), deliveries: db.DB.Collection(colDeliveries), claims: db.DB.Collection(colClaims)}
}

// Record stores each event unless one with its ID exists.
func (s *OutboxStore) Record(ctx context.Context, evs []outbox.Event) error {
	docs := make([]any, len(evs))
	for i := range evs {
		docs[i] = &evs[i]
	}
	_, err := s.events.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return storeErr("record events", err)
	}
	return nil
}

// Event returns the event with id.
func (s *OutboxStore) Event(ctx context.Context, id string) (*outbox.Event, error) {
	var ev outbox.Event
	err := s.events.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&ev)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, outbox.ErrNotFound
	}
	if err != nil {
		return nil, storeErr("read event", err)
	}
	return &ev, nil
}

// Unfanned lists up to limit events whose deliveries were not created yet, oldest first.
func (s *OutboxStore) Unfanned(ctx context.Context, limit int) ([]outbox.Event, error) {
	cur, err := s.events.Find(ctx, bson.D{{Key: "fanned", Value: false}},
		options.Find().SetSort(bson.D{{Key: "at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, storeErr("list new events", err)
	}
	var out []outbox.Event
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("list new events", err)
	}
	return out, nil
}

// Fan stores each delivery unless it exists, then marks ev fanned and drops its address: a
// crash between the two fans it out again, and the deliveries already stored stay as they are.
func (s *OutboxStore) Fan(ctx context.Context, ev *outbox.Event, ds []outbox.Delivery) error {
	if len(ds) > 0 {
		docs := make([]any, len(ds))
		for i := range ds {
			docs[i] = &ds[i]
		}
		if _, err := s.deliveries.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil && !onlyDuplicates(err) {
			return storeErr("create deliveries", err)
		}
	}
	_, err := s.events.UpdateOne(ctx, bson.D{{Key: "_id", Value: ev.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "fanned", Value: true}}}, {Key: "$unset", Value: bson.D{{Key: "to", Value: ""}}}})
	return storeErr("mark event fanned", err)
}

// Due lists up to limit pending deliveries due at now, soonest first.
func (s *OutboxStore) Due(ctx context.Context, now time.Time, limit int) ([]outbox.Delivery, error) {
	filter := bson.D{{Key: "status", Value: outbox.StatusPending}, {Key: "next_at", Value: bson.D{{Key: "$lte", Value: now}}}}
	cur, err := s.deliveries.Find(ctx, filter, options.Find().SetSort(bson.D{{Key: "next_at", Value: 1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, storeErr("list due deliveries", err)
	}
	var out []outbox.Delivery
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("list due deliveries", err)
	}
	return out, nil
}

// Claim records that owner makes attempt n of delivery id, by a unique insert.
func (s *OutboxStore) Claim(ctx context.Context, id string, n int, owner string, at time.Time) (bool, time.Time, error) {
	key := id + "#" + strconv.Itoa(n)
	_, err := s.claims.InsertOne(ctx, bson.D{{Key: "_id", Value: key}, {Key: "owner", Value: owner}, {Key: "at", Value: at}})
	if err == nil {
		return true, at, nil
	}
	if !isDuplicate(err) {
		return false, time.Time{}, storeErr("claim delivery attempt", err)
	}
	var doc struct {
		At time.Time `bson:"at"`
	}
	if err := s.claims.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&doc); err != nil {
		return false, time.Time{}, storeErr("read delivery claim", err)
	}
	return false, doc.At, nil
}

// Save stores d after attempt d.Attempts, unless a later attempt's outcome is stored.
func (s *OutboxStore) Save(ctx context.Context, d *outbox.Delivery) error {
	filter := bson.D{{Key: "_id", Value: d.ID}, {Key: "attempts", Value: bson.D{{Key: "$lt", Value: d.Attempts}}}}
	_, err := s.deliveries.ReplaceOne(ctx, filter, d)
	return storeErr("save delivery", err)
}

// Delivery returns the delivery with id.
func (s *OutboxStore) Delivery(ctx context.Context, id string) (*outbox.Delivery, error) {
	var d outbox.Delivery
	err := s.deliveries.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, outbox.ErrNotFound
	}
	if err != nil {
		return nil, storeErr("read delivery", err)
	}
	return &d, nil
}

// Deliveries lists the newest deliveries f selects.
func (s *OutboxStore) Deliveries(ctx context.Context, f outbox.Filter) ([]outbox.Delivery, error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: f.Status})
	}
	if f.Event != "" {
		filter = append(filter, bson.E{Key: "event", Value: f.Event})
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	cur, err := s.deliveries.Find(ctx, filter, options.Find().
		SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)).
		SetProjection(bson.D{{Key: "address", Value: 0}}))
	if err != nil {
		return nil, storeErr("list deliveries", err)
	}
	out := []outbox.Delivery{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("list deliveries", err)
	}
	return out, nil
}

// Resend makes delivery id pending and due at at.
func (s *OutboxStore) Resend(ctx context.Context, id string, at time.Time) error {
	_, err := s.deliveries.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: outbox.StatusPending}, {Key: "next_at", Value: at}, {Key: "resent_at", Value: at},
	}}})
	return storeErr("resend delivery", err)
}

// PurgeClaims forgets attempt claims older than before: a claim only matters while its
// attempt could still be in flight.
func (s *OutboxStore) PurgeClaims(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.claims.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}}})
	if err != nil {
		return 0, storeErr("purge delivery claims", err)
	}
	return res.DeletedCount, nil
}

// PurgeBefore forgets the events recorded before cutoff and their deliveries, unless a delivery
// is still pending (resent by an admin): the log and the events' data are kept only as long as
// they help someone follow what was sent.
func (s *OutboxStore) PurgeBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	old := bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: cutoff}}}}
	cur, err := s.deliveries.Find(ctx, bson.D{{Key: "status", Value: outbox.StatusPending}},
		options.Find().SetProjection(bson.D{{Key: "event", Value: 1}}))
	if err != nil {
		return 0, storeErr("list pending deliveries", err)
	}
	var pending []struct {
		Event string `bson:"event"`
	}
	if err := cur.All(ctx, &pending); err != nil {
		return 0, storeErr("list pending deliveries", err)
	}
	keep := []string{}
	for _, p := range pending {
		keep = append(keep, p.Event)
	}
	if _, err := s.deliveries.DeleteMany(ctx, append(old, bson.E{Key: "event", Value: bson.D{{Key: "$nin", Value: keep}}})); err != nil {
		return 0, storeErr("purge deliveries", err)
	}
	res, err := s.events.DeleteMany(ctx, bson.D{{Key: "at", Value: bson.D{{Key: "$lt", Value: cutoff}}},
		{Key: "fanned", Value: true}, {Key: "_id", Value: bson.D{{Key: "$nin", Value: keep}}}})
	if err != nil {
		return 0, storeErr("purge events", err)
	}
	return res.DeletedCount, nil
}
