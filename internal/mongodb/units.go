package mongodb

import (
	"context"

	"github.com/hailong/hailong/internal/org"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ org.UnitStore = (*UnitStore)(nil)

// UnitStore keeps the agency hierarchy and counters (hundreds of documents at most).
type UnitStore struct{ units, counters *mongo.Collection }

// NewUnitStore returns the unit store in db.
func NewUnitStore(db *DB) *UnitStore {
	return &UnitStore{units: db.DB.Collection(colUnits), counters: db.DB.Collection(colCounters)}
}

// Units returns every unit.
func (s *UnitStore) Units(ctx context.Context) ([]org.Unit, error) {
	return all[org.Unit](ctx, s.units)
}

// SaveUnit creates or replaces a unit.
func (s *UnitStore) SaveUnit(ctx context.Context, u org.Unit) error {
	_, err := s.units.ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.Code}}, u, options.Replace().SetUpsert(true))
	return storeErr("save unit", err)
}

// DeleteUnit removes a unit; its responses stay and it shows as unplaced again.
func (s *UnitStore) DeleteUnit(ctx context.Context, code string) error {
	_, err := s.units.DeleteOne(ctx, bson.D{{Key: "_id", Value: code}})
	return storeErr("delete unit", err)
}

// Counters returns every counter.
func (s *UnitStore) Counters(ctx context.Context) ([]org.Counter, error) {
	return all[org.Counter](ctx, s.counters)
}

// SaveCounter creates or replaces a counter.
func (s *UnitStore) SaveCounter(ctx context.Context, c org.Counter) error {
	c.ID = org.CounterID(c.Agency, c.Code)
	_, err := s.counters.ReplaceOne(ctx, bson.D{{Key: "_id", Value: c.ID}}, c, options.Replace().SetUpsert(true))
	return storeErr("save counter", err)
}

// all reads a whole small collection ordered by _id.
func all[T any](ctx context.Context, col *mongo.Collection) ([]T, error) {
	cur, err := col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, storeErr("list "+col.Name(), err)
	}
	var out []T
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("read "+col.Name(), err)
	}
	return out, nil
}
