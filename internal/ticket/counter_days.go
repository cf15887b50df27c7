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
	// AddCounterDossiers appends each entry to its counter's list of its day.
	AddCounterDossiers(ctx context.Context, entries []DayEntry) error
	// CounterDossiers returns the day's list of the counter: the dossiers each instance added,
	// in the order it added them.
	CounterDossiers(ctx context.Context, agency, counter, day string) ([]CounterDossier, error)
}

// DayEntry is a dossier for the list of a counter of agency on day.
type DayEntry struct {
	Agency, Counter, Day string
	Dossier              CounterDossier
}

// DayList records each new ticket of a counter in that counter's list of the day.
type DayList struct {
	Store CounterDays
	Log   *slog.Logger
}

var _ Listener = DayList{}

// TicketsIssued adds each ticket to its counter's list of the day it was completed. Failures
// are logged: the tickets are issued all the same.
func (dl DayList) TicketsIssued(ctx context.Context, ts []*survey.Ticket) {
	var entries []DayEntry
	for _, t := range ts {
		if t.Agency != "" && t.Counter != "" {
			entries = append(entries, DayEntry{Agency: t.Agency, Counter: t.Counter,
				Day: stats.DateOf(t.CompletedAt).String(), Dossier: CounterDossierOf(t)})
		}
	}
	if len(entries) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := dl.Store.AddCounterDossiers(ctx, entries); err != nil {
		dl.Log.Warn("counter: record the dossiers of the day", "err", err)
	}
}
