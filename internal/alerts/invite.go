package alerts

import (
	"context"

	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/survey"
)

// Sealer seals a citizen's e-mail address while its invitation waits to be sent.
type Sealer interface {
	Seal(plain []byte, label string) []byte
}

// Invitations records the survey invitations the one-stop e-system asks to be e-mailed.
type Invitations struct {
	Outbox Recorder
	Sealer Sealer
	Labels Labels
	// Label is the label the address is sealed under (mail.AddressLabel).
	Label string
}

// invitationData is what an invitation says; the address travels sealed beside it.
type invitationData struct {
	URL         string `json:"url"`
	DossierCode string `json:"dossier_code"`
	Agency      string `json:"agency"`
	AgencyName  string `json:"agency_name"`
	Lang        string `json:"lang"`
}

// Invite records the invitation to rate ticket t at surveyURL, to be mailed to email in lang;
// asking again for the same ticket records nothing new.
func (a *Invitations) Invite(ctx context.Context, t *survey.Ticket, surveyURL, email, lang string) error {
	d := invitationData{URL: surveyURL, DossierCode: t.DossierCode, Agency: t.Agency, Lang: lang}
	if a.Labels != nil {
		d.AgencyName = a.Labels.Label(ctx, lang, "agency", t.Agency)
	}
	ev, err := outbox.NewEvent(outbox.Invitation, t.IssuedAt, t.Agency, d, t.Token)
	if err != nil {
		return err
	}
	ev.To = a.Sealer.Seal([]byte(email), a.Label)
	return a.Outbox.Record(ctx, ev)
}
