package outbox

import (
	"context"
	"errors"
	"time"
	"unicode/utf8"
)

// Delivery is one event on its way to one receiver.
type Delivery struct {
	ID     string `bson:"_id" json:"id"`
	Event  string `bson:"event" json:"event"`
	Type   string `bson:"type" json:"type"`
	Kind   string `bson:"kind" json:"kind"`     // KindWebhook or KindMail
	Target string `bson:"target" json:"target"` // the endpoint's ID, or the user's name (or "" for an invitation)
	Status string `bson:"status" json:"status"`
	// Attempts counts the attempts made (or cut short by a crash).
	Attempts   int        `bson:"attempts" json:"attempts"`
	CreatedAt  time.Time  `bson:"created_at" json:"created_at"`
	NextAt     time.Time  `bson:"next_at" json:"next_at"`
	LastAt     *time.Time `bson:"last_at,omitempty" json:"last_at,omitempty"`
	LastStatus int        `bson:"last_status,omitempty" json:"last_status,omitempty"` // the HTTP status or SMTP reply code
	LastError  string     `bson:"last_error,omitempty" json:"last_error,omitempty"`
	// ResentAt is when an admin last asked for it again; retries run for a day from then.
	ResentAt *time.Time `bson:"resent_at,omitempty" json:"resent_at,omitempty"`
	// Address is an invitation's sealed e-mail address, erased once it is delivered or dead.
	Address []byte `bson:"address,omitempty" json:"-"`
}

// Kinds of receiver.
const (
	KindWebhook = "webhook"
	KindMail    = "mail"
)

// Statuses of a delivery: pending (waiting for its first or next attempt), delivered, dead
// (no success within a day), or skipped (the receiver no longer wants it).
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusDead      = "dead"
	StatusSkipped   = "skipped"
)

// Statuses lists the delivery statuses.
var Statuses = []string{StatusPending, StatusDelivered, StatusDead, StatusSkipped}

// DeliveryID is the identity of ev's delivery to target of kind: one per event and receiver.
func DeliveryID(event, kind, target string) string { return event + "." + kind + "." + target }

// Target is one receiver of an event.
type Target struct {
	Kind string
	ID   string
}

// Router names the receivers of an event (the webhook endpoints subscribed to it, the users who
// want it by mail).
type Router interface {
	Route(ctx context.Context, ev *Event) ([]Target, error)
}

// Outcome is what an attempt came to. Err nil is success; Permanent means another attempt
// cannot succeed; Skip means the receiver no longer wants it (nothing was sent).
type Outcome struct {
	Status    int
	Err       error
	Permanent bool
	Skip      bool
}

// Sender makes one attempt at delivering ev by d.
type Sender interface {
	Send(ctx context.Context, d *Delivery, ev *Event) Outcome
}

// Store keeps the outbox's events and deliveries and the claims on attempts.
type Store interface {
	// Record stores each event unless one with its ID exists.
	Record(ctx context.Context, evs []Event) error
	// Event returns the event with id, or ErrNotFound.
	Event(ctx context.Context, id string) (*Event, error)
	// Unfanned lists up to limit events whose deliveries were not created yet, oldest first.
	Unfanned(ctx context.Context, limit int) ([]Event, error)
	// Fan stores each delivery unless it exists, then marks ev fanned and drops its address.
	Fan(ctx context.Context, ev *Event, ds []Delivery) error
	// Due lists up to limit pending deliveries whose next attempt is due at now, soonest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	// Claim records that owner makes attempt n of delivery id; when the attempt was claimed
	// before, it returns false and when that claim was made.
	Claim(ctx context.Context, id string, n int, owner string, at time.Time) (bool, time.Time, error)
	// Save stores d after its attempt d.Attempts, unless a later attempt's outcome is stored.
	Save(ctx context.Context, d *Delivery) error
	// Delivery returns the delivery with id, or ErrNotFound.
	Delivery(ctx context.Context, id string) (*Delivery, error)
	// Deliveries lists the newest deliveries f selects.
	Deliveries(ctx context.Context, f Filter) ([]Delivery, error)
	// Resend makes delivery id pending and due at at, for a day of retries from then.
	Resend(ctx context.Context, id string, at time.Time) error
}

// Filter selects deliveries for the log.
type Filter struct {
	Status string // one of Statuses, or "" for all
	Event  string // one event's deliveries, or ""
	Limit  int
}

// ErrNotFound is an unknown event or delivery.
var ErrNotFound = errors.New("outbox: not found")

// RetryFor is how long a delivery is retried before it is dead.
const RetryFor = 24 * time.Hour

// Backoff is the wait before attempt n+1 after attempt n failed: 15 s doubling each time up to
// three hours, spread by ±25% so receivers that come back are not hit by every sender at once.
func Backoff(n int, jitter float64) time.Duration {
	d := 15 * time.Second
	for i := 1; i < n && d < 3*time.Hour; i++ {
		d *= 2
	}
	d = min(d, 3*time.Hour)
	return time.Duration(float64(d) * (0.75 + 0.5*jitter))
}

// settle records the outcome of attempt n of d, made at now.
func settle(d *Delivery, n int, now time.Time, out Outcome, backoff time.Duration) {
	d.Attempts, d.LastAt, d.LastStatus, d.LastError = n, &now, out.Status, ""
	if out.Err != nil {
		d.LastError = clip(out.Err.Error(), 500)
	}
	from := d.CreatedAt
	if d.ResentAt != nil {
		from = *d.ResentAt
	}
	switch {
	case out.Skip:
		d.Status = StatusSkipped
	case out.Err == nil:
		d.Status = StatusDelivered
	case out.Permanent || now.Add(backoff).After(from.Add(RetryFor)):
		d.Status = StatusDead
	default:
		d.Status, d.NextAt = StatusPending, now.Add(backoff)
		return
	}
	d.Address = nil // an invitation's address is kept only until it is sent or given up
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
