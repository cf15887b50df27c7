package mongodb

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/org"
)

// colProcedures holds each procedure's name by its code.
const colProcedures = "procedures"

var _ org.ProcedureStore = (*ProcedureStore)(nil)

// ProcedureStore keeps procedure names, one document per code.
type ProcedureStore struct {
	col *mongo.Collection
}

// NewProcedureStore returns the procedure store in db.
func NewProcedureStore(db *DB) *ProcedureStore {
	return &ProcedureStore{col: db.DB.Collection(colProcedures)}
}

type procedureDoc struct {
	Code string `bson:"_id"`
	Name string `bson:"name"`
}

// SaveProcedureName stores the name of procedure code.
func (s *ProcedureStore) SaveProcedureName(ctx context.Context, code, name string) error {
	_, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: code}}, procedureDoc{Code: code, Name: name}, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("mongodb: save procedure name: %w", err)
	}
	return nil
}

// ProcedureNames reads every procedure name by code.
func (s *ProcedureStore) ProcedureNames(ctx context.Context) (map[string]string, error) {
	cur, err := s.col.Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("mongodb: read procedure names: %w", err)
	}
	var docs []procedureDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongodb: read procedure names: %w", err)
	}
	out := make(map[string]string, len(docs))
	for _, d := range docs {
		out[d.Code] = d.Name
	}
	return out, nil
}
