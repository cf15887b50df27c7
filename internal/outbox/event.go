// Package outbox tells managers and other systems what happens here, and guarantees it across
// crashes: an event is written once into the outbox, alongside the change that causes it or
// from the journal, under an identity derived from its cause; the outbox then fans each event
// out to one delivery per receiver (a webhook endpoint, a user's mailbox), and delivers each at
// least once, retrying with back-off for up to a day. Each attempt is claimed in the store
// before it is made, so two instances never make the same attempt of a delivery, and an
// attempt cut short by a crash is made again once its claim has expired.
package outbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// The event types. The case and target events are the managers' alerts; the digests are
// summaries written once a day and once a week; response.created is written only while a
// webhook asks for it; invitations carry a citizen's survey link to their mailbox.
const (
	CaseOpened      = "case.opened"
	CaseDueSoon     = "case.due_soon"
	CaseOverdue     = "case.overdue"
	CaseResolved    = "case.resolved"
	TargetBelow     = "target.below"
	ResponseCreated = "response.created"
	DigestDaily     = "digest.daily"
	DigestWeekly    = "digest.weekly"
	Invitation      = "survey.invitation"
)

// WebhookTypes are the events a webhook endpoint can subscribe to. Invitations are mail only:
// they carry a citizen's address.
var WebhookTypes = []string{CaseOpened, CaseDueSoon, CaseOverdue, CaseResolved, TargetBelow, ResponseCreated, DigestDaily, DigestWeekly}

// Event is one thing that happened. Its ID is derived from its cause, so writing it again
// (after a crash, or by a second instance) leaves one event.
type Event struct {
	ID   string    `bson:"_id" json:"id"`
	Type string    `bson:"type" json:"type"`
	At   time.Time `bson:"at" json:"timestamp"`
	// Data is the event's JSON object, stored as it is sent.
	Data json.RawMessage `bson:"data" json:"data"`
	// Agency is the unit the event concerns ("" for the whole organisation): whose managers
	// hear of it.
	Agency string `bson:"agency,omitempty" json:"-"`
	// To is an invitation's sealed e-mail address, kept only until it is delivered.
	To []byte `bson:"to,omitempty" json:"-"`
	// Fanned records that the event's deliveries were created.
	Fanned bool `bson:"fanned" json:"-"`
}

// ID is the identity of the event of type typ caused by cause: the same cause always gives
// the same ID, and the ID does not reveal the cause (a response's token, say).
func ID(typ string, cause ...string) string {
	sum := sha256.Sum256([]byte(typ + "|" + strings.Join(cause, "|")))
	return "evt_" + hex.EncodeToString(sum[:12])
}

// NewEvent is the event of type typ caused by cause, at at, about agency, with data (a struct
// or map that encodes as a JSON object).
func NewEvent(typ string, at time.Time, agency string, data any, cause ...string) (Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, err
	}
	return Event{ID: ID(typ, cause...), Type: typ, At: at.UTC(), Data: b, Agency: agency}, nil
}

// Fields is ev's data decoded, for messages that show it.
func (ev *Event) Fields() map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(ev.Data, &m)
	return m
}
