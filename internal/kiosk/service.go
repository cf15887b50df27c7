package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

const (
	// currentFor is how recent a counter's current dossier must be to be sent to a kiosk that
	// (re)connects.
	currentFor = 10 * time.Minute
	// coolDown is the least time between two genuine ratings on one tablet.
	coolDown = 5 * time.Second
	// maxRatedAtAge bounds how old a replayed rating's own timestamp may be before the server's
	// clock is used instead.
	maxRatedAtAge = 7 * 24 * time.Hour
	// freeRatings is how many ratings without a dossier a tablet may give in freePeriod before
	// the next ones are flagged as misuse.
	freeRatings = 3
	freePeriod  = 10 * time.Minute
)

// Hub delivers events to the tablets of a counter, on every server instance.
type Hub interface {
	Publish(ctx context.Context, counter string, ev Event) error
	// PublishAll publishes each push as Publish would, together.
	PublishAll(ctx context.Context, pushes []Push) error
	Subscribe(ctx context.Context, counter string) (<-chan Event, func())
}

// Push is an event for the tablets of a counter.
type Push struct {
	Counter string
	Event   Event
}

// Responses is what the kiosk needs of the response store.
type Responses interface {
	SubmitResponse(ctx context.Context, r *survey.Response) error
	Answered(ctx context.Context, token string) (bool, error)
}

// RateLimiter counts ratings without a dossier per tablet.
type RateLimiter interface {
	// AllowN reports whether one more event under key fits n per period.
	AllowN(ctx context.Context, key string, n int, period time.Duration) bool
}

// Settings keeps the admin's choice of whether tablets accept a rating without a dossier.
type Settings interface {
	FreeRatings(ctx context.Context) (bool, error)
	SetFreeRatings(ctx context.Context, on bool) error
}

// ErrFreeRatingsOff refuses a rating without a dossier while the admin has not allowed them.
var ErrFreeRatingsOff = survey.Errorf(survey.CodeForbidden, "error.kiosk_free_off")

// Service pairs tablets, pushes them the dossiers of their counter and stores their ratings.
type Service struct {
	Devices   DeviceStore
	Hub       Hub
	Responses Responses
	Limiter   RateLimiter
	Settings  Settings // nil: ratings without a dossier are refused
	// Refs seals the references pushed to tablets; nil: each is random and stored.
	Refs *Refs
	Log  *slog.Logger
	Now  func() time.Time

	counters kioskCounters
}

// Pair pairs the tablet showing p.Code with p's counter.
func (s *Service) Pair(ctx context.Context, p Pairing) (*Device, error) {
	if errs := p.Validate(); len(errs) > 0 {
		return nil, errs
	}
	d, err := s.Devices.PairDevice(ctx, p, s.Now())
	if err == nil {
		s.forgetKioskCounters()
	}
	return d, err
}

// Revoke revokes the tablet with id for good: it is refused from its next request, and a stream
// it holds open is ended at once.
func (s *Service) Revoke(ctx context.Context, id string) (*Device, error) {
	if !ValidDeviceID(id) {
		return nil, ErrDeviceNotFound
	}
	d, err := s.Devices.RevokeDevice(ctx, id)
	if err != nil {
		return nil, err
	}
	s.forgetKioskCounters()
	if d.Paired {
		_ = s.Hub.Publish(ctx, d.CounterKey(), Event{Type: EventRevoked, Device: d.ID})
	}
	return d, nil
}

// List returns every tablet (never nil).
func (s *Service) List(ctx context.Context) ([]Device, error) {
	list, err := s.Devices.Devices(ctx)
	if list == nil {
		list = []Device{}
	}
	return list, err
}

// TicketsIssued tells the kiosks at each ticket's counter that its dossier was just completed
// there, and keeps the last one of each counter with a paired tablet as its current dossier for
// kiosks that connect later. Failures are logged: the tickets are issued all the same.
func (s *Service) TicketsIssued(ctx context.Context, ts []*survey.Ticket) {
	var curs []CurrentDossier
	for _, t := range ts {
		if t.Agency != "" && t.Counter != "" {
			cur := CurrentDossier{
				Counter: CounterKey(t.Agency, t.Counter), Token: t.Token, DossierCode: t.DossierCode,
				ProcedureName: t.ProcedureName, Field: t.Field, IssuedAt: t.IssuedAt,
			}
			if s.Refs != nil {
				cur.Ref = s.Refs.Seal(&cur)
			} else {
				cur.Ref = NewRef()
			}
			curs = append(curs, cur)
		}
	}
	if len(curs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.Devices.SetCurrentDossiers(ctx, s.toKeep(ctx, curs)); err != nil {
		s.Log.Warn("kiosk: keep current dossiers", "err", err)
	}
	pushes := make([]Push, len(curs))
	for i := range curs {
		pushes[i] = Push{Counter: curs[i].Counter, Event: dossierEvent(&curs[i])}
	}
	if err := s.Hub.PublishAll(ctx, pushes); err != nil {
		s.Log.Warn("kiosk: publish dossiers", "err", err)
	}
}

// toKeep returns the dossiers of curs the store must keep: those of counters with a paired
// tablet (a sealed reference needs no storing), or every one while references are stored, since
// each pushed reference must stay redeemable.
func (s *Service) toKeep(ctx context.Context, curs []CurrentDossier) []CurrentDossier {
	if s.Refs == nil {
		return curs
	}
	paired, err := s.withKiosk(ctx)
	if err != nil {
		s.Log.Warn("kiosk: read the counters with a tablet", "err", err)
		return curs
	}
	var keep []CurrentDossier
	for _, c := range curs {
		if paired[c.Counter] {
			keep = append(keep, c)
		}
	}
	return keep
}

// CurrentEvent returns the counter's current dossier as an event when it is recent, unrated
// and not the one last sent; nil otherwise.
func (s *Service) CurrentEvent(ctx context.Context, counter, lastSent string) *Event {
	cur, err := s.Devices.CurrentDossier(ctx, counter)
	if err != nil {
		s.Log.Warn("kiosk: read current dossier", "err", err)
		return nil
	}
	if cur == nil || cur.Ref == lastSent || s.Now().Sub(cur.IssuedAt) >= currentFor {
		return nil
	}
	if rated, err := s.Responses.Answered(ctx, cur.Token); err != nil || rated {
		return nil
	}
	ev := dossierEvent(cur)
	ev.SentAt = time.Now().UTC()
	return &ev
}

// Redeem returns the survey token of the dossier pushed to device d with ref: ErrRefNotFound
// for an unknown or expired reference, ErrOtherCounter for one pushed to another counter.
func (s *Service) Redeem(ctx context.Context, d *Device, ref string) (string, error) {
	if !ValidRef(ref) {
		return "", ErrRefNotFound
	}
	var cur *CurrentDossier
	var err error
	if Sealed(ref) {
		if s.Refs == nil {
			return "", ErrRefNotFound
		}
		if cur, err = s.Refs.Open(ref); err != nil {
			return "", ErrRefNotFound
		}
	} else {
		cur, err = s.Devices.DossierByRef(ctx, ref)
	}
	switch {
	case err != nil:
		return "", err
	case s.Now().Sub(cur.IssuedAt) > RefTTL:
		return "", ErrRefNotFound
	case cur.Counter != d.CounterKey():
		return "", ErrOtherCounter
	}
	return cur.Token, nil
}

// LegacyTokenWindow is how long after a citizen rated a tablet may still send the rating with
// the dossier's survey token instead of its reference: tablets queue ratings offline, and those
// queued before the upgrade to references carry the token. Past it a token is refused, so a
// token read off the network is worth nothing to a tablet.
const LegacyTokenWindow = 24 * time.Hour

// ErrLegacyTokenTooOld refuses a rating sent with a survey token outside LegacyTokenWindow, or
// not replayed from the tablet's offline queue.
var ErrLegacyTokenTooOld = survey.Errorf(survey.CodeGone, "error.kiosk_token_too_old")

// AcceptLegacyToken reports, as an error, whether a rating carrying a survey token instead of
// a reference is accepted: only one replayed from the offline queue and rated, by its own
// account, within LegacyTokenWindow of the server's clock.
func (s *Service) AcceptLegacyToken(ratedAt *time.Time, replayed bool) error {
	if !replayed || ratedAt == nil {
		return ErrLegacyTokenTooOld
	}
	if age := s.Now().Sub(*ratedAt); age > LegacyTokenWindow || age < -time.Minute {
		return ErrLegacyTokenTooOld
	}
	return nil
}

// ErrOtherCounter refuses a tablet's rating of a dossier completed at another counter.
var ErrOtherCounter = survey.Errorf(survey.CodeForbidden, "error.kiosk_other_counter")

// StoredBefore reports whether the response with id was already stored from this idempotency
// key; ErrAlreadyRated when it was stored from anything else.
func (s *Service) StoredBefore(ctx context.Context, id, key string) (bool, error) {
	nonce, found, err := s.Devices.ResponseNonce(ctx, id)
	switch {
	case err != nil:
		return false, err
	case !found:
		return false, nil
	case IdempotencyKeyOf(nonce) != key:
		return false, survey.ErrAlreadyRated
	}
	return true, nil
}

// Rating is one citizen's tap on a tablet.
type Rating struct {
	Device     *Device
	Ticket     *survey.Ticket // nil for a rating given without a dossier
	Definition *survey.Definition
	Answers    survey.Answers
	Key        string     // the idempotency key the tablet chose
	RatedAt    *time.Time // when the citizen rated by the tablet's clock
	Replayed   bool       // sent late from the tablet's offline queue: only then RatedAt counts
	Lang       string
}

// Rate stores a rating once per idempotency key, flagged as misuse when it came too soon after
// the tablet's last one or beyond its allowance without a dossier. stored is false (and err
// nil) when this very submission was stored before.
func (s *Service) Rate(ctx context.Context, rt Rating) (r *survey.Response, stored bool, err error) {
	now := s.Now()
	rated := now
	if rt.Replayed {
		rated = replayedAt(rt.RatedAt, rt.Device.LastRatingAt, now)
	}
	t, free := rt.Ticket, rt.Ticket == nil
	if free && !s.FreeRatingsOn(ctx) {
		return nil, false, ErrFreeRatingsOff
	}
	if free {
		t = &survey.Ticket{Token: FreeRatingID(rt.Device.ID, rt.Key), Agency: rt.Device.Agency, Counter: rt.Device.Counter}
	}
	r = survey.NewResponse(t, rt.Definition, rt.Answers, survey.ChannelKiosk, rt.Lang, now)
	r.Nonce = KioskNonce(rt.Key)
	r.Misuse = s.misuse(ctx, rt.Device, free, rated)
	err = s.Responses.SubmitResponse(ctx, r)
	if errors.Is(err, survey.ErrAlreadyRated) { // an earlier attempt of this submission may have just won
		if before, err := s.StoredBefore(ctx, r.Token, rt.Key); before || err != nil {
			return r, false, err
		}
	}
	if err != nil {
		return nil, false, err
	}
	if err := s.Devices.RecordRating(ctx, rt.Device.ID, rated); err != nil {
		s.Log.Warn("kiosk: record rating time", "err", err)
	}
	return r, true, nil
}

// FreeRatingsOn reports whether tablets accept a rating without a dossier; when the setting
// cannot be read, they do not (off is the default).
func (s *Service) FreeRatingsOn(ctx context.Context) bool {
	if s.Settings == nil {
		return false
	}
	on, err := s.Settings.FreeRatings(ctx)
	if err != nil {
		s.Log.Warn("kiosk: read free ratings setting", "err", err)
	}
	return on && err == nil
}

// replayedAt is when a rating replayed from the tablet's offline queue counts as given: its own
// time by the tablet's clock, in order, so never before the device's last rating the server
// saw (last), nor after now, nor older than a week (then the server's clock). Ratings sent
// live are judged by the server's receive time, so an old rated_at cannot dodge the cool-down.
func replayedAt(claimed *time.Time, last, now time.Time) time.Time {
	switch {
	case claimed == nil || claimed.After(now) || now.Sub(*claimed) > maxRatedAtAge:
		return now
	case claimed.Before(last):
		return last
	}
	return *claimed
}

// misuse reports whether a rating given at rated looks like gaming: within the cool-down of
// the tablet's previous rating, or one rating without a dossier too many.
func (s *Service) misuse(ctx context.Context, d *Device, free bool, rated time.Time) bool {
	misuse := !d.LastRatingAt.IsZero() && rated.Sub(d.LastRatingAt) < coolDown
	if free {
		misuse = !s.Limiter.AllowN(ctx, "kiosk-free:"+d.ID, freeRatings, freePeriod) || misuse
	}
	return misuse
}
