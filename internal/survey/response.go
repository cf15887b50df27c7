package survey

import (
	"slices"
	"time"
)

// Channel is how a response was given; managers compare satisfaction by it (the stats API's
// channel filter and grouping). The stored response and rollup buckets call it "source".
type Channel string

// The channels a response comes through.
const (
	ChannelQR     Channel = "qr"     // the citizen scanned the QR or typed the short code
	ChannelKiosk  Channel = "kiosk"  // the tablet at the counter
	ChannelOnline Channel = "online" // the dossier itself was handled online
)

// Channels lists every channel, in the order figures show them.
var Channels = []Channel{ChannelQR, ChannelKiosk, ChannelOnline}

var channelLabels = map[Channel]Text{
	ChannelQR:     Msg("channel.label.qr"),
	ChannelKiosk:  Msg("channel.label.kiosk"),
	ChannelOnline: Msg("channel.label.online"),
}

// ChannelLabel is how figures name a channel; unknown channels have no label.
func ChannelLabel(c Channel) Text { return channelLabels[c] }

// ChannelFor picks the channel of a response to t given on a kiosk or not.
func ChannelFor(t *Ticket, kiosk bool) Channel {
	switch {
	case kiosk:
		return ChannelKiosk
	case t.Delivery == DeliveryOnline:
		return ChannelOnline
	default:
		return ChannelQR
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
	// Contact, Returns and Reasons are answers the figures count, kept apart from Answers so
	// they outlive the retention period as the figures do.
	Contact       bool      `bson:"contact,omitempty"`
	Returns       string    `bson:"returns,omitempty"`
	Reasons       []string  `bson:"reasons,omitempty"`
	ProcedureCode string    `bson:"procedure_code,omitempty"`
	DossierCode   string    `bson:"dossier_code"`
	Field         string    `bson:"field"`
	Agency        string    `bson:"agency,omitempty"`
	Counter       string    `bson:"counter,omitempty"`
	Officer       string    `bson:"officer,omitempty"`
	Channel       Channel   `bson:"source"`
	OnTime        *bool     `bson:"on_time,omitempty"`
	Misuse        bool      `bson:"misuse,omitempty"`
	Lang          string    `bson:"lang,omitempty"`
	SubmittedAt   time.Time `bson:"submitted_at"`
	// FollowUpNonce marks the step 2 answers added to the response (see FollowUp); empty until then.
	FollowUpNonce string     `bson:"followup_nonce,omitempty"`
	FollowUpAt    *time.Time `bson:"followup_at,omitempty"`
	// IssuedBy is how the ticket answered was issued; SameClient marks an answer sent from the
	// browser an officer issued that ticket from by hand.
	IssuedBy   IssueMethod `bson:"issued_by,omitempty"`
	SameClient bool        `bson:"same_client,omitempty"`
}

// NewResponse builds the response to t from validated answers, with personal data typed into
// the comment or any free-text answer masked: it is stored, journalled and shown only so.
func NewResponse(t *Ticket, d *Definition, a Answers, ch Channel, lang string, now time.Time) *Response {
	maskTextAnswers(d, a.Values)
	return &Response{
		Token:         t.Token,
		Nonce:         NewToken(),
		SurveyID:      d.ID,
		SurveyVersion: d.Version,
		Overall:       a.Overall,
		Answers:       a.Values,
		Comment:       MaskPersonalData(a.Comment),
		Criteria:      d.CriterionRatings(a),
		ExtraPayment:  a.ExtraPayment(),
		Contact:       a.Values[QuestionContact] == true,
		Returns:       stringAnswer(a.Values[QuestionReturns]),
		Reasons:       chipsAnswer(a.Values[QuestionReasons]),
		ProcedureCode: t.ProcedureCode,
		DossierCode:   t.DossierCode,
		Field:         t.Field,
		Agency:        t.Agency,
		Counter:       t.Counter,
		Officer:       t.Officer,
		Channel:       ch,
		OnTime:        t.OnTime,
		IssuedBy:      t.IssuedBy,
		Lang:          lang,
		SubmittedAt:   now.UTC(),
	}
}

func stringAnswer(v any) string {
	s, _ := v.(string)
	return s
}

func chipsAnswer(v any) []string {
	chips, _ := v.([]string)
	return slices.Clone(chips)
}
