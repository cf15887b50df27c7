package mongodb_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Under a steady load each batch's confirmation rides in the next batch's journal entry; once
// the load stops, the last one is stored on its own (unless its batch held one response, which
// needs none). Every response is counted once, and no confirmation is left once the rollups
// consumed the entries.
func TestConfirmationsRideInTheNextBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const submitters, each = 8, 15
	tickets := make([]*survey.Ticket, 0, submitters*each)
	for i := range submitters * each {
		tickets = append(tickets, f.ticket(i, "land"))
	}
	f.exact() // roll up the tickets: the journal then holds only response batches
	var batches atomic.Int64
	f.responses.Batches = func(int) { batches.Add(1) }
	var wg sync.WaitGroup
	for g := range submitters { // each submits as soon as its previous one is answered
		wg.Go(func() {
			for _, tk := range tickets[g*each : (g+1)*each] {
				if err := f.responses.SubmitResponse(ctx, response(tk, 4)); err != nil {
					t.Errorf("submit: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if batches.Load() < each {
		t.Fatalf("%d batches for %d sequential rounds", batches.Load(), each)
	}
	if got := countDocs(t, f.db.DB.Collection("journal")); got != batches.Load() {
		t.Errorf("%d journal entries, want one per batch (%d)", got, batches.Load())
	}
	confirmations := f.db.DB.Collection("journal_ok")
	f.journal.Flush(ctx) // what the idle timer does once the load stops
	apart := countDocs(t, confirmations)
	if apart*2 > batches.Load() {
		t.Errorf("%d of %d batches stored their confirmation on its own, want the last one and few others", apart, batches.Load())
	}
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != submitters*each {
		t.Errorf("answered = %d, want %d", got, submitters*each)
	}
	if got := countDocs(t, confirmations); got != 0 {
		t.Errorf("%d confirmations left after the rollups consumed their entries", got)
	}
}

// A response submitted alone is settled by the rollups from its document, so its batch stores
// no confirmation: one stored after the rollups had consumed the entry would stay behind.
func TestALoneResponseLeavesNoConfirmationBehind(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(1, "land")
	f.exact()
	if err := f.responses.SubmitResponse(ctx, response(tk, 2)); err != nil {
		t.Fatal(err)
	}
	f.journal.Flush(ctx) // what the idle timer does once the load stops
	if got := countDocs(t, f.db.DB.Collection("journal_ok")); got != 0 {
		t.Errorf("%d confirmations stored for a batch of one response", got)
	}
	if got := total(f.exact(), stats.CounterAnswered); got != 1 {
		t.Errorf("answered = %d, want 1", got)
	}
}

// Confirmations left on their own by earlier versions are purged once a day old; recent ones,
// which the rollups may still need, stay.
func TestOldLoneConfirmationsArePurged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	old, recent := bson.NewObjectIDFromTimestamp(now.Add(-49*time.Hour)), bson.NewObjectIDFromTimestamp(now.Add(-time.Minute))
	f.journal.Commit(ctx, rollup.Confirmation{ID: old, OK: []int{0}}, rollup.Confirmation{ID: recent, OK: []int{0, 1}})
	n, err := f.journal.PurgeConfirmationsBefore(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want the old one", n, err)
	}
	var left []rollup.Confirmation
	cur, err := f.db.DB.Collection("journal_ok").Find(ctx, bson.D{})
	if err == nil {
		err = cur.All(ctx, &left)
	}
	if err != nil || len(left) != 1 || left[0].ID != recent {
		t.Errorf("left %+v, %v; want the recent one alone", left, err)
	}
}

// Entries written by earlier versions (events inline, then packed without compression) are
// still rolled up after an upgrade.
func TestJournalReadsEntriesInEarlierForms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inline, packed := f.ticket(1, "land"), f.ticket(2, "land")
	f.exact() // roll up the tickets
	eventOf := func(tk *survey.Ticket) rollup.Event {
		r := response(tk, 5)
		if _, err := f.db.DB.Collection("responses").InsertOne(ctx, r); err != nil {
			t.Fatal(err)
		}
		return mongodb.ResponseEvent(r)
	}
	pack, err := bson.Marshal(bson.D{{Key: "e", Value: []rollup.Event{eventOf(packed)}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, events := range []bson.E{
		{Key: "events", Value: []rollup.Event{eventOf(inline)}},
		{Key: "ev", Value: pack},
	} {
		legacy := bson.D{
			{Key: "_id", Value: bson.NewObjectID()}, {Key: "state", Value: "pending"},
			{Key: "at", Value: time.Now().Add(-time.Hour).UTC()}, events,
		}
		if _, err := f.db.DB.Collection("journal").InsertOne(ctx, legacy); err != nil {
			t.Fatal(err)
		}
	}
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != 2 {
		t.Errorf("answered = %d, want 2: one from each earlier form", got)
	}
	if got := total(stored, "r5"); got != 2 {
		t.Errorf("r5 = %d, want 2", got)
	}
}

func countDocs(t *testing.T, col *mongo.Collection) int64 {
	t.Helper()
	n, err := col.CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
