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
// Once a batch's writes are acknowledged, a confirmation lists the events that took effect. The rollup worker consumes ready entries, and checks stale pending
// ones (a crash between the two steps) against the stored documents, so a crash at any point
// neither drops nor double-counts anything.
type Journal struct {
	col           *mongo.Collection
	confirmations *mongo.Collection
	log           *slog.Logger
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
}

// statePending is the state of every journal entry; confirmations live apart (see Commit).
const statePending = "pending"

// NewJournal returns the journal in db.
func NewJournal(db *DB, log *slog.Logger) *Journal {
	return &Journal{col: db.W.Collection(colJournal), confirmations: db.W.Collection(colJournalOK), log: log}
}

// Begin records events as pending and returns the entry's id.
func (j *Journal) Begin(ctx context.Context, events ...Event) (bson.ObjectID, error) {
	e := JournalEntry{ID: bson.NewObjectID(), State: statePending, At: time.Now().UTC(), Events: events}
	_, err := j.col.InsertOne(ctx, e)
	return e.ID, err
}

// Commit records that the entry's writes were acknowledged, with the indexes of the events that
// took effect. It inserts a small confirmation rather than updating the entry, which on the
// embedded store would rewrite the whole entry. A failure is only logged: a stale unconfirmed
// entry is checked against the store later.
func (j *Journal) Commit(ctx context.Context, id bson.ObjectID, ok ...int) {
	_, err := j.confirmations.InsertOne(ctx, confirmation{ID: id, OK: ok})
	if err != nil {
		j.log.Warn("journal commit failed; the entry will be checked against the store", "err", err)
	}
}

// confirmation says which events of a journal entry took effect.
type confirmation struct {
	ID bson.ObjectID `bson:"_id"`
	OK []int         `bson:"ok"`
}
