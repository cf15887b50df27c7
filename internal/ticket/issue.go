// Package ticket issues the survey ticket of a completed dossier: one function for the
// one-stop e-system's API, the counter form and the batch import, so each of them validates,
// stores and announces a ticket the same way.
package ticket

import (
	"context"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// DefaultSurvey is the survey a ticket's QR leads to.
const DefaultSurvey = "sipas-full"

// OnlineSurvey is the survey of dossiers whose result was delivered online: it asks about the
// portal, the e-forms, the e-payment and the delivery instead of the counter.
const OnlineSurvey = "sipas-online"

// SurveyFor is the survey a dossier delivered by d is asked.
func SurveyFor(d survey.Delivery) string {
	if d == survey.DeliveryOnline {
		return OnlineSurvey
	}
	return DefaultSurvey
}

// Store keeps tickets, at most one per dossier.
type Store interface {
	// IssueTickets stores each ticket unless its dossier already has one, and returns one
	// result per ticket, in order: the stored ticket and whether it was created now, or the
	// error of that ticket alone. A dossier twice in ts gets one ticket.
	IssueTickets(ctx context.Context, ts []*survey.Ticket) []Result
}

// Catalogue tells whether a field code is an active field of the catalogue.
type Catalogue interface {
	Known(ctx context.Context, code string) bool
}

// Listener is told of the tickets issued now (not of a dossier's existing ticket), a batch at
// a time. It handles its own failures: the tickets are issued all the same.
type Listener interface {
	TicketsIssued(ctx context.Context, ts []*survey.Ticket)
}

// Issuer issues tickets. Concurrent issues are stored together (see committer), so a call
// waits for a batch write rather than for a write of its own.
type Issuer struct {
	fields Catalogue
	ttl    time.Duration
	now    func() time.Time
	commit *committer
}

// NewIssuer returns an issuer storing tickets valid for ttl in store, with one batch writer;
// Close stops it.
func NewIssuer(store Store, fields Catalogue, ttl time.Duration, now func() time.Time, listeners ...Listener) *Issuer {
	return NewIssuerWriters(1, store, fields, ttl, now, listeners...)
}

// NewIssuerWriters is NewIssuer with writers batch writers at once: one for a store that takes
// one writer at a time (the embedded store), more for a server that writes in parallel.
func NewIssuerWriters(writers int, store Store, fields Catalogue, ttl time.Duration, now func() time.Time, listeners ...Listener) *Issuer {
	return &Issuer{fields: fields, ttl: ttl, now: now, commit: newCommitter(writers, store, listeners)}
}

// Close stops taking tickets and returns once every queued one is stored.
func (is *Issuer) Close() { is.commit.close() }

// Validate checks req and fills its defaults, returning every problem found.
func (is *Issuer) Validate(ctx context.Context, req *survey.TicketRequest) survey.FieldErrors {
	return req.Validate(func(code string) bool { return is.fields.Known(ctx, code) })
}

// Issue validates req and stores its ticket unless the dossier already has one; created says
// which. The listeners hear of a new ticket before Issue returns.
func (is *Issuer) Issue(ctx context.Context, req *survey.TicketRequest) (t *survey.Ticket, created bool, err error) {
	if errs := is.Validate(ctx, req); len(errs) > 0 {
		return nil, false, errs
	}
	r := is.commit.issue(ctx, []*survey.Ticket{is.newTicket(req)})[0]
	return r.Ticket, r.Created, r.Err
}

func (is *Issuer) newTicket(req *survey.TicketRequest) *survey.Ticket {
	now := is.now().UTC()
	completed := now
	if req.CompletedAt != nil {
		completed = req.CompletedAt.UTC()
	}
	return &survey.Ticket{
		Token: survey.NewTicketToken(now), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: req.DossierCode, ProcedureCode: req.ProcedureCode, ProcedureName: req.ProcedureName,
		Field: req.Field, Agency: req.Agency, Counter: req.Counter, Officer: req.Officer,
		Delivery: req.Delivery, CompletedAt: completed, OnTime: req.OnTime, SurveyID: SurveyFor(req.Delivery),
		IssuedAt: now, ExpiresAt: now.Add(is.ttl), IssuedBy: req.IssuedBy, IssuerClient: req.IssuerClient,
	}
}
