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
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Under a steady load each batch's confirmation rides in the next batch's journal entry, so no
// confirmation is stored on its own until the load stops; the last one is then stored alone,
// and every response is counted once.
func TestConfirmationsRideInTheNextBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const n = 120
	tickets := make([]*survey.Ticket, 0, n)
	for i := range n {
		tickets = append(tickets, f.ticket(i, "land"))
	}
	f.exact() // roll up the tickets: the journal then holds only response batches
	var batches atomic.Int64
	f.responses.Batches = func(int) { batches.Add(1) }
	confirmations := f.db.DB.Collection("journal_ok")
	var wg sync.WaitGroup
	for _, tk := range tickets {
		wg.Go(func() {
			if err := f.responses.SubmitResponse(ctx, response(tk, 4)); err != nil {
				t.Errorf("submit: %v", err)
			}
		})
	}
	wg.Wait()
	if batches.Load() < 2 {
		t.Fatalf("%d batches: the test needs several", batches.Load())
	}
	// Once no batch follows, the last confirmation is stored on its own.
	deadline := time.Now().Add(5 * time.Second)
	for countDocs(t, confirmations) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := countDocs(t, confirmations); got != 1 {
		t.Errorf("%d confirmations stored on their own after the load, want 1 (the last batch's)", got)
	}
	if got := countDocs(t, f.db.DB.Collection("journal")); got != batches.Load() {
		t.Errorf("%d journal entries, want one per batch (%d)", got, batches.Load())
	}
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != n {
		t.Errorf("answered = %d, want %d", got, n)
	}
	if got := countDocs(t, confirmations); got != 0 {
		t.Errorf("%d confirmations left after the rollups consumed their entries", got)
	}
}

// An entry written before events were packed (inline "events") is still rolled up.
func TestJournalReadsEntriesWithInlineEvents(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tk := f.ticket(1, "land")
	f.exact() // roll up the ticket
	r := response(tk, 5)
	if _, err := f.db.DB.Collection("responses").InsertOne(ctx, r); err != nil {
		t.Fatal(err)
	}
	legacy := bson.D{
		{Key: "_id", Value: bson.NewObjectID()}, {Key: "state", Value: "pending"},
		{Key: "at", Value: time.Now().Add(-time.Hour).UTC()},
		{Key: "events", Value: []mongodb.Event{mongodb.ResponseEvent(r)}},
	}
	if _, err := f.db.DB.Collection("journal").InsertOne(ctx, legacy); err != nil {
		t.Fatal(err)
	}
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != 1 {
		t.Errorf("answered = %d, want 1 from the inline-events entry", got)
	}
	if got := total(stored, "r5"); got != 1 {
		t.Errorf("r5 = %d, want 1", got)
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
