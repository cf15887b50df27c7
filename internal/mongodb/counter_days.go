package mongodb

import (
	"context"
	"errors"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
)

// colCounterDays holds each counter's dossiers of each day.
const colCounterDays = "counter_days"

// maxSlotProbes bounds how far an append walks past a stale hint before giving up.
const maxSlotProbes = 1000

var _ ticket.CounterDays = (*CounterDayStore)(nil)

// CounterDayStore keeps each counter's day list as numbered slot documents, key#1, key#2, …,
// each claimed by inserting it (the _id makes the claim atomic), plus a summary document, key,
// holding a copy of the first slots and the highest slot known. The embedded store does not
// apply two concurrent updates of one document atomically (of 20 concurrent $push to one
// document, 4 were kept), so the list itself is never updated in place: the summary is only a
// cache, and losing a write to it costs a few more look-ups, never an entry.
type CounterDayStore struct {
	col *mongo.Collection
}

// NewCounterDayStore returns the counter day store in db.
func NewCounterDayStore(db *DB) *CounterDayStore {
	return &CounterDayStore{col: db.DB.Collection(colCounterDays)}
}

// daySummary caches slots 1..len(Entries) of a day list; Last is the highest slot known taken.
type daySummary struct {
	ID      string                  `bson:"_id"`
	Last    int                     `bson:"last"`
	Entries []ticket.CounterDossier `bson:"entries"`
}

type daySlot struct {
	ID                    string `bson:"_id"`
	ticket.CounterDossier `bson:",inline"`
}

// dayKey names a counter's day; "|" occurs in no agency or counter code.
func dayKey(agency, counter, day string) string { return agency + "|" + counter + "|" + day }

func slotID(key string, n int) string { return key + "#" + strconv.Itoa(n) }

// AddCounterDossier claims the first free slot of the day's list for d. Slots stay contiguous:
// every append starts from a slot known to be taken and takes the first free one after it.
func (s *CounterDayStore) AddCounterDossier(ctx context.Context, agency, counter, day string, d ticket.CounterDossier) error {
	key := dayKey(agency, counter, day)
	sum, err := s.summary(ctx, key)
	if err != nil {
		return err
	}
	n := max(sum.Last, len(sum.Entries))
	for range maxSlotProbes {
		n++
		_, err := s.col.InsertOne(ctx, daySlot{ID: slotID(key, n), CounterDossier: d})
		if isDuplicate(err) {
			continue
		}
		if err != nil {
			return storeErr("add counter dossier", err)
		}
		if len(sum.Entries) == n-1 {
			sum.Entries = append(sum.Entries, d)
		}
		sum.Last = n
		s.saveSummary(ctx, sum)
		return nil
	}
	return survey.Wrap(errors.New("mongodb: no free slot in counter day " + key))
}

// CounterDossiers returns the day's list: the summary's copy, then the slots after it.
func (s *CounterDayStore) CounterDossiers(ctx context.Context, agency, counter, day string) ([]ticket.CounterDossier, error) {
	key := dayKey(agency, counter, day)
	sum, err := s.summary(ctx, key)
	if err != nil {
		return nil, err
	}
	known := len(sum.Entries)
	for n := known + 1; ; n++ {
		var slot daySlot
		err := s.col.FindOne(ctx, filterID(slotID(key, n))).Decode(&slot)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return nil, storeErr("read counter dossier", err)
		}
		sum.Entries = append(sum.Entries, slot.CounterDossier)
	}
	if len(sum.Entries) > known {
		sum.Last = max(sum.Last, len(sum.Entries))
		s.saveSummary(ctx, sum)
	}
	return sum.Entries, nil
}

func (s *CounterDayStore) summary(ctx context.Context, key string) (*daySummary, error) {
	sum := &daySummary{ID: key}
	err := s.col.FindOne(ctx, filterID(key)).Decode(sum)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, storeErr("read counter day", err)
	}
	return sum, nil
}

// saveSummary writes the cache back. A failure, or a concurrent write that wins, only leaves
// the cache shorter.
func (s *CounterDayStore) saveSummary(ctx context.Context, sum *daySummary) {
	_, _ = s.col.ReplaceOne(ctx, filterID(sum.ID), sum, options.Replace().SetUpsert(true))
}
