package ticket

import (
	"context"
	"log/slog"
	"time"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// CounterDossier is one dossier completed at a counter, as the counter's officer sees it in the
// day's list.
type CounterDossier struct {
	Token         string    `bson:"token" json:"token"`
	ShortCode     string    `bson:"short_code" json:"short_code"`
	DossierCode   string    `bson:"dossier_code" json:"dossier_code"`
	ProcedureName string    `bson:"procedure_name,omitempty" json:"procedure_name,omitempty"`
	Field         string    `bson:"field" json:"field"`
	CompletedAt   time.Time `bson:"completed_at" json:"completed_at"`
}

// CounterDossierOf is the day-list entry of ticket t.
func CounterDossierOf(t *survey.Ticket) CounterDossier {
	return CounterDossier{Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		ProcedureName: t.ProcedureName, Field: t.Field, CompletedAt: t.CompletedAt}
}

// CounterDays keeps, for each counter and day, the dossiers completed there, so the counter
// page lists them without querying tickets by anything but their token. day is YYYY-MM-DD in
// Asia/Ho_Chi_Minh.
type CounterDays interface {
	// AddCounterDossier appends d to the day's list of the counter of agency.
	AddCounterDossier(ctx context.Context, agency, counter, day string, d CounterDossier) error
	// CounterDossiers returns the day's list of the counter, in the order the dossiers were added.
	CounterDossiers(ctx context.Context, agency, counter, day string) ([]CounterDossier, error)
}

// DayList records each new ticket of a counter in that counter's list of the day.
type DayList struct {
	Store CounterDays
	Log   *slog.Logger
}

var _ Listener = DayList{}

// TicketIssued adds t to its counter's list of the day it was completed. Failures are logged:
// the ticket is issued all the same.
func (dl DayList) TicketIssued(ctx context.Context, t *survey.Ticket) {
	if t.Agency == "" || t.Counter == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	day := stats.DateOf(t.CompletedAt).String()
	if err := dl.Store.AddCounterDossier(ctx, t.Agency, t.Counter, day, CounterDossierOf(t)); err != nil {
		dl.Log.Warn("counter: record the dossier of the day", "err", err)
	}
}
