package mongodb

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/stats"
)

// targetsID is the settings document holding the editable target table.
const targetsID = "targets"

// TargetStore keeps the satisfaction target table in the settings collection, so
// administrators can change targets without a release.
type TargetStore struct{ col *mongo.Collection }

// NewTargetStore returns the target store in db.
func NewTargetStore(db *DB) *TargetStore { return &TargetStore{col: db.DB.Collection(colSettings)} }

type targetRuleDoc struct {
	Group    string  `bson:"group"`
	FromYear int     `bson:"from_year"`
	Target   float64 `bson:"target"`
}

type targetsDoc struct {
	ID          string            `bson:"_id"`
	Rules       []targetRuleDoc   `bson:"rules"`
	FieldGroups map[string]string `bson:"field_groups"`
}

// Targets returns the stored target table, or the plan's defaults when none is stored.
func (s *TargetStore) Targets(ctx context.Context) (stats.TargetTable, error) {
	var d targetsDoc
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: targetsID}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return stats.DefaultTargets(), nil
	}
	if err != nil {
		return stats.TargetTable{}, storeErr("read targets", err)
	}
	tt := stats.TargetTable{FieldGroups: d.FieldGroups}
	for _, r := range d.Rules {
		tt.Rules = append(tt.Rules, stats.TargetRule{Group: r.Group, FromYear: r.FromYear, Target: r.Target})
	}
	return tt, nil
}

// SaveTargets validates and stores tt, replacing the previous table.
func (s *TargetStore) SaveTargets(ctx context.Context, tt stats.TargetTable) error {
	if err := tt.Validate(); err != nil {
		return fmt.Errorf("mongodb: save targets: %w", err)
	}
	d := targetsDoc{ID: targetsID, FieldGroups: tt.FieldGroups}
	for _, r := range tt.Rules {
		d.Rules = append(d.Rules, targetRuleDoc{Group: r.Group, FromYear: r.FromYear, Target: r.Target})
	}
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: targetsID}}, d, options.Replace().SetUpsert(true))
	return storeErr("save targets", err)
}
