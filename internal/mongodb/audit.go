package mongodb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/hailong/hailong/internal/account"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

var _ account.AuditStore = (*AuditStore)(nil)

// AuditStore keeps the audit trail. Entries are only ever inserted, under an _id that starts
// with the time of recording, so sorting by _id lists them in order without a secondary index.
type AuditStore struct{ col *mongo.Collection }

// NewAuditStore returns the audit store in db.
func NewAuditStore(db *DB) *AuditStore { return &AuditStore{col: db.DB.Collection(colAudit)} }

// auditIDLayout is RFC 3339 with a fixed nine-digit fraction: time.RFC3339Nano drops trailing
// zeros, which would make "…:05.1Z" sort after "…:05.12Z".
const auditIDLayout = "2006-01-02T15:04:05.000000000Z"

// Record stores e under a new time-ordered ID; a zero e.At is set to now.
func (s *AuditStore) Record(ctx context.Context, e account.AuditEntry) error {
	now := time.Now().UTC()
	if e.At.IsZero() {
		e.At = now
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	e.ID = now.Format(auditIDLayout) + "-" + hex.EncodeToString(suffix)
	_, err := s.col.InsertOne(ctx, e)
	return storeErr("insert audit entry", err)
}

// Recent returns the newest n entries, newest first.
func (s *AuditStore) Recent(ctx context.Context, n int) ([]account.AuditEntry, error) {
	if n <= 0 {
		return nil, nil
	}
	opts := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(int64(n))
	cur, err := s.col.Find(ctx, bson.D{}, opts)
	if err != nil {
		return nil, storeErr("list audit entries", err)
	}
	var out []account.AuditEntry
	return out, storeErr("read audit entries", cur.All(ctx, &out))
}
