package mongodb

import (
	"context"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/alerts"
)

const colAlertStates = "alert_states"

var _ alerts.States = (*AlertStateStore)(nil)

// AlertStateStore keeps where each watched figure stands for alerting. Only the holder of the
// alerts lease writes it.
type AlertStateStore struct{ col *mongo.Collection }

// NewAlertStateStore returns the alert state store in db.
func NewAlertStateStore(db *DB) *AlertStateStore {
	return &AlertStateStore{col: db.DB.Collection(colAlertStates)}
}

// AlertState returns the state under key, the zero state when none is stored.
func (s *AlertStateStore) AlertState(ctx context.Context, key string) (alerts.State, error) {
	var st alerts.State
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&st)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return alerts.State{}, nil
	}
	return st, storeErr("read alert state", err)
}

// SaveAlertState stores st under key.
func (s *AlertStateStore) SaveAlertState(ctx context.Context, key string, st alerts.State) error {
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: key}}, st, options.Replace().SetUpsert(true))
	return storeErr("save alert state", err)
}
