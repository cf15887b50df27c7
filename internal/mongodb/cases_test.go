package mongodb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

// storedCases reads every case, by response token.
func (f *fixture) storedCases() map[string]*cases.Case {
	f.t.Helper()
	store := mongodb.NewCaseStore(f.db)
	list, err := store.Cases(context.Background(), cases.Filter{})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]*cases.Case{}
	for i := range list {
		out[list[i].ID] = &list[i]
	}
	return out
}

func TestCasesOpenOncePerResponseAcrossACrash(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Ratings 1 and 2 open "dissatisfied"; 3 to 5 nothing; a payment report "integrity" even
	// rated 5; a request to be contacted "complaint"; a misuse-flagged 1 nothing.
	want := map[string]cases.Kind{}
	for i, overall := range []int{1, 2, 3, 4, 5} {
		r := response(f.ticket(i, "land"), overall)
		if overall <= 2 {
			want[r.Token] = cases.KindDissatisfied
		}
		f.store(r)
	}
	paid := response(f.ticket(10, "land"), 5)
	paid.ExtraPayment = true
	want[paid.Token] = cases.KindIntegrity
	f.store(paid)
	contact := response(f.ticket(11, "health"), 4)
	contact.Answers[cases.QuestionContact] = true
	want[contact.Token] = cases.KindComplaint
	f.store(contact)
	misuse := response(f.ticket(12, "land"), 1)
	misuse.Misuse = true
	f.store(misuse)

	// The worker crashes while applying the batch, before it opens any case; the next step
	// finishes the batch and opens each case once.
	crashing := rollup.NewWorker(partialApply{RollupStore: f.rollups, n: 1}, f.cases, testkit.Logger(t))
	if _, err := crashing.Step(ctx); err == nil {
		t.Fatal("the crashing step completed its batch")
	}
	f.exact()
	got := f.storedCases()
	if len(got) != len(want) {
		t.Fatalf("%d cases, want %d: %v", len(got), len(want), got)
	}
	for token, kind := range want {
		if c := got[token]; c == nil || c.Kind != kind || c.Status != cases.StatusOpen || c.Version != 1 {
			t.Errorf("case of %s = %+v, want an open %s case", token, c, kind)
		}
	}
	// A worker resuming after a crash opens the completed batch's cases again: nothing doubles.
	b, err := f.rollups.Batch(ctx, 1)
	if err != nil || b == nil || len(b.Cases) != len(want) {
		t.Fatalf("batch 1 = %+v, %v; want it to carry %d cases", b, err, len(want))
	}
	if err := f.cases.OpenCases(ctx, b.Cases); err != nil {
		t.Fatal(err)
	}
	audit, err := cases.Verify(ctx, mongodb.NewCaseCensus(f.db))
	if err != nil || !audit.OK() || audit.Expected != len(want) || len(audit.Unbacked) != 0 {
		t.Fatalf("verify = %+v, %v", audit, err)
	}
}

func TestCasesVerifyFindsAMissingCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 1)
	f.store(r)
	f.exact()
	if _, err := f.db.DB.Collection("cases").DeleteOne(ctx, map[string]string{"_id": r.Token}); err != nil {
		t.Fatal(err)
	}
	audit, err := cases.Verify(ctx, mongodb.NewCaseCensus(f.db))
	if err != nil || audit.OK() || len(audit.Missing) != 1 || audit.Missing[0] != r.Token {
		t.Fatalf("verify = %+v, %v; want the deleted case missing", audit, err)
	}
}

func TestTwoManagersActingAtOnceNeverBothWin(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 2)
	f.store(r)
	f.exact()
	svc := f.cases
	for round := range 5 {
		c, err := svc.Store.Case(ctx, r.Token)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		results := make([]error, 2)
		for i, user := range []string{"an", "binh"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = svc.Act(ctx, r.Token, c.Version, "manager", cases.Action{Name: cases.ActAssign, User: user})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, cases.ErrStale):
				t.Fatalf("round %d: %v", round, err)
			}
		}
		after, _ := svc.Store.Case(ctx, r.Token)
		if won != 1 || after.Version != c.Version+1 || len(after.Notes) != len(c.Notes)+1 {
			t.Fatalf("round %d: %d winners, version %d→%d, notes %d→%d", round, won, c.Version, after.Version, len(c.Notes), len(after.Notes))
		}
	}
}

func TestACaseChangeLeftBehindByACrashIsRolledForward(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 1)
	f.store(r)
	f.exact()
	c, err := f.cases.Store.Case(ctx, r.Token)
	if err != nil {
		t.Fatal(err)
	}
	// The change of version 2 was stored, then the process died before the case followed.
	next := *c
	next.Version, next.Assignee = 2, "an"
	if _, err := f.db.DB.Collection("case_changes").InsertOne(ctx, map[string]any{"_id": r.Token + "@2", "case": next}); err != nil {
		t.Fatal(err)
	}
	got, err := f.cases.Store.Case(ctx, r.Token)
	if err != nil || got.Version != 2 || got.Assignee != "an" {
		t.Fatalf("case = %+v, %v; want version 2 assigned to an", got, err)
	}
	// Acting on the old version is refused with the current case.
	cur, err := f.cases.Act(ctx, r.Token, 1, "manager", cases.Action{Name: cases.ActNote, Text: "muộn"})
	if !errors.Is(err, cases.ErrStale) || cur == nil || cur.Version != 2 {
		t.Fatalf("act on version 1 = %+v, %v; want stale with version 2", cur, err)
	}
}

// store submits r as the response of its ticket.
func (f *fixture) store(r *survey.Response) {
	f.t.Helper()
	if err := f.responses.SubmitResponse(context.Background(), r); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
}

func TestRemindersAndEscalationsHappenOncePerCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 1) // submitted Tuesday 31/3/2026 at 11:00 in Hồ Chí Minh City
	f.store(r)
	f.exact()
	c, _ := f.cases.Store.Case(ctx, r.Token)
	// Ten working days: due at the end of Tuesday 14/4; reminded from Monday 13/4.
	if got := c.DueAt.In(stats.TimeZone()).Format("2006-01-02 15:04"); got != "2026-04-14 23:59" {
		t.Fatalf("due %s, want the end of 14/4", got)
	}
	clock := time.Date(2026, 4, 10, 9, 0, 0, 0, stats.TimeZone())
	svc := &cases.Service{Store: f.cases.Store, Log: testkit.Logger(t), Now: func() time.Time { return clock }}
	parent := func(string) string { return "H48-parent" }
	a := cases.NewDeadlines(svc, mongodb.NewLeaseStore(f.db), parent, testkit.Logger(t))
	b := cases.NewDeadlines(svc, mongodb.NewLeaseStore(f.db), parent, testkit.Logger(t))
	step := func(d *cases.Deadlines) (int, int) {
		t.Helper()
		rem, esc, err := d.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rem, esc
	}
	if rem, esc := step(a); rem+esc != 0 {
		t.Fatalf("Friday 10/4: %d reminders, %d escalations; want none yet", rem, esc)
	}
	clock = time.Date(2026, 4, 13, 8, 0, 0, 0, stats.TimeZone())
	if rem, _ := step(a); rem != 1 {
		t.Fatalf("Monday 13/4: %d reminders, want 1", rem)
	}
	if rem, _ := step(a); rem != 0 {
		t.Fatal("reminded twice")
	}
	// The window belongs to a: b, in the same minute, does nothing.
	clock = time.Date(2026, 4, 15, 8, 0, 0, 0, stats.TimeZone())
	if rem, esc := step(a); esc != 1 || rem != 0 {
		t.Fatalf("Wednesday 15/4: %d escalations, want 1", esc)
	}
	if _, esc := step(b); esc != 0 {
		t.Fatal("a second instance escalated in a window it does not hold")
	}
	clock = clock.Add(2 * time.Minute)
	if _, esc := step(b); esc != 0 {
		t.Fatal("escalated twice")
	}
	c, _ = f.cases.Store.Case(ctx, r.Token)
	if c.EscalatedTo != "H48-parent" || c.RemindedAt == nil || !c.Overdue(clock) || len(c.Notes) != 2 {
		t.Fatalf("case after the deadline = %+v", c)
	}
}

func TestCasesVerifyCountsACaseStillInTheJournal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 1)
	// Journaled and stored, not rolled up yet: its case is on its way, not missing.
	if _, err := f.journal.Begin(ctx, mongodb.ResponseEvent(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DB.Collection("responses").InsertOne(ctx, r); err != nil {
		t.Fatal(err)
	}
	audit, err := cases.Verify(ctx, mongodb.NewCaseCensus(f.db))
	if err != nil || !audit.OK() || audit.Pending != 1 || audit.Expected != 1 {
		t.Fatalf("verify = %+v, %v; want one case pending", audit, err)
	}
	f.exact()
	audit, err = cases.Verify(ctx, mongodb.NewCaseCensus(f.db))
	if err != nil || !audit.OK() || audit.Pending != 0 || len(f.storedCases()) != 1 {
		t.Fatalf("after rolling up: verify = %+v, %v", audit, err)
	}
}

func TestAKioskPaymentChipReadBackFromTheStoreStillCallsForACase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	r := response(f.ticket(1, "land"), 3)
	r.SurveyID, r.Answers = "kiosk-quick", map[string]any{"reasons": []string{"waiting", survey.ReasonPayment}}
	f.store(r)
	f.exact()
	audit, err := cases.Verify(ctx, mongodb.NewCaseCensus(f.db)) // reads the response back from the store
	if err != nil || !audit.OK() || audit.Expected != 1 || len(f.storedCases()) != 1 {
		t.Fatalf("verify = %+v, %v; want the chip's case expected and opened", audit, err)
	}
}
