package mongodb_test

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/survey"
)

// A ticket issued longer than the retention ago keeps no readable dossier code, in the ticket
// or its claim, and counts as before; a dossier past the retention can be issued a new ticket,
// and reducing that one later leaves the two reduced tickets apart.
func TestRetentionHidesTheDossierCodeOfOldTickets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	seal, err := cases.NewSealer(make([]byte, cases.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	now := day.Add(6 * 365 * 24 * time.Hour)
	cutoff := now.Add(-5 * 365 * 24 * time.Hour)
	old := f.ticket(1, "dat-dai")
	f.submit(old, 4)
	recent := &survey.Ticket{Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: "H48-320329-0002", Field: "dat-dai", Agency: "H48", Counter: "c1", Delivery: survey.DeliveryDirect,
		SurveyID: "sipas-full", IssuedAt: now.Add(-time.Hour), ExpiresAt: now.Add(30 * 24 * time.Hour)}
	if _, _, err := f.tickets.IssueTicket(ctx, recent); err != nil {
		t.Fatal(err)
	}
	before := f.exact()

	n, err := f.tickets.ReduceOlderThan(ctx, cutoff, seal.Digest)
	if err != nil || n != 1 {
		t.Fatalf("reduced %d tickets, %v; want 1", n, err)
	}
	got, err := f.tickets.TicketByToken(ctx, old.Token)
	if err != nil || got.DossierCode == old.DossierCode || !strings.HasPrefix(got.DossierCode, "#") || got.Field != "dat-dai" {
		t.Errorf("the old ticket reads %+v, %v; want its dossier code replaced by a digest", got, err)
	}
	if _, err := f.tickets.TicketByDossier(ctx, old.DossierCode); !errors.Is(err, survey.ErrTicketNotFound) {
		t.Errorf("the old dossier code still finds a ticket: %v", err)
	}
	for _, col := range []string{"tickets", "dossiers"} {
		if docs := f.containing(col, old.DossierCode); len(docs) > 0 {
			t.Errorf("%s still holds the old dossier code: %v", col, docs)
		}
	}
	if kept, err := f.tickets.TicketByDossier(ctx, recent.DossierCode); err != nil || kept.Token != recent.Token {
		t.Errorf("the recent ticket's dossier no longer finds it: %+v, %v", kept, err)
	}
	if after := f.exact(); !maps.EqualFunc(before, after, maps.Equal) {
		t.Errorf("rollups changed: %v, want %v", after, before)
	}
	if n, err := f.tickets.ReduceOlderThan(ctx, cutoff, seal.Digest); err != nil || n != 0 {
		t.Errorf("a second pass reduced %d, %v; want none", n, err)
	}

	again := f.ticket(1, "dat-dai") // the same dossier code as old
	if again.Token == old.Token {
		t.Fatal("the dossier past the retention was given its old ticket")
	}
	if n, err := f.tickets.ReduceOlderThan(ctx, now.Add(time.Hour), seal.Digest); err != nil || n != 2 {
		t.Errorf("reducing the new ticket of the same dossier: %d, %v; want 2 tickets", n, err)
	}
	f.exact()
}
