package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/rollup"
)

// Collections of follow-up cases.
const (
	colCases       = "cases"
	colCaseChanges = "case_changes"
)

// casesSettingsID is the settings document holding the follow-up rules.
const casesSettingsID = "cases"

var _ cases.Store = (*CaseStore)(nil)

// CaseStore keeps follow-up cases, one document per case keyed by its response token. A change
// is first stored whole under the case's id and new version in case_changes, whose unique _id
// lets exactly one of two concurrent changes of a version win (the embedded store does not
// update one document atomically under concurrency); the case document then follows, and a
// reader rolls forward a change a crash left behind.
type CaseStore struct {
	cases, changes, settings *mongo.Collection
	// Announce, when set, is told of each change once it is stored and before the case
	// document follows it; a reader rolling the change forward tells it again.
	Announce func(ctx context.Context, c *cases.Case) error
}

// NewCaseStore returns the case store in db.
func NewCaseStore(db *DB) *CaseStore {
	return &CaseStore{cases: db.DB.Collection(colCases), changes: db.DB.Collection(colCaseChanges), settings: db.DB.Collection(colSettings)}
}

// Open stores each case unless it exists: opening is repeated after a crash, never doubled.
func (s *CaseStore) Open(ctx context.Context, cs []*cases.Case) error {
	if len(cs) == 0 {
		return nil
	}
	docs := make([]any, len(cs))
	for i, c := range cs {
		docs[i] = c
	}
	_, err := s.cases.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return storeErr("open cases", err)
	}
	return nil
}

// onlyDuplicates reports whether every write error of a bulk insert is a duplicate key.
func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 {
			return false
		}
	}
	return true
}

// Case returns the case with id, rolling forward any change stored but not yet applied.
func (s *CaseStore) Case(ctx context.Context, id string) (*cases.Case, error) {
	var c cases.Case
	err := s.cases.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&c)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, cases.ErrNotFound
	}
	if err != nil {
		return nil, storeErr("read case", err)
	}
	for {
		next, err := s.change(ctx, id, c.Version+1)
		if err != nil || next == nil {
			return &c, err
		}
		if err := s.announce(ctx, next); err != nil {
			return nil, err
		}
		if err := s.replace(ctx, next); err != nil {
			return nil, err
		}
		c = *next
	}
}

// change returns the stored change of case id to version, or nil.
func (s *CaseStore) change(ctx context.Context, id string, version int64) (*cases.Case, error) {
	var doc struct {
		Case cases.Case `bson:"case"`
	}
	err := s.changes.FindOne(ctx, bson.D{{Key: "_id", Value: changeID(id, version)}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, nil
	}
	if err != nil {
		return nil, storeErr("read case change", err)
	}
	return &doc.Case, nil
}

func changeID(id string, version int64) string { return fmt.Sprintf("%s@%d", id, version) }

// Update stores c as the change to its version; ErrStale when that change exists already.
func (s *CaseStore) Update(ctx context.Context, c *cases.Case) error {
	_, err := s.changes.InsertOne(ctx, bson.D{{Key: "_id", Value: changeID(c.ID, c.Version)}, {Key: "case", Value: c}})
	if isDuplicate(err) {
		return cases.ErrStale
	}
	if err != nil {
		return storeErr("store case change", err)
	}
	if err := s.announce(ctx, c); err != nil {
		return err
	}
	return s.replace(ctx, c)
}

func (s *CaseStore) announce(ctx context.Context, c *cases.Case) error {
	if s.Announce == nil {
		return nil
	}
	return s.Announce(ctx, c)
}

// replace writes c over its case document unless that holds a later version already.
func (s *CaseStore) replace(ctx context.Context, c *cases.Case) error {
	filter := bson.D{{Key: "_id", Value: c.ID}, {Key: "version", Value: bson.D{{Key: "$lt", Value: c.Version}}}}
	_, err := s.cases.ReplaceOne(ctx, filter, c)
	return storeErr("update case", err)
}

// Cases lists the cases f selects, due soonest first, without their timelines.
func (s *CaseStore) Cases(ctx context.Context, f cases.Filter) ([]cases.Case, error) {
	opts := options.Find().SetSort(bson.D{{Key: "due_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetProjection(bson.D{{Key: "notes", Value: 0}, {Key: "answers", Value: 0}})
	cur, err := s.cases.Find(ctx, caseQuery(f), opts)
	if err != nil {
		return nil, storeErr("list cases", err)
	}
	defer cur.Close(ctx)
	var out []cases.Case
	skipped := 0
	for cur.Next(ctx) {
		var c cases.Case
		if err := cur.Decode(&c); err != nil {
			return nil, storeErr("read cases", err)
		}
		if !f.Keeps(&c) {
			continue
		}
		if skipped < f.Skip {
			skipped++
			continue
		}
		if out = append(out, c); f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out, storeErr("read cases", cur.Err())
}

// caseQuery is the part of f the store filters on; Filter.Keeps checks the rest.
func caseQuery(f cases.Filter) bson.D {
	q := bson.D{}
	add := func(k string, v any) { q = append(q, bson.E{Key: k, Value: v}) }
	if f.Status != "" {
		add("status", f.Status)
	}
	if f.Kind != "" {
		add("kind", f.Kind)
	}
	if f.Field != "" {
		add("field", f.Field)
	}
	if f.Overdue {
		if f.Status == "" {
			add("status", cases.StatusOpen)
		}
		add("due_at", bson.D{{Key: "$lt", Value: f.Now}})
	}
	return q
}

// Settings returns the stored follow-up rules, or the defaults.
func (s *CaseStore) Settings(ctx context.Context) (cases.Settings, error) {
	var doc struct {
		Settings cases.Settings `bson:"settings"`
	}
	err := s.settings.FindOne(ctx, bson.D{{Key: "_id", Value: casesSettingsID}}).Decode(&doc)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return cases.DefaultSettings(), nil
	}
	if err != nil {
		return cases.Settings{}, storeErr("read case settings", err)
	}
	return doc.Settings, nil
}

// SaveSettings stores the follow-up rules.
func (s *CaseStore) SaveSettings(ctx context.Context, set cases.Settings) error {
	doc := bson.D{{Key: "_id", Value: casesSettingsID}, {Key: "settings", Value: set}}
	_, err := s.settings.ReplaceOne(ctx, bson.D{{Key: "_id", Value: casesSettingsID}}, doc, options.Replace().SetUpsert(true))
	return storeErr("save case settings", err)
}

var _ cases.Census = (*CaseCensus)(nil)

// CaseCensus reads every response and every case, for `hailong cases verify`.
type CaseCensus struct {
	*RollupStore
	cases *mongo.Collection
}

// NewCaseCensus returns the census of db.
func NewCaseCensus(db *DB) *CaseCensus {
	return &CaseCensus{RollupStore: NewRollupStore(db), cases: db.DB.Collection(colCases)}
}

// PendingSeeds lists the cases the journal entries and the batches not yet completed will open.
func (c *CaseCensus) PendingSeeds(ctx context.Context) ([]string, error) {
	var out []string
	err := c.EachJournalEntry(ctx, func(e *rollup.JournalEntry) {
		for _, ev := range e.Events {
			if ev.Case != nil {
				out = append(out, ev.Case.Token)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	done, err := c.Done(ctx)
	if err != nil {
		return nil, err
	}
	for id := done + 1; ; id++ {
		b, err := c.Batch(ctx, id)
		if err != nil || b == nil {
			return out, err
		}
		for _, s := range b.Cases {
			out = append(out, s.Token)
		}
	}
}

// CaseTokens lists the response token of every stored case.
func (c *CaseCensus) CaseTokens(ctx context.Context) ([]string, error) {
	cur, err := c.cases.Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, storeErr("list cases", err)
	}
	var docs []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &docs); err != nil {
		return nil, storeErr("read cases", err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.ID
	}
	return out, nil
}

var _ cases.Leases = (*LeaseStore)(nil)

// LeaseStore grants named background work to one instance per time window, by a unique insert.
type LeaseStore struct{ col *mongo.Collection }

// NewLeaseStore returns the lease store in db.
func NewLeaseStore(db *DB) *LeaseStore { return &LeaseStore{col: db.W.Collection(colLeases)} }

// HoldLease reports whether owner holds name's window starting at start, claiming it when free.
func (s *LeaseStore) HoldLease(ctx context.Context, name string, start time.Time, owner string) (bool, error) {
	id := name + "|" + start.UTC().Format(time.RFC3339)
	_, err := s.col.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "owner", Value: owner}})
	if err == nil { // forget the windows before it (best effort: they only take room)
		_, _ = s.col.DeleteMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gte", Value: name + "|"}, {Key: "$lt", Value: id}}}})
		return true, nil
	}
	if !isDuplicate(err) {
		return false, storeErr("claim lease "+name, err)
	}
	var doc struct {
		Owner string `bson:"owner"`
	}
	if err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil {
		return false, storeErr("read lease "+name, err)
	}
	return doc.Owner == owner, nil
}

// ReduceSettledBefore reduces every case settled before cutoff to what its figures count
// (cases.Case.Reduce), together with the stored copies of its earlier versions, and returns
// how many cases it reduced. The reduction is stored as the case's next version, so a manager
// acting on the case at the same moment either wins and the case is reduced on the next pass,
// or is told the case changed; a pass cut short is finished by the next one.
func (s *CaseStore) ReduceSettledBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	filter := bson.D{
		{Key: "status", Value: bson.D{{Key: "$ne", Value: cases.StatusOpen}}},
		{Key: "settled_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}}},
		{Key: "reduced", Value: bson.D{{Key: "$ne", Value: true}}},
	}
	cur, err := s.cases.Find(ctx, filter)
	if err != nil {
		return 0, storeErr("find old cases", err)
	}
	var old []cases.Case
	if err := cur.All(ctx, &old); err != nil {
		return 0, storeErr("read old cases", err)
	}
	var n int64
	for i := range old {
		done, err := s.reduce(ctx, &old[i])
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
	}
	return n, nil
}

// reduce stores the reduction of c as its next version, then reduces the stored copies of
// its earlier versions; false when another change of c came first.
func (s *CaseStore) reduce(ctx context.Context, c *cases.Case) (bool, error) {
	r := c.Reduce()
	_, err := s.changes.InsertOne(ctx, bson.D{{Key: "_id", Value: changeID(r.ID, r.Version)}, {Key: "case", Value: r}})
	if isDuplicate(err) { // an earlier pass stopped here, or a manager's change won
		next, err := s.change(ctx, r.ID, r.Version)
		if err != nil || next == nil || !next.Reduced {
			return false, err
		}
		r = next
	} else if err != nil {
		return false, storeErr("store case reduction", err)
	}
	if err := s.replace(ctx, r); err != nil {
		return false, err
	}
	return true, s.reduceChanges(ctx, c)
}

// reduceChanges overwrites the stored copies of c's versions up to its own with reduced ones,
// keeping their ids (which refuse a late change of those versions), a few per command.
func (s *CaseStore) reduceChanges(ctx context.Context, c *cases.Case) error {
	models := make([]mongo.WriteModel, 0, c.Version)
	for v := int64(1); v <= c.Version; v++ {
		at := *c
		at.Version = v - 1
		reduced := at.Reduce()
		id := changeID(c.ID, v)
		models = append(models, mongo.NewReplaceOneModel().SetFilter(bson.D{{Key: "_id", Value: id}}).
			SetReplacement(bson.D{{Key: "_id", Value: id}, {Key: "case", Value: reduced}}))
	}
	for start := 0; start < len(models); start += updatesPerCommand {
		chunk := models[start:min(start+updatesPerCommand, len(models))]
		if _, err := s.changes.BulkWrite(ctx, chunk, options.BulkWrite().SetOrdered(true)); err != nil {
			return storeErr("reduce case changes", err)
		}
	}
	return nil
}
