package mongodb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

type fixture struct {
	t         *testing.T
	db        *mongodb.DB
	journal   *mongodb.Journal
	tickets   *mongodb.TicketStore
	responses *mongodb.ResponseStore
	rollups   *mongodb.RollupStore
	worker    *rollup.Worker
	recount   *rollup.Recounter
	cases     *cases.Service
}

func newFixture(t *testing.T) *fixture {
	db := testkit.Store(t)
	log := testkit.Logger(t)
	j := mongodb.NewJournal(db, log)
	rollups := mongodb.NewRollupStore(db)
	opener := &cases.Service{Store: mongodb.NewCaseStore(db), Log: log, Now: time.Now}
	worker := rollup.NewWorker(rollups, opener, log)
	f := &fixture{t: t, db: db, journal: j, tickets: mongodb.NewTicketStore(db, 100, j), responses: mongodb.NewResponseStore(db, j, log),
		rollups: rollups, worker: worker, recount: rollup.NewRecounter(worker, rollups), cases: opener}
	t.Cleanup(f.responses.Close)
	return f
}

var day = time.Date(2026, 3, 31, 3, 0, 0, 0, time.UTC)

func (f *fixture) ticket(i int, field string) *survey.Ticket {
	f.t.Helper()
	t := &survey.Ticket{
		Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: fmt.Sprintf("H48-260331-%04d", i), Field: field, Agency: "H48", Counter: "c1",
		Delivery: survey.DeliveryDirect, SurveyID: "sipas-full", IssuedAt: day, ExpiresAt: day.Add(time.Hour * 24 * 30),
	}
	got, created, err := f.tickets.IssueTicket(context.Background(), t)
	if err != nil || !created {
		f.t.Fatalf("issue ticket: %v %v", created, err)
	}
	return got
}

func response(t *survey.Ticket, overall int) *survey.Response {
	return &survey.Response{
		Token: t.Token, Nonce: survey.NewToken(), SurveyID: "sipas-full", SurveyVersion: 1, Overall: overall,
		Answers: map[string]any{}, DossierCode: t.DossierCode, Field: t.Field, Agency: t.Agency, Counter: t.Counter,
		Channel: survey.ChannelQR, SubmittedAt: day.Add(time.Hour),
		Criteria: []survey.CriterionRating{{Criterion: "staff", Rating: overall}},
	}
}

func (f *fixture) submit(t *survey.Ticket, overall int) {
	f.t.Helper()
	if err := f.responses.SubmitResponse(context.Background(), response(t, overall)); err != nil {
		f.t.Fatalf("submit: %v", err)
	}
}

// exact drains the rollups and asserts they equal a full recount.
func (f *fixture) exact() map[string]map[string]int64 {
	f.t.Helper()
	// Writers confirm their journal entries just after answering; wait for them, then roll up.
	for i := 0; i < 50 && f.pending() > 0; i++ {
		if err := f.worker.Drain(context.Background()); err != nil {
			f.t.Fatalf("drain: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	diffs, err := f.recount.Verify(context.Background())
	if err != nil {
		f.t.Fatalf("verify: %v", err)
	}
	if len(diffs) > 0 {
		f.t.Fatalf("rollups differ from a recount: %+v", diffs)
	}
	stored, err := f.recount.Stored(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return stored
}

// pending counts the journal entries not yet rolled up.
func (f *fixture) pending() int64 {
	n, _ := f.worker.Pending(context.Background())
	return n
}

// partialApply is a store that crashes while applying a batch: it applies only the first n
// bucket updates, then fails.
type partialApply struct {
	*mongodb.RollupStore
	n int
}

func (s partialApply) Apply(ctx context.Context, b *rollup.Batch, fresh bool) error {
	if err := s.RollupStore.ApplyPart(ctx, b, s.n); err != nil {
		return err
	}
	return errors.New("crashed mid-batch")
}

func total(stored map[string]map[string]int64, counter string) int64 {
	var n int64
	for _, c := range stored {
		n += c[counter]
	}
	return n
}

func TestRollupsCountEveryTicketAndResponseOnce(t *testing.T) {
	f := newFixture(t)
	for i := range 40 {
		tk := f.ticket(i, "land")
		if i < 30 {
			f.submit(tk, 1+i%5)
		}
	}
	stored := f.exact()
	want := map[string]int64{stats.CounterIssued: 40, stats.CounterAnswered: 30, stats.CounterRated: 30, stats.CounterSatisfied: 12, "r1": 6, "r5": 6, stats.CounterNegative: 12, "c_staff_3": 6}
	for c, n := range want {
		if got := total(stored, c); got != n {
			t.Errorf("counter %s = %d, want %d", c, got, n)
		}
	}
}

func TestRollupsSurviveACrashBetweenWriteAndConfirm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.worker.StaleAfter = 0 // treat every pending entry as abandoned
	tk := f.ticket(1, "land")
	r := response(tk, 5)
	// The writer journaled, stored the response, then died before confirming.
	if _, err := f.journal.Begin(ctx, mongodb.ResponseEvent(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.DB.Collection("responses").InsertOne(ctx, r); err != nil {
		t.Fatal(err)
	}
	// A writer journaled a response that never reached the store.
	lost := response(f.ticket(2, "land"), 1)
	if _, err := f.journal.Begin(ctx, mongodb.ResponseEvent(lost)); err != nil {
		t.Fatal(err)
	}
	// A losing duplicate: journaled with another nonce, while the first response is the one stored.
	dup := response(tk, 1)
	if _, err := f.journal.Begin(ctx, mongodb.ResponseEvent(dup)); err != nil {
		t.Fatal(err)
	}
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != 1 {
		t.Fatalf("answered = %d, want 1", got)
	}
	if got := total(stored, "r5"); got != 1 {
		t.Fatalf("r5 = %d, want 1 (the stored response)", got)
	}
}

func TestRollupsSurviveACrashMidBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 10 {
		f.submit(f.ticket(i, []string{"land", "health"}[i%2]), 4)
	}
	// Apply part of the batch, then "crash": the batch stays incomplete.
	crashing := rollup.NewWorker(partialApply{RollupStore: f.rollups, n: 1}, f.cases, testkit.Logger(t))
	if _, err := crashing.Step(ctx); err == nil {
		t.Fatal("the crashing step completed its batch")
	}
	// Restart: the next step finishes the same batch without counting twice.
	f.exact()
	stored, _ := f.recount.Stored(ctx)
	if got := total(stored, stats.CounterAnswered); got != 10 {
		t.Fatalf("answered = %d, want 10", got)
	}
	// Re-applying a completed batch, as a worker resuming after a crash would, changes nothing.
	b, err := f.rollups.Batch(ctx, 1)
	if err != nil || b == nil {
		t.Fatalf("batch 1: %v, %v", b, err)
	}
	if err := f.rollups.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	f.exact()
}

func TestConcurrentWorkersStayExact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	workers := []*rollup.Worker{f.worker, rollup.NewWorker(f.rollups, f.cases, testkit.Logger(t)), rollup.NewWorker(f.rollups, f.cases, testkit.Logger(t))}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = w.Drain(ctx)
				}
			}
		}()
	}
	var subs sync.WaitGroup
	for i := range 60 {
		tk := f.ticket(i, "justice")
		subs.Add(1)
		go func() { defer subs.Done(); f.submit(tk, 2+i%4) }()
	}
	subs.Wait()
	close(stop)
	wg.Wait()
	stored := f.exact()
	if got := total(stored, stats.CounterAnswered); got != 60 {
		t.Fatalf("answered = %d, want 60", got)
	}
}

func TestRollupViewFollowsBatches(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	view := rollup.NewView(f.rollups)
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		f.submit(f.ticket(i, "land"), 5)
	}
	f.exact()
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := view.LoadDays(ctx); err != nil {
		t.Fatal(err)
	}
	var n int64
	view.Buckets(stats.Period{From: stats.DateOf(day), To: stats.DateOf(day)}, func(b *stats.Bucket) { n += b.Count(stats.CounterSatisfied) })
	if n != 5 {
		t.Fatalf("view has %d satisfied, want 5", n)
	}
	// A fresh view loads the same from the stored buckets.
	fresh := rollup.NewView(f.rollups)
	if err := fresh.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := fresh.LoadDays(ctx); err != nil {
		t.Fatal(err)
	}
	if fresh.Len() != view.Len() {
		t.Fatalf("fresh view has %d buckets, following view %d", fresh.Len(), view.Len())
	}
	_ = bson.D{}
}

// One batch touching hundreds of buckets (a busy day across many counters) completes: the
// updates go to the store in commands small enough for its connection pool.
func TestRollupBatchOverManyBuckets(t *testing.T) {
	f := newFixture(t)
	const counters = 250
	issue := func(round int) {
		for i := range counters {
			tk := &survey.Ticket{
				Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
				DossierCode: fmt.Sprintf("H48-260331-%d%04d", round, i), Field: "land", Agency: "H48", Counter: fmt.Sprintf("c%03d", i),
				Delivery: survey.DeliveryDirect, SurveyID: "sipas-full", IssuedAt: day, ExpiresAt: day.Add(30 * 24 * time.Hour),
			}
			if _, _, err := f.tickets.IssueTicket(context.Background(), tk); err != nil {
				t.Fatal(err)
			}
		}
	}
	issue(1)
	if stored := f.exact(); len(stored) != counters {
		t.Fatalf("%d buckets, want one per counter (%d)", len(stored), counters)
	}
	// The second batch updates those existing buckets, the case the store holds connections for.
	issue(2)
	stored := f.exact()
	if got := total(stored, stats.CounterIssued); got != 2*counters {
		t.Errorf("issued = %d, want %d", got, 2*counters)
	}
}

// A bucket changed behind the rollups' back shows up in verify, and rebuild restores it from a
// recount; a view loaded afterwards reads the rebuilt buckets.
func TestRebuildRepairsADamagedBucket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 6 {
		f.submit(f.ticket(i, "land"), 5)
	}
	before := f.exact()
	var key string
	for k := range before {
		key = k
	}
	_, err := f.db.DB.Collection("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: key}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "c." + stats.CounterAnswered, Value: 7}}}})
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := f.recount.Verify(ctx)
	// The damaged counter differs from the recount, and its month sum from the day buckets.
	if err != nil || len(diffs) != 2 || diffs[0].Key != key || diffs[0].Rollup-diffs[0].Recounted != 7 ||
		diffs[1].Key != rollup.MonthKey(key) || !diffs[1].Month || diffs[0].Month || diffs[1].Recounted-diffs[1].Rollup != 7 {
		t.Fatalf("verify after damage: %+v, %v; want the one damaged counter and its month sum", diffs, err)
	}
	n, err := f.recount.Rebuild(ctx)
	if err != nil || n != len(before) {
		t.Fatalf("rebuild: %d buckets, %v; want %d", n, err, len(before))
	}
	if got := f.exact(); total(got, stats.CounterAnswered) != 6 {
		t.Fatalf("answered = %d after rebuild, want 6", total(got, stats.CounterAnswered))
	}
	view := rollup.NewView(f.rollups)
	if err := view.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := view.LoadDays(ctx); err != nil {
		t.Fatal(err)
	}
	var satisfied int64
	view.Buckets(stats.Period{From: stats.DateOf(day), To: stats.DateOf(day)}, func(b *stats.Bucket) { satisfied += b.Count(stats.CounterSatisfied) })
	if satisfied != 6 {
		t.Fatalf("view after rebuild has %d satisfied, want 6", satisfied)
	}
}

// The figures added for the official report roll up exactly, and a recount of the stored
// tickets and responses finds the same: dossiers by delivery and timing, return trips, kiosk
// chips, complaints, criteria per respondent and per-procedure counts (codes hold dots, which
// the store would read as nested fields).
func TestNewFiguresRollUpExactly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const proc = "1.001612.000.00.00.H48"
	yes, no := true, false
	var tickets []*survey.Ticket
	for i := range 6 {
		tk := &survey.Ticket{
			Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
			DossierCode: fmt.Sprintf("H48-260331-%04d", 100+i), Field: "land", Agency: "H48", Counter: "c1",
			ProcedureCode: proc, Delivery: survey.DeliveryDirect, OnTime: &yes, SurveyID: "sipas-full", IssuedAt: day, ExpiresAt: day.Add(720 * time.Hour),
		}
		if i%2 == 1 { // dossiers 1, 3, 5: online and late
			tk.Delivery, tk.OnTime, tk.SurveyID = survey.DeliveryOnline, &no, "sipas-online"
		}
		if _, _, err := f.tickets.IssueTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	// Dossier 0: overall 5, staff 5,3 (mean 4: satisfied), returns "0".
	// Dossier 1: overall 2 (late), staff 2, returns "2+", asks to be contacted.
	// Dossier 2: kiosk, overall 1, chips waiting + payment.
	// Dossier 3: overall 4 (late), no items, returns "1".
	for i, r := range []*survey.Response{response(tickets[0], 5), response(tickets[1], 2), response(tickets[2], 1), response(tickets[3], 4)} {
		r.ProcedureCode, r.OnTime = proc, tickets[i].OnTime
		switch i {
		case 0:
			r.Criteria, r.Returns = []survey.CriterionRating{{Criterion: "staff", Rating: 5}, {Criterion: "staff", Rating: 3}}, "0"
		case 1:
			r.Returns, r.Contact = "2+", true
		case 2:
			r.Channel, r.Criteria, r.Reasons, r.ExtraPayment = survey.ChannelKiosk, nil, []string{"waiting", "payment"}, true
		case 3:
			r.Criteria, r.Returns = nil, "1"
		}
		if err := f.responses.SubmitResponse(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	stored := f.exact()
	p := func(c string) string { return stats.ProcedureCounter(proc, c) }
	want := map[string]int64{
		stats.CounterIssued: 6, stats.CounterIssuedOnline: 3, stats.CounterLateDossier: 3, stats.CounterOnTimeDossier: 3,
		// Against QĐ 766 apart from the 3 late dossiers: dossier 2 (rated 1, payment); dossier 1 is late already.
		stats.CounterFlaggedAnswer: 1, stats.CounterComplaint: 1,
		stats.CounterReturnsAnswered: 3, stats.CounterReturnsNone: 1, stats.CounterReturnsOnce: 1, stats.CounterReturnsMore: 1,
		"chip_waiting": 1, "chip_payment": 1,
		// staff: dossier 0 (5+3)/2 = 4 satisfied, dossier 1 2 not: 1 of 2 respondents, 3 item answers.
		"cn_staff": 2, "cs_staff": 1, "c_staff_5": 1, "c_staff_3": 1, "c_staff_2": 1, stats.CounterCriterionAny: 2,
		p("issued"): 6, p("late_d"): 3, p("answered"): 4, p("n"): 4, p("sat"): 2, p("d766r"): 1,
	}
	for c, n := range want {
		if got := total(stored, c); got != n {
			t.Errorf("counter %s = %d, want %d", c, got, n)
		}
	}
}
