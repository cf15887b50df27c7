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
	// IssueTicket stores t unless its dossier already has a ticket; it returns the stored
	// ticket and whether it was created now.
	IssueTicket(ctx context.Context, t *survey.Ticket) (*survey.Ticket, bool, error)
}

// Catalogue tells whether a field code is an active field of the catalogue.
type Catalogue interface {
	Known(ctx context.Context, code string) bool
}

// Listener is told of every ticket issued now (not of a dossier's existing ticket). It handles
// its own failures: the ticket is issued all the same.
type Listener interface {
	TicketIssued(ctx context.Context, t *survey.Ticket)
}

// Issuer issues tickets.
type Issuer struct {
	store     Store
	fields    Catalogue
	ttl       time.Duration
	now       func() time.Time
	listeners []Listener
}

// NewIssuer returns an issuer storing tickets valid for ttl in store.
func NewIssuer(store Store, fields Catalogue, ttl time.Duration, now func() time.Time, listeners ...Listener) *Issuer {
	return &Issuer{store: store, fields: fields, ttl: ttl, now: now, listeners: listeners}
}

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
	t, created, err = is.store.IssueTicket(ctx, is.newTicket(req))
	if err != nil || !created {
		return t, created, err
	}
	for _, l := range is.listeners {
		l.TicketIssued(ctx, t)
	}
	return t, true, nil
}

func (is *Issuer) newTicket(req *survey.TicketRequest) *survey.Ticket {
	now := is.now().UTC()
	completed := now
	if req.CompletedAt != nil {
		completed = req.CompletedAt.UTC()
	}
	return &survey.Ticket{
		Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: req.DossierCode, ProcedureCode: req.ProcedureCode, ProcedureName: req.ProcedureName,
		Field: req.Field, Agency: req.Agency, Counter: req.Counter, Officer: req.Officer,
		Delivery: req.Delivery, CompletedAt: completed, OnTime: req.OnTime, SurveyID: SurveyFor(req.Delivery),
		IssuedAt: now, ExpiresAt: now.Add(is.ttl), IssuedBy: req.IssuedBy,
	}
}
