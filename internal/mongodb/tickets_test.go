package mongodb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
	"github.com/hailong/hailong/internal/ticket"
)

// newTicket is an unsaved ticket for dossier i.
func newTicket(i int) *survey.Ticket {
	return &survey.Ticket{
		Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: fmt.Sprintf("H48-260331-%04d", i), Field: "land", Agency: "H48", Counter: "c1",
		Delivery: survey.DeliveryDirect, SurveyID: "sipas-full", IssuedAt: day, ExpiresAt: day.Add(30 * 24 * time.Hour),
	}
}

func TestTicketBatchGivesEachDossierOneTicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	earlier := f.ticket(1, "land")
	taken := newTicket(3)
	taken.ShortCode = earlier.ShortCode // drawn again by chance: the store draws another
	twice := newTicket(2)
	batch := []*survey.Ticket{newTicket(1), twice, taken, newTicket(2), newTicket(4)}

	got := f.tickets.IssueTickets(ctx, batch)

	for i, r := range got {
		if r.Err != nil {
			t.Fatalf("ticket %d: %v", i, r.Err)
		}
	}
	if got[0].Created || got[0].Ticket.Token != earlier.Token {
		t.Errorf("a dossier with a ticket got %+v, want its ticket %s, not created", got[0], earlier.Token)
	}
	if !got[1].Created || got[3].Created || got[3].Ticket.Token != twice.Token {
		t.Errorf("a dossier twice in the batch: created %v/%v, tokens %s/%s; want one ticket, created once",
			got[1].Created, got[3].Created, got[1].Ticket.Token, got[3].Ticket.Token)
	}
	if !got[2].Created || got[2].Ticket.ShortCode == earlier.ShortCode {
		t.Errorf("a taken short code: created %v with code %s, want a new ticket with another code", got[2].Created, got[2].Ticket.ShortCode)
	}
	for _, r := range got {
		byCode, err := f.tickets.TicketByShortCode(ctx, r.Ticket.ShortCode)
		if err != nil || byCode.Token != r.Ticket.Token {
			t.Errorf("short code %s finds %v, %v; want ticket %s", r.Ticket.ShortCode, byCode, err, r.Ticket.Token)
		}
		byDossier, err := f.tickets.TicketByDossier(ctx, r.Ticket.DossierCode)
		if err != nil || byDossier.Token != r.Ticket.Token {
			t.Errorf("dossier %s finds %v, %v; want ticket %s", r.Ticket.DossierCode, byDossier, err, r.Ticket.Token)
		}
	}
	if n := total(f.exact(), stats.CounterIssued); n != 4 {
		t.Errorf("issued = %d, want 4 (dossiers 1 to 4)", n)
	}
}

// countingListener records the tickets it hears of.
type countingListener struct {
	mu    sync.Mutex
	heard map[string]int
}

func (l *countingListener) TicketsIssued(_ context.Context, ts []*survey.Ticket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, t := range ts {
		l.heard[t.DossierCode]++
	}
}

type allFields struct{}

func (allFields) Known(context.Context, string) bool { return true }

func TestConcurrentIssuesShareBatchesAndEachDossierGetsOneTicket(t *testing.T) {
	f := newFixture(t)
	heard := &countingListener{heard: map[string]int{}}
	days := mongodb.NewCounterDayStore(f.db)
	is := ticket.NewIssuer(f.tickets, allFields{}, 30*24*time.Hour, func() time.Time { return day }, heard, ticket.DayList{Store: days, Log: testkit.Logger(t)})
	defer is.Close()
	const dossiers, callers = 60, 3 // every dossier asked for by three callers at once
	tokens := make([][callers]string, dossiers)
	var wg sync.WaitGroup
	for i := range dossiers {
		for c := range callers {
			wg.Go(func() {
				req := &survey.TicketRequest{DossierCode: fmt.Sprintf("H48-260331-%04d", i), Field: "land", Agency: "H48", Counter: "c1"}
				tk, _, err := is.Issue(context.Background(), req)
				if err != nil {
					t.Errorf("issue %d: %v", i, err)
					return
				}
				tokens[i][c] = tk.Token
			})
		}
	}
	wg.Wait()
	for i, ts := range tokens {
		if ts[0] != ts[1] || ts[0] != ts[2] {
			t.Errorf("dossier %d got tickets %v, want one", i, ts)
		}
	}
	for code, n := range heard.heard {
		if n != 1 {
			t.Errorf("listeners heard of dossier %s %d times, want once", code, n)
		}
	}
	if len(heard.heard) != dossiers {
		t.Errorf("listeners heard of %d dossiers, want %d", len(heard.heard), dossiers)
	}
	list, err := days.CounterDossiers(context.Background(), "H48", "c1", stats.DateOf(day).String())
	if err != nil || len(list) != dossiers {
		t.Errorf("the counter's day list holds %d dossiers (%v), want %d", len(list), err, dossiers)
	}
	if n := total(f.exact(), stats.CounterIssued); n != dossiers {
		t.Errorf("issued = %d, want %d", n, dossiers)
	}
}

// BenchmarkTicketIssue measures tickets issued per second through the issuer straight into the
// ticket store (no HTTP), with the kiosk and day-list writes a ticket brings, 128 callers.
func BenchmarkTicketIssue(b *testing.B) {
	db := testkit.Store(b)
	log := testkit.Logger(b)
	tickets := mongodb.NewTicketStore(db, 100_000, mongodb.NewJournal(db, log))
	days := mongodb.NewCounterDayStore(db)
	hub := redisstore.NewHub(testkit.RedisClient(b, testkit.RedisURL(b)), "bench:", log)
	defer hub.Close()
	kiosks := &kiosk.Service{Devices: mongodb.NewDeviceStore(db), Hub: hub, Log: log, Now: time.Now}
	is := ticket.NewIssuerWriters(db.Writers(), tickets, allFields{}, 30*24*time.Hour, time.Now,
		kiosks, ticket.DayList{Store: days, Log: log})
	defer is.Close()
	const callers = 128
	per := b.N/callers + 1
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range per {
				req := &survey.TicketRequest{DossierCode: fmt.Sprintf("B-%03d-%06d", c, i), Field: "land", Agency: "H48", Counter: fmt.Sprintf("c%d", c%12)}
				if _, _, err := is.Issue(context.Background(), req); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(per*callers)/time.Since(start).Seconds(), "tickets/s")
}

// A store made by an earlier version has unique indexes on the tickets' dossier and short
// codes. Starting on it drops them, a second start finds nothing to drop, and each dossier
// still gets one ticket and each short code one dossier, by their claims.
func TestStartDropsTheTicketIndexesTheClaimsRepeat(t *testing.T) {
	db := testkit.Store(t)
	ctx := context.Background()
	tickets := db.DB.Collection("tickets")
	for _, key := range []string{"dossier_code", "short_code"} {
		_, err := tickets.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: key, Value: 1}},
			Options: options.Index().SetUnique(true).SetName(key + "_unique")})
		if err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := db.EnsureSchema(ctx); err != nil {
			t.Fatalf("start on a store with the old indexes: %v", err)
		}
	}
	specs, err := tickets.Indexes().ListSpecifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range specs {
		if s.Name != "_id_" {
			t.Errorf("tickets still have index %s", s.Name)
		}
	}
	store := mongodb.NewTicketStore(db, 100, mongodb.NewJournal(db, testkit.Logger(t)))
	first := newTicket(1)
	again, taken := newTicket(1), newTicket(2)
	taken.ShortCode = first.ShortCode
	if r := store.IssueTickets(ctx, []*survey.Ticket{first})[0]; r.Err != nil || !r.Created {
		t.Fatalf("first ticket: %+v", r)
	}
	got := store.IssueTickets(ctx, []*survey.Ticket{again, taken})
	if got[0].Err != nil || got[0].Created || got[0].Ticket.Token != first.Token {
		t.Errorf("the dossier again got %+v, want its ticket %s", got[0], first.Token)
	}
	if got[1].Err != nil || !got[1].Created || got[1].Ticket.ShortCode == first.ShortCode {
		t.Errorf("a taken short code got %+v, want a new ticket with another code", got[1])
	}
	if n, err := tickets.CountDocuments(ctx, bson.D{}); err != nil || n != 2 {
		t.Errorf("%d tickets stored (%v), want 2", n, err)
	}
}
