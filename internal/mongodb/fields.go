package mongodb

import (
	"context"

	"github.com/hailong/hailong/internal/org"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ org.FieldStore = (*FieldStore)(nil)

// FieldStore keeps the field catalogue (a few dozen documents).
type FieldStore struct{ col *mongo.Collection }

// NewFieldStore returns the field store in db.
func NewFieldStore(db *DB) *FieldStore { return &FieldStore{col: db.DB.Collection(colFields)} }

// Fields returns the whole catalogue ordered by code.
func (s *FieldStore) Fields(ctx context.Context) ([]org.Field, error) {
	cur, err := s.col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, storeErr("list fields", err)
	}
	var out []org.Field
	if err := cur.All(ctx, &out); err != nil {
		return nil, storeErr("read fields", err)
	}
	return out, nil
}

// SaveField creates or replaces a field; its code is its identity.
func (s *FieldStore) SaveField(ctx context.Context, f org.Field) error {
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: f.Code}}, f, options.Replace().SetUpsert(true))
	return storeErr("save field", err)
}
