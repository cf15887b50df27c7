// Package webhook tells other systems (the one-stop e-system, the complaint portal, a reporting
// system, an SMS gateway) what happens here: an admin registers endpoint URLs with the events
// each wants, and every event is POSTed to them as JSON signed the Standard Webhooks way
// (webhook-id, webhook-timestamp, webhook-signature), so a receiver can check it came from here
// and drop replays. The outbox (internal/outbox) makes the deliveries durable; this package
// names the receivers of an event and makes one attempt.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/survey"
)

// Endpoint is one registered receiver.
type Endpoint struct {
	ID          string    `bson:"_id" json:"id"`
	URL         string    `bson:"url" json:"url"`
	Events      []string  `bson:"events" json:"events"`
	Description string    `bson:"description" json:"description"`
	Active      bool      `bson:"active" json:"active"`
	CreatedAt   time.Time `bson:"created_at" json:"created_at"`
	CreatedBy   string    `bson:"created_by" json:"created_by"`
	// Secret is the signing secret, sealed; it is shown once, when made.
	Secret []byte `bson:"secret" json:"-"`
	// Previous is the secret before the last rotation, sealed, still signing until
	// PreviousUntil so receivers can switch without dropping deliveries.
	Previous      []byte     `bson:"previous,omitempty" json:"-"`
	PreviousUntil *time.Time `bson:"previous_until,omitempty" json:"-"`
	RotatedAt     *time.Time `bson:"rotated_at,omitempty" json:"rotated_at,omitempty"`
}

// Wants reports whether the endpoint receives events of type typ.
func (e *Endpoint) Wants(typ string) bool { return e.Active && slices.Contains(e.Events, typ) }

// Store keeps the endpoints.
type Store interface {
	Create(ctx context.Context, e *Endpoint) error
	// Endpoint returns the endpoint with id, or ErrNotFound.
	Endpoint(ctx context.Context, id string) (*Endpoint, error)
	Endpoints(ctx context.Context) ([]Endpoint, error)
	// Save replaces the stored endpoint e.ID by e.
	Save(ctx context.Context, e *Endpoint) error
	Delete(ctx context.Context, id string) error
}

// Sealer seals the signing secrets at rest (the key that seals citizens' contact details).
type Sealer interface {
	Seal(plain []byte, label string) []byte
	Open(sealed []byte, label string) ([]byte, error)
}

// Errors of endpoint handling.
var (
	ErrNotFound = survey.Errorf(survey.CodeNotFound, "error.webhook_not_found")
)

// RotationOverlap is how long the previous secret keeps signing after a rotation.
const RotationOverlap = 24 * time.Hour

// Service registers endpoints and delivers to them.
type Service struct {
	Store  Store
	Sealer Sealer
	Client *Client
	Now    func() time.Time
}

// Form is what an admin gives for an endpoint.
type Form struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
	Active      *bool    `json:"active,omitempty"`
}

// check validates f, naming each bad field.
func (s *Service) check(f *Form) error {
	var errs survey.FieldErrors
	f.URL = strings.TrimSpace(f.URL)
	if err := s.Client.CheckURL(f.URL); err != nil {
		errs = append(errs, survey.FieldError{Question: "url", Reason: survey.ReasonRange, Message: survey.Msg(err.key, "url", clip(f.URL, 200))})
	}
	if len(f.Events) == 0 {
		errs = append(errs, survey.FieldError{Question: "events", Reason: survey.ReasonRequired, Message: survey.Msg("error.webhook_events")})
	}
	for _, ev := range f.Events {
		if !slices.Contains(outbox.WebhookTypes, ev) {
			errs = append(errs, survey.FieldError{Question: "events", Reason: survey.ReasonRange,
				Message: survey.Msg("error.webhook_event", "event", clip(ev, 64), "events", strings.Join(outbox.WebhookTypes, ", "))})
		}
	}
	f.Description = strings.TrimSpace(f.Description)
	if utf8.RuneCountInString(f.Description) > 200 || !utf8.ValidString(f.Description) {
		errs = append(errs, survey.FieldError{Question: "description", Reason: survey.ReasonTooLong, Message: survey.Msg("error.webhook_description")})
	}
	if len(errs) > 0 {
		return errs
	}
	slices.Sort(f.Events)
	f.Events = slices.Compact(f.Events)
	return nil
}

func clip(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// Register stores a new endpoint by admin by, returning it and its signing secret, which is
// shown this once.
func (s *Service) Register(ctx context.Context, f Form, by string) (*Endpoint, string, error) {
	if err := s.check(&f); err != nil {
		return nil, "", err
	}
	id := "wh_" + bson.NewObjectID().Hex()
	secret := newSecret()
	e := &Endpoint{ID: id, URL: f.URL, Events: f.Events, Description: f.Description, Active: f.Active == nil || *f.Active,
		CreatedAt: s.Now().UTC(), CreatedBy: by, Secret: s.Sealer.Seal([]byte(secret), label(id))}
	if err := s.Store.Create(ctx, e); err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// Update changes endpoint id's URL, events, description and whether it is active.
func (s *Service) Update(ctx context.Context, id string, f Form) (*Endpoint, error) {
	e, err := s.Store.Endpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(&f); err != nil {
		return nil, err
	}
	e.URL, e.Events, e.Description = f.URL, f.Events, f.Description
	if f.Active != nil {
		e.Active = *f.Active
	}
	return e, s.Store.Save(ctx, e)
}

// Rotate gives endpoint id a new signing secret, returned this once; the old one keeps signing
// beside it for RotationOverlap.
func (s *Service) Rotate(ctx context.Context, id string) (*Endpoint, string, error) {
	e, err := s.Store.Endpoint(ctx, id)
	if err != nil {
		return nil, "", err
	}
	now := s.Now().UTC()
	until := now.Add(RotationOverlap)
	secret := newSecret()
	e.Previous, e.PreviousUntil, e.RotatedAt = e.Secret, &until, &now
	e.Secret = s.Sealer.Seal([]byte(secret), label(id))
	return e, secret, s.Store.Save(ctx, e)
}

// Delete removes endpoint id; its pending deliveries are skipped.
func (s *Service) Delete(ctx context.Context, id string) error {
	if _, err := s.Store.Endpoint(ctx, id); err != nil {
		return err
	}
	return s.Store.Delete(ctx, id)
}

// Endpoints lists the endpoints.
func (s *Service) Endpoints(ctx context.Context) ([]Endpoint, error) { return s.Store.Endpoints(ctx) }

// Wants reports whether any active endpoint receives events of type typ.
func (s *Service) Wants(ctx context.Context, typ string) (bool, error) {
	es, err := s.Store.Endpoints(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(es, func(e Endpoint) bool { return e.Wants(typ) }), nil
}

// Route names the active endpoints subscribed to ev's type (invitations never go to webhooks).
func (s *Service) Route(ctx context.Context, ev *outbox.Event) ([]outbox.Target, error) {
	if !slices.Contains(outbox.WebhookTypes, ev.Type) {
		return nil, nil
	}
	es, err := s.Store.Endpoints(ctx)
	if err != nil {
		return nil, err
	}
	var out []outbox.Target
	for i := range es {
		if es[i].Wants(ev.Type) {
			out = append(out, outbox.Target{Kind: outbox.KindWebhook, ID: es[i].ID})
		}
	}
	return out, nil
}

// Send makes one attempt at delivering ev to d's endpoint.
func (s *Service) Send(ctx context.Context, d *outbox.Delivery, ev *outbox.Event) outbox.Outcome {
	e, err := s.Store.Endpoint(ctx, d.Target)
	if errors.Is(err, ErrNotFound) {
		return outbox.Outcome{Err: errors.New("the endpoint was removed"), Skip: true}
	}
	if err != nil {
		return outbox.Outcome{Err: err}
	}
	if !e.Active {
		return outbox.Outcome{Err: errors.New("the endpoint is switched off"), Skip: true}
	}
	secrets, err := s.secrets(e)
	if err != nil {
		return outbox.Outcome{Err: err, Permanent: true}
	}
	body, err := Body(ev)
	if err != nil {
		return outbox.Outcome{Err: err, Permanent: true}
	}
	return s.Client.Post(ctx, e.URL, ev.ID, s.Now(), body, secrets)
}

// secrets are the keys that sign for e now: its secret, and the previous one during the overlap.
func (s *Service) secrets(e *Endpoint) ([][]byte, error) {
	cur, err := s.Sealer.Open(e.Secret, label(e.ID))
	if err != nil {
		return nil, errors.New("the signing secret cannot be opened with this server's key")
	}
	keys := [][]byte{secretKey(string(cur))}
	if e.Previous != nil && e.PreviousUntil != nil && s.Now().Before(*e.PreviousUntil) {
		if prev, err := s.Sealer.Open(e.Previous, label(e.ID)); err == nil {
			keys = append(keys, secretKey(string(prev)))
		}
	}
	return keys, nil
}

func label(id string) string { return "webhook|" + id }

// SecretPrefix starts every signing secret, as Standard Webhooks writes them.
const SecretPrefix = "whsec_"

// newSecret is a fresh signing secret: whsec_ and the base64 of 24 random bytes.
func newSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// secretKey is the HMAC key of secret: the bytes its base64 part stands for.
func secretKey(secret string) []byte {
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return []byte(secret)
	}
	return b
}
