package mongodb

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/rollup"
)

// Journal records, before a ticket or response is written, what it will add to the rollups.
// Once a batch's writes are acknowledged, a confirmation lists the events that took effect: it
// rides in the next batch's entry, or is stored on its own when no batch follows soon. The
// rollup worker consumes confirmed entries, and checks stale unconfirmed ones (a crash between
// the steps) against the stored documents, so a crash at any point neither drops nor
// double-counts anything.
type Journal struct {
	col           *mongo.Collection
	confirmations *mongo.Collection
	log           *slog.Logger

	// carried are confirmations the next entry will carry (see Carry).
	mu      sync.Mutex
	carried []rollup.Confirmation
	idle    *time.Timer
}

// JournalEntry is a rollup journal entry as the journal stores it (see storedEntry).
type JournalEntry rollup.JournalEntry

// storedEntry is a journal entry as stored. The events go packed into one binary field: the
// embedded store converts, schema-annotates and parses for its indexes every field of a document,
// at a cost that grows with the document's structure (a batch's events cost about as much
// to store as the responses themselves), and the events are only ever read back whole.
// The packed events are compressed (S2): the store also scans the whole journal to delete
// consumed entries, at a cost that grows with their size, and a batch's events compress to
// about 40% (field names and dimensions repeat; tokens do not).
type storedEntry struct {
	ID         bson.ObjectID  `bson:"_id"`
	State      string         `bson:"state"`
	At         time.Time      `bson:"at"`
	Compressed []byte         `bson:"evz,omitempty"`
	Packed     []byte         `bson:"ev,omitempty"`     // entries written before compression
	Events     []rollup.Event `bson:"events,omitempty"` // entries written before the events were packed
}

type packedEvents struct {
	E []rollup.Event        `bson:"e"`
	C []rollup.Confirmation `bson:"c,omitempty"`
}

// MarshalBSON stores the entry with its events packed.
func (e JournalEntry) MarshalBSON() ([]byte, error) {
	packed, err := bson.Marshal(packedEvents{E: e.Events, C: e.Confirms})
	if err != nil {
		return nil, err
	}
	return bson.Marshal(storedEntry{ID: e.ID, State: statePending, At: e.At, Compressed: s2.Encode(nil, packed)})
}

// UnmarshalBSON reads an entry stored compressed or, from earlier versions, packed or with its
// events inline.
func (e *JournalEntry) UnmarshalBSON(b []byte) error {
	var s storedEntry
	if err := bson.Unmarshal(b, &s); err != nil {
		return err
	}
	*e = JournalEntry{ID: s.ID, At: s.At, Events: s.Events}
	if len(s.Compressed) > 0 {
		var err error
		if s.Packed, err = s2.Decode(nil, s.Compressed); err != nil {
			return fmt.Errorf("mongodb: journal entry %s: %w", s.ID.Hex(), err)
		}
	}
	if len(s.Packed) == 0 {
		return nil
	}
	var p packedEvents
	if err := bson.Unmarshal(s.Packed, &p); err != nil {
		return fmt.Errorf("mongodb: journal entry %s: %w", s.ID.Hex(), err)
	}
	e.Events, e.Confirms = p.E, p.C
	return nil
}

// statePending is the state of every journal entry; confirmations live apart (see Commit).
const statePending = "pending"

// NewJournal returns the journal in db.
func NewJournal(db *DB, log *slog.Logger) *Journal {
	return &Journal{col: db.W.Collection(colJournal), confirmations: db.W.Collection(colJournalOK), log: log}
}

// Begin records events as pending and returns the entry's id.
func (j *Journal) Begin(ctx context.Context, events ...rollup.Event) (bson.ObjectID, error) {
	return j.begin(ctx, nil, events)
}

// begin records events as pending, with confirmations of earlier entries that take effect
// with this one.
func (j *Journal) begin(ctx context.Context, confirms []rollup.Confirmation, events []rollup.Event) (bson.ObjectID, error) {
	e := JournalEntry{ID: bson.NewObjectID(), At: time.Now().UTC(), Events: events, Confirms: confirms}
	_, err := j.col.InsertOne(ctx, e)
	return e.ID, err
}

// confirmAfter is how long a confirmation waits for the next entry to carry it before it is
// stored on its own: under load every batch, of tickets or responses, carries the confirmations
// of the batches before it, saving a commit each.
const confirmAfter = 20 * time.Millisecond

// BeginCarrying records events as pending with the confirmations carried so far, and returns
// the entry's id. When the entry is not written, the confirmations stay carried.
func (j *Journal) BeginCarrying(ctx context.Context, events []rollup.Event) (bson.ObjectID, error) {
	j.mu.Lock()
	confirms := j.carried
	j.carried = nil
	j.mu.Unlock()
	id, err := j.begin(ctx, confirms, events)
	if err != nil {
		j.Carry(confirms...)
	}
	return id, err
}

// Carry leaves confirmations to the next entry, or to Commit on their own once confirmAfter
// passes without one.
func (j *Journal) Carry(confirms ...rollup.Confirmation) {
	if len(confirms) == 0 {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.carried = append(j.carried, confirms...)
	if j.idle == nil {
		j.idle = time.AfterFunc(confirmAfter, func() { j.Flush(context.Background()) })
	} else {
		j.idle.Reset(confirmAfter)
	}
}

// Flush stores the carried confirmations now, but for those of single-event entries, which
// need none (see rollup.Confirmation).
func (j *Journal) Flush(ctx context.Context) {
	j.mu.Lock()
	confirms := j.carried
	j.carried = nil
	j.mu.Unlock()
	confirms = slices.DeleteFunc(confirms, func(c rollup.Confirmation) bool { return c.Single })
	if len(confirms) > 0 {
		j.Commit(ctx, confirms...)
	}
}

// PurgeConfirmationsBefore deletes the confirmations stored on their own for entries begun
// before t, and returns how many it deleted. The rollups consume a confirmation with its entry
// within seconds; an entry older than their staleness limit is checked against the stored
// documents without it.
func (j *Journal) PurgeConfirmationsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := j.confirmations.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$lt", Value: bson.NewObjectIDFromTimestamp(t)}}}})
	if err != nil {
		return 0, fmt.Errorf("mongodb: purge journal confirmations: %w", err)
	}
	return res.DeletedCount, nil
}

// Commit stores confirmations on their own, for when no later entry carries them. It inserts
// small documents rather than updating the entries, which on the embedded store would rewrite
// them whole. A failure is only logged: a stale unconfirmed entry is checked against the store
// later.
func (j *Journal) Commit(ctx context.Context, confirms ...rollup.Confirmation) {
	docs := make([]any, len(confirms))
	for i, c := range confirms {
		docs[i] = c
	}
	_, err := j.confirmations.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !isDuplicate(err) {
		j.log.Warn("journal commit failed; the entry will be checked against the store", "err", err)
	}
}
