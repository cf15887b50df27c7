package mongodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/groupcommit"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
)

// colCounterDays holds each counter's dossiers of each day.
const colCounterDays = "counter_days"

// maxSlotProbes bounds how far an append walks past a stale hint before giving up.
const maxSlotProbes = 1000

var _ ticket.CounterDays = (*CounterDayStore)(nil)

// CounterDayStore keeps each counter's day list as one list per instance that appended to it,
// so that instances never race for a place in a list: an instance's list is written by its own
// appends alone, one at a time. An instance's list has numbered slot documents, key@stream#1,
// key@stream#2, …, each holding the entries of one append, plus a summary document,
// key@stream, holding a copy of the first slots and the highest slot known. The instances'
// lists of a day list are registered in numbered documents, key~1, key~2, …, each claimed by
// inserting it (the _id makes the claim atomic) when an instance first appends to that day
// list. Lists from before the instances had their own are read from key and key#1, key#2, ….
// The embedded store does not apply two concurrent updates of one document atomically (of 20
// concurrent $push to one document, 4 were kept), so the lists are never updated in place: the
// summary is only a cache, and losing a write to it costs a few more look-ups, never an entry.
// (Two instances appending to one shared list took most of a ticket batch's time on FerretDB
// over PostgreSQL, each finding the slot it tried taken by the other.)
type CounterDayStore struct {
	col    *mongo.Collection
	writes *mongo.Collection // the slots, through the hot-write handle: every ticket batch adds some
	lane   *lane
	stream string // names this instance's lists
	mu     sync.Mutex
	last   map[string]int  // per list of this instance, the highest slot known taken
	joined map[string]bool // the day lists this instance's list is registered in
	// appends writes the entries of concurrent appends together, one append at a time: the
	// batch writers of one instance append to the same lists.
	appends *groupcommit.Combiner[ticket.DayEntry]
}

// NewCounterDayStore returns the counter day store in db.
func NewCounterDayStore(db *DB) *CounterDayStore {
	s := &CounterDayStore{col: db.DB.Collection(colCounterDays), writes: db.W.Collection(colCounterDays),
		lane: db.lane, stream: survey.NewToken()[:12], last: map[string]int{}, joined: map[string]bool{}}
	s.appends = groupcommit.NewCombiner(func(entries []ticket.DayEntry) error {
		ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
		defer cancel()
		return s.appendSlots(ctx, entries)
	})
	return s
}

// maxKnownLists bounds the slot hints kept; past it they are forgotten (and found again).
const maxKnownLists = 10_000

// daySummary caches the entries of slots 1..covered(); Last is the highest slot known taken.
type daySummary struct {
	ID      string                  `bson:"_id"`
	Last    int                     `bson:"last"`
	Entries []ticket.CounterDossier `bson:"entries"`
	Slots   int                     `bson:"slots,omitempty"` // slots copied into Entries; 0 before slots held several
}

// covered is how many slots Entries copies: before a slot could hold several entries, one each.
func (sum *daySummary) covered() int {
	if sum.Slots > 0 {
		return sum.Slots
	}
	return len(sum.Entries)
}

// daySlot is one slot of a day list: the entries of one batch, packed (Packed); from earlier
// versions, unpacked (Items), or from before batches, one entry inline. A packed slot's inline
// completed_at is its latest entry's, which the retention goes by.
//
// The entries go packed into one binary field for the reason the journal's events do (see
// storedEntry): the embedded store converts and schema-annotates every field of a document, and
// a ticket batch appends an entry per ticket. One insert of 12 slots of 83 entries took 16.4 ms
// unpacked and 1.9 ms packed (2 vCPU, 200 inserts each).
type daySlot struct {
	ID                    string `bson:"_id"`
	ticket.CounterDossier `bson:",inline"`
	Packed                []byte                  `bson:"packed,omitempty"` // S2-compressed packedItems
	Items                 []ticket.CounterDossier `bson:"items,omitempty"`
}

type packedItems struct {
	Items []ticket.CounterDossier `bson:"i"`
}

// packedSlot is the slot id holding items, packed.
func packedSlot(id string, items []ticket.CounterDossier) (daySlot, error) {
	b, err := bson.Marshal(packedItems{Items: items})
	if err != nil {
		return daySlot{}, err
	}
	slot := daySlot{ID: id, Packed: s2.Encode(nil, b)}
	for _, it := range items {
		if it.CompletedAt.After(slot.CompletedAt) {
			slot.CompletedAt = it.CompletedAt
		}
	}
	return slot, nil
}

func (d *daySlot) entries() ([]ticket.CounterDossier, error) {
	switch {
	case len(d.Packed) > 0:
		b, err := s2.Decode(nil, d.Packed)
		if err != nil {
			return nil, fmt.Errorf("mongodb: counter day slot %s: %w", d.ID, err)
		}
		var p packedItems
		if err := bson.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("mongodb: counter day slot %s: %w", d.ID, err)
		}
		return p.Items, nil
	case len(d.Items) > 0:
		return d.Items, nil
	}
	return []ticket.CounterDossier{d.CounterDossier}, nil
}

// dayKey names a counter's day; "|" occurs in no agency or counter code.
func dayKey(agency, counter, day string) string { return agency + "|" + counter + "|" + day }

func slotID(key string, n int) string { return key + "#" + strconv.Itoa(n) }

// listKey is the key of stream's list in the day list key.
func listKey(key, stream string) string { return key + "@" + stream }

// memberID is the _id of the n-th registration of a list in the day list key.
func memberID(key string, n int) string { return key + "~" + strconv.Itoa(n) }

// dayMember registers an instance's list in a day list. It carries the day's start as its
// completed_at, so that the retention drops it with the day's entries.
type dayMember struct {
	ID          string    `bson:"_id"`
	Stream      string    `bson:"stream"`
	CompletedAt time.Time `bson:"completed_at"`
}

// AddCounterDossier appends d to the day's list of the counter of agency.
func (s *CounterDayStore) AddCounterDossier(ctx context.Context, agency, counter, day string, d ticket.CounterDossier) error {
	return s.AddCounterDossiers(ctx, []ticket.DayEntry{{Agency: agency, Counter: counter, Day: day, Dossier: d}})
}

// AddCounterDossiers appends entries to their day lists, together with the entries of
// concurrent calls on this instance, and returns once they are stored.
func (s *CounterDayStore) AddCounterDossiers(ctx context.Context, entries []ticket.DayEntry) error {
	return s.appends.Do(ctx, entries...)
}

// appendTimeout bounds one combined append, whatever the contexts of the calls it holds.
const appendTimeout = 10 * time.Second

// appendSlots appends the entries of each day list in them to this instance's list in it, as
// one slot, the first free one, all lists in one batch insert. Slots stay contiguous: every
// append starts from a slot known to be taken and takes the first free one after it.
func (s *CounterDayStore) appendSlots(ctx context.Context, entries []ticket.DayEntry) error {
	lists := map[string][]ticket.CounterDossier{}
	var keys []string
	for _, e := range entries {
		day := dayKey(e.Agency, e.Counter, e.Day)
		key := listKey(day, s.stream)
		if _, ok := lists[key]; !ok {
			if err := s.join(ctx, day, e.Day); err != nil {
				return err
			}
			keys = append(keys, key)
		}
		lists[key] = append(lists[key], e.Dossier)
	}
	next := map[string]int{}
	for _, key := range keys {
		last, err := s.lastTaken(ctx, key)
		if err != nil {
			return err
		}
		next[key] = last + 1
	}
	for probes := 0; len(keys) > 0; probes++ {
		if probes == maxSlotProbes {
			return survey.Wrap(errors.New("mongodb: no free slot in a counter day list"))
		}
		docs := make([]any, len(keys))
		for i, key := range keys {
			slot, err := packedSlot(slotID(key, next[key]), lists[key])
			if err != nil {
				return storeErr("pack counter dossiers", err)
			}
			docs[i] = slot
			next[key]++
		}
		var err error
		_ = s.lane.urgent(func() error {
			_, err = s.writes.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
			return nil
		})
		var retry []string
		for i, err := range perDocument(len(docs), err) {
			switch {
			case err == nil:
			case isDuplicate(err):
				// Taken by an earlier attempt whose answer was lost: find the list's last slot.
				key := keys[i]
				last, err := s.lastFrom(ctx, key, next[key]-1)
				if err != nil {
					return err
				}
				next[key] = last + 1
				retry = append(retry, key)
			default:
				return storeErr("add counter dossiers", err)
			}
		}
		keys = retry
	}
	s.remember(next)
	return nil
}

// join registers this instance's list in the day list key (of day), unless it is already.
func (s *CounterDayStore) join(ctx context.Context, key, day string) error {
	s.mu.Lock()
	joined := s.joined[key]
	s.mu.Unlock()
	if joined {
		return nil
	}
	start := time.Unix(0, 0).UTC()
	if d, err := stats.ParseDate(day); err == nil {
		start = d.Time().UTC()
	}
	for n := 1; n <= maxSlotProbes; n++ {
		m, ok, err := s.member(ctx, key, n)
		if err != nil {
			return err
		}
		if ok && m.Stream != s.stream { // another instance's
			continue
		}
		if !ok { // the first free place: take it
			err = s.lane.urgent(func() error {
				_, err := s.writes.InsertOne(ctx, dayMember{ID: memberID(key, n), Stream: s.stream, CompletedAt: start})
				return err
			})
			if isDuplicate(err) { // another instance registered at n meanwhile
				continue
			}
			if err != nil {
				return storeErr("add counter day", err)
			}
		}
		s.mu.Lock()
		if len(s.joined) >= maxKnownLists {
			clear(s.joined)
		}
		s.joined[key] = true
		s.mu.Unlock()
		return nil
	}
	return survey.Wrap(errors.New("mongodb: too many instances in a counter day list"))
}

// member reads the n-th registration of an instance's list in the day list key; ok is false
// when there is none.
func (s *CounterDayStore) member(ctx context.Context, key string, n int) (m dayMember, ok bool, err error) {
	err = s.col.FindOne(ctx, filterID(memberID(key, n))).Decode(&m)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return m, false, nil
	}
	if err != nil {
		return m, false, storeErr("read counter day", err)
	}
	return m, true, nil
}

// lastTaken returns the highest slot of the list key known taken: this instance's hint, or
// else the last slot found from the summary on.
func (s *CounterDayStore) lastTaken(ctx context.Context, key string) (int, error) {
	s.mu.Lock()
	last, ok := s.last[key]
	s.mu.Unlock()
	if ok {
		return last, nil
	}
	sum, err := s.summary(ctx, key)
	if err != nil {
		return 0, err
	}
	return s.lastFrom(ctx, key, max(sum.Last, sum.covered()))
}

// lastFrom returns the highest slot of the list key taken, from slot lo on, which is taken (or
// 0): slots are contiguous, so it doubles the step and then halves it.
func (s *CounterDayStore) lastFrom(ctx context.Context, key string, lo int) (int, error) {
	hi := lo + 1
	for step := 1; ; step *= 2 {
		taken, err := s.slotTaken(ctx, key, hi)
		if err != nil {
			return 0, err
		}
		if !taken {
			break
		}
		lo, hi = hi, hi+step
	}
	for hi-lo > 1 { // lo taken, hi free
		mid := (lo + hi) / 2
		taken, err := s.slotTaken(ctx, key, mid)
		if err != nil {
			return 0, err
		}
		if taken {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

func (s *CounterDayStore) slotTaken(ctx context.Context, key string, n int) (bool, error) {
	err := s.col.FindOne(ctx, filterID(slotID(key, n)), options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Err()
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, storeErr("read counter dossier", err)
	}
	return true, nil
}

// remember keeps the next free slot of each list as a hint, one below it as taken.
func (s *CounterDayStore) remember(next map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.last)+len(next) > maxKnownLists {
		clear(s.last)
	}
	for key, n := range next {
		s.last[key] = max(s.last[key], n-1)
	}
}

// CounterDossiers returns the day's list: the list from before the instances had their own,
// then each instance's list in the order they joined, each in the order it was appended to.
func (s *CounterDayStore) CounterDossiers(ctx context.Context, agency, counter, day string) ([]ticket.CounterDossier, error) {
	key := dayKey(agency, counter, day)
	out, err := s.listOf(ctx, key)
	if err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		m, ok, err := s.member(ctx, key, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		list, err := s.listOf(ctx, listKey(key, m.Stream))
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
}

// listOf returns the list key: the summary's copy, then the slots after it.
func (s *CounterDayStore) listOf(ctx context.Context, key string) ([]ticket.CounterDossier, error) {
	sum, err := s.summary(ctx, key)
	if err != nil {
		return nil, err
	}
	known := sum.covered()
	n := known + 1
	for ; ; n++ {
		var slot daySlot
		err := s.col.FindOne(ctx, filterID(slotID(key, n))).Decode(&slot)
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return nil, storeErr("read counter dossier", err)
		}
		entries, err := slot.entries()
		if err != nil {
			return nil, err
		}
		sum.Entries = append(sum.Entries, entries...)
	}
	if n-1 > known {
		sum.Slots = n - 1
		sum.Last = max(sum.Last, sum.Slots)
		s.saveSummary(ctx, sum)
	}
	// An instance of a version before packed slots reads one as a single entry without a
	// token, and may have cached it in the summary: during a rolling upgrade. No entry lacks
	// its token otherwise.
	return slices.DeleteFunc(sum.Entries, func(d ticket.CounterDossier) bool { return d.Token == "" }), nil
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

// DropCompletedBefore deletes the day-list entries (slots and summaries) of dossiers completed
// before cutoff: they name dossier codes, and a counter only looks at recent days. It returns
// how many documents it deleted.
func (s *CounterDayStore) DropCompletedBefore(ctx context.Context, cutoff time.Time) (int64, error) {
	// A packed slot carries its latest entry's completed_at; an unpacked slot holding several
	// entries (items) keeps a zero one of its own: there only a real date counts. Entries and
	// items always carry their dossier's date.
	before := bson.D{{Key: "$lt", Value: cutoff.UTC()}}
	filter := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "completed_at", Value: bson.D{{Key: "$lt", Value: cutoff.UTC()}, {Key: "$gt", Value: time.Unix(0, 0).UTC()}}}},
		bson.D{{Key: "entries.completed_at", Value: before}},
		bson.D{{Key: "items.completed_at", Value: before}},
	}}}
	var n int64
	err := s.lane.background(func() error {
		res, err := s.writes.DeleteMany(ctx, filter)
		if res != nil {
			n = res.DeletedCount
		}
		return err
	})
	if err != nil {
		return n, storeErr("drop old counter days", err)
	}
	return n, nil
}
