package survey

import "time"

// Source is where a response was given; managers compare satisfaction by it.
type Source string

// The response sources.
const (
	SourceQR     Source = "qr"     // the citizen scanned the QR or typed the short code
	SourceKiosk  Source = "kiosk"  // the tablet at the counter
	SourceOnline Source = "online" // the dossier itself was handled online
)

// Sources lists every response source, in the order figures show them.
var Sources = []Source{SourceQR, SourceKiosk, SourceOnline}

var sourceLabels = map[Source]Text{
	SourceQR:     Msg("source.qr"),
	SourceKiosk:  Msg("source.kiosk"),
	SourceOnline: Msg("source.online"),
}

// SourceLabel is how people call a response source; unknown sources have no label.
func SourceLabel(s Source) Text { return sourceLabels[s] }

// SourceFor picks the source of a response to t given on a kiosk or not.
func SourceFor(t *Ticket, kiosk bool) Source {
	switch {
	case kiosk:
		return SourceKiosk
	case t.Channel == ChannelOnline:
		return SourceOnline
	default:
		return SourceQR
	}
}

// Response is a citizen's rating of one dossier. Its key is the ticket token, so the store's
// unique primary key keeps it to one response per dossier.
type Response struct {
	Token         string            `bson:"_id"`
	Nonce         string            `bson:"nonce"`
	SurveyID      string            `bson:"survey_id"`
	SurveyVersion int               `bson:"survey_version"`
	Overall       int               `bson:"overall"`
	Answers       map[string]any    `bson:"answers"`
	Comment       string            `bson:"comment,omitempty"`
	Criteria      []CriterionRating `bson:"criteria,omitempty"`
	ExtraPayment  bool              `bson:"extra_payment,omitempty"`
	DossierCode   string            `bson:"dossier_code"`
	Field         string            `bson:"field"`
	Agency        string            `bson:"agency,omitempty"`
	Counter       string            `bson:"counter,omitempty"`
	Officer       string            `bson:"officer,omitempty"`
	Source        Source            `bson:"source"`
	OnTime        *bool             `bson:"on_time,omitempty"`
	Misuse        bool              `bson:"misuse,omitempty"`
	Lang          string            `bson:"lang,omitempty"`
	SubmittedAt   time.Time         `bson:"submitted_at"`
}

// NewResponse builds the response to t from validated answers.
func NewResponse(t *Ticket, d *Definition, a Answers, src Source, lang string, now time.Time) *Response {
	return &Response{
		Token:         t.Token,
		Nonce:         NewToken(),
		SurveyID:      d.ID,
		SurveyVersion: d.Version,
		Overall:       a.Overall,
		Answers:       a.Values,
		Comment:       a.Comment,
		Criteria:      d.CriterionRatings(a),
		ExtraPayment:  a.ExtraPayment(),
		DossierCode:   t.DossierCode,
		Field:         t.Field,
		Agency:        t.Agency,
		Counter:       t.Counter,
		Officer:       t.Officer,
		Source:        src,
		OnTime:        t.OnTime,
		Lang:          lang,
		SubmittedAt:   now.UTC(),
	}
}
