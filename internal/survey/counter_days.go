package survey

import (
	"context"
	"time"
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
func CounterDossierOf(t *Ticket) CounterDossier {
	return CounterDossier{Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		ProcedureName: t.ProcedureName, Field: t.Field, CompletedAt: t.CompletedAt}
}

// CounterDayStore keeps, for each counter and day, the dossiers completed there, so the counter
// page lists them without querying tickets by anything but their token. day is YYYY-MM-DD in
// Asia/Ho_Chi_Minh.
type CounterDayStore interface {
	// AddCounterDossier appends d to the day's list of the counter of agency.
	AddCounterDossier(ctx context.Context, agency, counter, day string, d CounterDossier) error
	// CounterDossiers returns the day's list of the counter, in the order the dossiers were added.
	CounterDossiers(ctx context.Context, agency, counter, day string) ([]CounterDossier, error)
}
