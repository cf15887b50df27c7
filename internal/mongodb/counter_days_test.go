package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/testkit"
	"github.com/hailong/hailong/internal/ticket"
)

func TestCounterDayKeepsEveryDossierOfConcurrentAppends(t *testing.T) {
	db := testkit.Store(t)
	s := mongodb.NewCounterDayStore(db)
	ctx := context.Background()
	at := time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)
	const n = 30
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := ticket.CounterDossier{Token: fmt.Sprintf("tok-%02d", i), DossierCode: fmt.Sprintf("H48-260331-%04d", i), Field: "land", CompletedAt: at}
			if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", d); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// Another counter, and the same counter another day, keep their own lists.
	if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c2", "2026-03-31", ticket.CounterDossier{Token: "other"}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-04-01", ticket.CounterDossier{Token: "tomorrow"}); err != nil {
		t.Fatal(err)
	}
	for round := range 2 { // the second read comes from the summary the first one wrote
		got, err := s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, d := range got {
			seen[d.Token]++
		}
		if len(got) != n || len(seen) != n {
			t.Fatalf("read %d: %d entries, %d distinct, want %d of each", round, len(got), len(seen), n)
		}
	}
	// Appends after the summary was rebuilt go on from it, in order.
	for i := range 3 {
		if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: fmt.Sprintf("late-%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if err != nil || len(got) != n+3 || got[n].Token != "late-0" || got[n+2].Token != "late-2" {
		t.Fatalf("after late appends: %d entries (%v)", len(got), err)
	}
	other, _ := s.CounterDossiers(ctx, "000.00.53.H48", "c2", "2026-03-31")
	none, _ := s.CounterDossiers(ctx, "000.00.53.H48", "c3", "2026-03-31")
	if len(other) != 1 || other[0].Token != "other" || len(none) != 0 {
		t.Fatalf("c2 list %v, c3 list %v", other, none)
	}
	// A lost summary write (here: a stale summary) costs look-ups, never entries.
	res, err := db.DB.Collection("counter_days").UpdateMany(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: `^000\.00\.53\.H48\|c1\|2026-03-31@[^#]*$`}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "last", Value: 2}, {Key: "entries", Value: bson.A{}}, {Key: "slots", Value: 0}}}})
	if err != nil || res.ModifiedCount != 1 {
		t.Fatalf("made %v summaries stale (%v), want the one", res, err)
	}
	if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: "after-loss"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if len(got) != n+4 || got[n+3].Token != "after-loss" {
		t.Fatalf("after a stale summary: %d entries, last %q", len(got), got[len(got)-1].Token)
	}
}

// Two instances append to one counter's day list in turns, and a third joins later: the list
// holds every dossier once, each instance's in the order it added them.
func TestCounterDayListOfSeveralInstances(t *testing.T) {
	db := testkit.Store(t)
	stores := []*mongodb.CounterDayStore{mongodb.NewCounterDayStore(db), mongodb.NewCounterDayStore(db), mongodb.NewCounterDayStore(db)}
	ctx := context.Background()
	want := make([][]string, len(stores))
	add := func(i int, tok string) {
		t.Helper()
		if err := stores[i].AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: tok}); err != nil {
			t.Fatal(err)
		}
		want[i] = append(want[i], tok)
	}
	for round := range 3 {
		add(0, fmt.Sprintf("a-%d", round))
		for i := range 20 {
			add(1, fmt.Sprintf("b-%d-%02d", round, i))
		}
	}
	got, err := stores[2].CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if err != nil || len(got) != 63 {
		t.Fatalf("%d entries (%v), want 63", len(got), err)
	}
	add(2, "c-0")
	add(0, "a-3")
	var all []ticket.CounterDossier
	for _, s := range stores { // each reads the whole list, twice (the second from the summaries)
		for range 2 {
			got, err := s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
			if err != nil {
				t.Fatal(err)
			}
			all = got
			if len(got) != 65 {
				t.Fatalf("%d entries, want 65", len(got))
			}
		}
	}
	pos := map[string]int{}
	for i, d := range all {
		if _, dup := pos[d.Token]; dup {
			t.Fatalf("%q listed twice", d.Token)
		}
		pos[d.Token] = i
	}
	for i, toks := range want {
		for k := 1; k < len(toks); k++ {
			if pos[toks[k-1]] > pos[toks[k]] {
				t.Fatalf("instance %d: %q listed after %q", i, toks[k-1], toks[k])
			}
		}
	}
}

// A day list written before each instance had its own list keeps its entries, ahead of those
// appended since.
func TestCounterDayListFromBeforeKeepsItsEntries(t *testing.T) {
	db := testkit.Store(t)
	ctx := context.Background()
	const key = "000.00.53.H48|c1|2026-03-31"
	_, err := db.DB.Collection("counter_days").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: key}, {Key: "last", Value: 1}, {Key: "slots", Value: 1}, {Key: "entries", Value: bson.A{bson.D{{Key: "token", Value: "old-1"}}}}},
		bson.D{{Key: "_id", Value: key + "#1"}, {Key: "token", Value: "old-1"}},
		bson.D{{Key: "_id", Value: key + "#2"}, {Key: "items", Value: bson.A{bson.D{{Key: "token", Value: "old-2"}}, bson.D{{Key: "token", Value: "old-3"}}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := mongodb.NewCounterDayStore(db)
	if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: "new-1"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	var toks []string
	for _, d := range got {
		toks = append(toks, d.Token)
	}
	if err != nil || fmt.Sprint(toks) != "[old-1 old-2 old-3 new-1]" {
		t.Fatalf("list %v (%v), want the three old entries, then the new one", toks, err)
	}
}

// During a rolling upgrade an instance from before packed slots reads one as an entry without
// a token and may cache that in the list's summary; the list never shows it.
func TestCounterDayListSkipsWhatAnOlderInstanceMisread(t *testing.T) {
	db := testkit.Store(t)
	ctx := context.Background()
	const key = "000.00.53.H48|c1|2026-03-31"
	_, err := db.DB.Collection("counter_days").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: key}, {Key: "last", Value: 2}, {Key: "slots", Value: 2}, {Key: "entries", Value: bson.A{
			bson.D{{Key: "token", Value: "old-1"}},
			bson.D{{Key: "token", Value: ""}, {Key: "completed_at", Value: time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := mongodb.NewCounterDayStore(db).CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if err != nil || len(got) != 1 || got[0].Token != "old-1" {
		t.Fatalf("list %+v (%v), want old-1 alone", got, err)
	}
}

// The counters' day lists of dossiers completed before the retention are deleted, with their
// dossier codes; a recent day's list stays whole.
func TestRetentionDropsOldCounterDayLists(t *testing.T) {
	db := testkit.Store(t)
	s := mongodb.NewCounterDayStore(db)
	ctx := context.Background()
	old, recent := time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC), time.Date(2032, 3, 31, 2, 0, 0, 0, time.UTC)
	for i := range 3 {
		for _, at := range []time.Time{old, recent} {
			d := ticket.CounterDossier{Token: fmt.Sprintf("tok-%d-%d", at.Year(), i), DossierCode: fmt.Sprintf("H48-%d-%04d", at.Year(), i), CompletedAt: at}
			if err := s.AddCounterDossier(ctx, "H48", "c1", at.Format(time.DateOnly), d); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Slots of an earlier version, their entries unpacked, on another counter.
	for _, at := range []time.Time{old, recent} {
		key := "H48|c2|" + at.Format(time.DateOnly)
		item := bson.D{{Key: "token", Value: fmt.Sprintf("tok-c2-%d", at.Year())}, {Key: "dossier_code", Value: fmt.Sprintf("H48-%d-c2", at.Year())}, {Key: "completed_at", Value: at}}
		if _, err := db.DB.Collection("counter_days").InsertOne(ctx, bson.D{{Key: "_id", Value: key + "#1"}, {Key: "items", Value: bson.A{item}}}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DropCompletedBefore(ctx, recent.Add(-5*365*24*time.Hour))
	if err != nil || n == 0 {
		t.Fatalf("dropped %d, %v", n, err)
	}
	for _, counter := range []string{"c1", "c2"} {
		if got, err := s.CounterDossiers(ctx, "H48", counter, old.Format(time.DateOnly)); err != nil || len(got) != 0 {
			t.Errorf("the old day list of %s: %+v, %v; want nothing", counter, got, err)
		}
	}
	// Packed slots hide their dossier codes from a query: none of the old days' documents may
	// be left, and no unpacked copy of an old code anywhere.
	if left, _ := db.DB.Collection("counter_days").CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: `^H48\|c[12]\|2026-03-31`}}}}); left != 0 {
		t.Errorf("%d documents of the old day lists left", left)
	}
	oldCode := bson.D{{Key: "$regex", Value: "^H48-2026"}}
	left, err := db.DB.Collection("counter_days").CountDocuments(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "dossier_code", Value: oldCode}}, bson.D{{Key: "items.dossier_code", Value: oldCode}}, bson.D{{Key: "entries.dossier_code", Value: oldCode}}}}})
	if err != nil || left != 0 {
		t.Errorf("%d documents with old dossier codes left (%v)", left, err)
	}
	if kept, _ := db.DB.Collection("counter_days").CountDocuments(ctx, bson.D{{Key: "items.dossier_code", Value: bson.D{{Key: "$regex", Value: "^H48-2032"}}}}); kept == 0 {
		t.Error("the recent unpacked dossier code is not where the check above looks for the old ones")
	}
	for counter, want := range map[string]int{"c1": 3, "c2": 1} {
		if got, err := s.CounterDossiers(ctx, "H48", counter, recent.Format(time.DateOnly)); err != nil || len(got) != want {
			t.Errorf("the recent day list of %s has %d dossiers, %v; want %d", counter, len(got), err, want)
		}
	}
}
