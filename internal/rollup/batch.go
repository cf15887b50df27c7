package rollup

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/sync/errgroup"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
)

// Rollup batches are numbered 1, 2, 3… A batch is created only once the one before it is
// complete, so batch numbers order every update. Each bucket records the number of the last
// batch applied to it (seq), and a batch only touches buckets with a lower seq: re-applying a
// batch after a crash changes nothing it already changed. Any instance may do the work; the
// unique batch number keeps two from doing it twice.

// Batch is one step of the rollups: the journal entries it consumed and what it adds to each
// bucket. It is stored as it is, so that any instance can finish it.
type Batch struct {
	Key      string          `bson:"_id"` // the store's key for ID, set by Store.CreateBatch
	ID       int64           `bson:"n"`
	Journals []bson.ObjectID `bson:"journals"`
	// Confirmed are the consumed entries whose confirmation was stored on its own; a batch
	// from before confirmations were carried (Carried false) may have one for every entry.
	Confirmed []bson.ObjectID `bson:"confirmed,omitempty"`
	Carried   bool            `bson:"carried"`
	Incs      []BucketInc     `bson:"incs"`
	Comments  []DayComments   `bson:"comments,omitempty"`
	// Cases are the follow-up cases the batch's responses open.
	Cases []cases.Seed `bson:"cases,omitempty"`
	// Responses are the stored responses the batch counts, kept only while something asks to
	// be told of each response (Worker.Created).
	Responses []string  `bson:"responses,omitempty"`
	At        time.Time `bson:"at"`
}

// DayComments are the comments a batch adds to one day's list.
type DayComments struct {
	Day   string          `bson:"day"`
	Items []stats.Comment `bson:"items"`
}

// BucketInc is what a batch adds to one bucket.
type BucketInc struct {
	Key  string           `bson:"key"`
	Dims bson.D           `bson:"dims"`
	Inc  map[string]int64 `bson:"inc"`
}

// journalScan is how many journal entries one batch reads at most.
const journalScan = 500

// newBatch builds batch id from the journal and stores it; nil when there is nothing to do or
// another instance created it first.
func (w *Worker) newBatch(ctx context.Context, id int64) (*Batch, error) {
	entries, err := w.store.Journal(ctx, journalScan)
	if err != nil {
		return nil, err
	}
	settled, err := w.settleAll(ctx, entries)
	if err != nil {
		return nil, err
	}
	b := &Batch{ID: id, At: time.Now().UTC(), Carried: true}
	listResponses := false
	if w.Created != nil {
		if listResponses, err = w.Created.Wanted(ctx); err != nil {
			return nil, err
		}
	}
	merged := map[string]*BucketInc{}
	for i, e := range entries {
		events, ok := settled[i].events, settled[i].ok
		if !ok {
			continue
		}
		b.Journals = append(b.Journals, e.ID)
		if settled[i].confirmedApart {
			b.Confirmed = append(b.Confirmed, e.ID)
		}
		for _, ev := range events {
			mergeInc(merged, ev)
			b.Comments = addComment(b.Comments, ev.Comment)
			if ev.Case != nil {
				b.Cases = append(b.Cases, *ev.Case)
			}
			if listResponses && ev.Col == ResponsesCol {
				b.Responses = append(b.Responses, ev.DocID)
			}
		}
	}
	w.backlog.Store(len(entries) == journalScan)
	if len(b.Journals) == 0 {
		return nil, nil
	}
	b.Incs = flatten(merged)
	created, err := w.store.CreateBatch(ctx, b)
	if err != nil || !created {
		return nil, err
	}
	return b, nil
}

type settledEntry struct {
	events         []Event
	ok             bool
	confirmedApart bool // by a confirmation stored on its own
}

// settleAll settles entries, a few at a time.
func (w *Worker) settleAll(ctx context.Context, entries []JournalEntry) ([]settledEntry, error) {
	carried := map[bson.ObjectID][]int{}
	for _, e := range entries {
		for _, c := range e.Confirms {
			carried[c.ID] = c.OK
		}
	}
	out := make([]settledEntry, len(entries))
	err := lookUpEach(len(entries), func(i int) (err error) {
		if ok, found := carried[entries[i].ID]; found {
			out[i] = settledEntry{events: pick(entries[i].Events, ok), ok: true}
			return nil
		}
		out[i].events, out[i].ok, err = w.settled(ctx, entries[i])
		out[i].confirmedApart = out[i].ok // a single-event entry may have one too, from a batch of one
		return err
	})
	return out, err
}

// lookUpEach runs look-up i for each i < n, a few at a time: they are reads, which the store
// serves beside its single writer. It returns the first error.
func lookUpEach(n int, lookUp func(i int) error) error {
	var g errgroup.Group
	g.SetLimit(8)
	for i := range n {
		g.Go(func() error { return lookUp(i) })
	}
	return g.Wait()
}

// settled returns the events of e that took effect, and false while e may still be in flight.
func (w *Worker) settled(ctx context.Context, e JournalEntry) ([]Event, bool, error) {
	if len(e.Events) != 1 {
		ok, found, err := w.store.Confirmation(ctx, e.ID)
		if err != nil {
			return nil, false, err
		}
		if found {
			return pick(e.Events, ok), true, nil
		}
	}
	young := time.Since(e.At) < w.StaleAfter
	if young && len(e.Events) != 1 {
		return nil, false, nil // a batch may still be on its way: wait for its confirmation
	}
	// A single write needs no confirmation: its document is either stored or, once the entry is
	// stale, never will be. A stale batch means its writer stopped before confirming.
	var out []Event
	for _, ev := range e.Events {
		stored, err := w.store.EventStored(ctx, ev)
		if err != nil {
			return nil, false, err
		}
		if stored {
			out = append(out, ev)
		}
	}
	if young && len(out) == 0 {
		return nil, false, nil // the single write is still on its way
	}
	return out, true, nil
}

// pick returns the events at the indexes ok.
func pick(events []Event, ok []int) []Event {
	var out []Event
	for _, i := range ok {
		if i >= 0 && i < len(events) {
			out = append(out, events[i])
		}
	}
	return out
}

// mergeInc adds ev's increments to its bucket's in merged.
func mergeInc(merged map[string]*BucketInc, ev Event) {
	bi, ok := merged[ev.Key]
	if !ok {
		bi = &BucketInc{Key: ev.Key, Dims: ev.Dims, Inc: map[string]int64{}}
		merged[ev.Key] = bi
	}
	for k, v := range ev.Inc {
		bi.Inc[k] += v
	}
}

// addComment adds c, if any, to its day's list.
func addComment(days []DayComments, c *stats.Comment) []DayComments {
	if c == nil {
		return days
	}
	day := stats.DateOf(c.At).String()
	for i := range days {
		if days[i].Day == day {
			days[i].Items = append(days[i].Items, *c)
			return days
		}
	}
	return append(days, DayComments{Day: day, Items: []stats.Comment{*c}})
}

// flatten lists the merged increments.
func flatten(merged map[string]*BucketInc) []BucketInc {
	out := make([]BucketInc, 0, len(merged))
	for _, bi := range merged {
		out = append(out, *bi)
	}
	return out
}
