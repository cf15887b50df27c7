package kiosk

import "time"

// Event is what a tablet is pushed: a dossier just completed at its counter, or a word that the
// tablet itself was revoked. A dossier goes out as what the tablet shows plus Ref, an opaque
// reference the tablet redeems with its device cookie; never the survey token.
type Event struct {
	Type          string    `json:"type"` // EventDossier or EventRevoked
	Ref           string    `json:"ref,omitempty"`
	DossierCode   string    `json:"dossier_code,omitempty"`
	ProcedureName string    `json:"procedure_name,omitempty"`
	Field         string    `json:"field,omitempty"`
	IssuedAt      time.Time `json:"issued_at,omitzero"`
	Device        string    `json:"device,omitempty"` // the revoked device
	// SentAt is when the event was published, so push latency can be measured end to end.
	SentAt time.Time `json:"sent_at"`
}

// Event types.
const (
	EventDossier = "dossier"
	EventRevoked = "revoked"
)

// dossierEvent is the push of dossier d.
func dossierEvent(d *CurrentDossier) Event {
	return Event{Type: EventDossier, Ref: d.Ref, DossierCode: d.DossierCode,
		ProcedureName: d.ProcedureName, Field: d.Field, IssuedAt: d.IssuedAt}
}
