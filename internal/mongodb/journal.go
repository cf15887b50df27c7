package mongodb

import (
	"context"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hailong/hailong/internal/stats"
)

// Journal records, before a ticket or response is written, what it will add to the rollups.
// An entry starts "pending"; once the writes are acknowledged it is marked "ready" with the
// events that took effect. The rollup worker consumes ready entries, and checks stale pending
// ones (a crash between the two steps) against the stored documents, so a crash at any point
// neither drops nor double-counts anything.
type Journal struct {
	col *mongo.Collection
	log *slog.Logger
}

// Event is one document's contribution to one rollup bucket.
type Event struct {
	Col   string           `bson:"col"`   // collection holding the document
	DocID string           `bson:"doc"`   // the document's _id
	Nonce string           `bson:"nonce"` // the document's nonce, to tell it from an earlier attempt's
	Key   string           `bson:"key"`   // rollup bucket
	Dims  bson.D           `bson:"dims"`  // the bucket's dimensions, stored on first use
	Inc   map[string]int64 `bson:"inc"`
	// Comment is the citizen's comment, kept for the managers' list of latest comments.
	Comment *stats.Comment `bson:"comment,omitempty"`
}

// JournalEntry is one write's record.
type JournalEntry struct {
	ID     bson.ObjectID `bson:"_id"`
	State  string        `bson:"state"` // pending | ready
	At     time.Time     `bson:"at"`
	Events []Event       `bson:"events"`
	OK     []int         `bson:"ok,omitempty"` // indexes of events whose document was stored
}

// Journal entry states.
const (
	statePending = "pending"
	stateReady   = "ready"
)

// NewJournal returns the journal in db.
func NewJournal(db *DB, log *slog.Logger) *Journal {
	return &Journal{col: db.DB.Collection(colJournal), log: log}
}

// Begin records events as pending and returns the entry's id.
func (j *Journal) Begin(ctx context.Context, events ...Event) (bson.ObjectID, error) {
	e := JournalEntry{ID: bson.NewObjectID(), State: statePending, At: time.Now().UTC(), Events: events}
	_, err := j.col.InsertOne(ctx, e)
	return e.ID, err
}

// Commit marks the entry ready with the indexes of the events that took effect (all of them
// when ok is nil). A failure is only logged: the stale pending entry is checked later.
func (j *Journal) Commit(ctx context.Context, id bson.ObjectID, ok ...int) {
	set := bson.D{{Key: "state", Value: stateReady}}
	if ok != nil {
		set = append(set, bson.E{Key: "ok", Value: ok})
	}
	_, err := j.col.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	if err != nil {
		j.log.Warn("journal commit failed; the entry will be checked against the store", "err", err)
	}
}
