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
	_, err = db.DB.Collection("counter_days").ReplaceOne(ctx, bson.D{{Key: "_id", Value: "000.00.53.H48|c1|2026-03-31"}},
		bson.D{{Key: "last", Value: 2}, {Key: "entries", Value: bson.A{}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: "after-loss"}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if len(got) != n+4 || got[n+3].Token != "after-loss" {
		t.Fatalf("after a stale summary: %d entries, last %q", len(got), got[len(got)-1].Token)
	}
}

// Two instances append to one counter's day list in turns: an instance whose last known slot
// is far behind (the other appended 40 times meanwhile) still adds its dossiers after the
// others', and the list holds every dossier once, in order.
func TestCounterDayAppendsAfterAnotherInstancesMany(t *testing.T) {
	db := testkit.Store(t)
	a, b := mongodb.NewCounterDayStore(db), mongodb.NewCounterDayStore(db)
	ctx := context.Background()
	add := func(s *mongodb.CounterDayStore, tok string) {
		t.Helper()
		if err := s.AddCounterDossier(ctx, "000.00.53.H48", "c1", "2026-03-31", ticket.CounterDossier{Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"a-0"}
	add(a, "a-0")
	for round := range 3 {
		for i := range 40 {
			tok := fmt.Sprintf("b-%d-%02d", round, i)
			add(b, tok)
			want = append(want, tok)
		}
		tok := fmt.Sprintf("a-%d", round+1)
		add(a, tok)
		want = append(want, tok)
	}
	got, err := a.CounterDossiers(ctx, "000.00.53.H48", "c1", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i, d := range got {
		if d.Token != want[i] {
			t.Fatalf("entry %d is %q, want %q", i, d.Token, want[i])
		}
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
	n, err := s.DropCompletedBefore(ctx, recent.Add(-5*365*24*time.Hour))
	if err != nil || n == 0 {
		t.Fatalf("dropped %d, %v", n, err)
	}
	if got, err := s.CounterDossiers(ctx, "H48", "c1", old.Format(time.DateOnly)); err != nil || len(got) != 0 {
		t.Errorf("the old day lists %+v, %v; want nothing", got, err)
	}
	if left, _ := db.DB.Collection("counter_days").CountDocuments(ctx, bson.D{{Key: "dossier_code", Value: bson.D{{Key: "$regex", Value: "^H48-2026"}}}}); left != 0 {
		t.Errorf("%d old dossier codes left", left)
	}
	if got, err := s.CounterDossiers(ctx, "H48", "c1", recent.Format(time.DateOnly)); err != nil || len(got) != 3 {
		t.Errorf("the recent day lists %d dossiers, %v; want 3", len(got), err)
	}
}
