package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"golang.org/x/sync/errgroup"
)

// ClaimTimeout is how long an attempt's claim stands before another instance takes the
// attempt as cut short by a crash and makes the next one: well over the 5-second limit on a
// webhook request and the time an SMTP exchange is given.
const ClaimTimeout = 30 * time.Second

// Outbox records events and delivers them.
type Outbox struct {
	Store   Store
	Routers []Router
	Senders map[string]Sender // by Kind
	Log     *slog.Logger
	Now     func() time.Time
	// Backoff is the wait after failed attempt n (Backoff with a random spread when nil).
	Backoff func(n int) time.Duration

	owner string
	wake  chan struct{}
}

// New returns an outbox on store delivering through senders to whom routers name.
func New(store Store, routers []Router, senders map[string]Sender, log *slog.Logger, now func() time.Time) *Outbox {
	return &Outbox{Store: store, Routers: routers, Senders: senders, Log: log, Now: now,
		owner: bson.NewObjectID().Hex(), wake: make(chan struct{}, 1)}
}

// Record writes evs into the outbox, once each however often it is called, and wakes the
// delivery loop.
func (o *Outbox) Record(ctx context.Context, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := o.Store.Record(ctx, evs); err != nil {
		return err
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}

// Run delivers what is due every interval, and at once when an event is recorded here, until
// ctx ends.
func (o *Outbox) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := o.Step(ctx); err != nil && ctx.Err() == nil {
			o.Log.Warn("outbox: delivery step failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-o.wake:
		}
	}
}

// dueBatch is how many due deliveries one round of a step takes; a step goes on to another
// round only after a full one, so a retry due again at once waits for the next step.
const dueBatch = 32

// Step fans new events out to their receivers and makes every attempt that is due, returning
// how many attempts it made.
func (o *Outbox) Step(ctx context.Context) (int, error) {
	if err := o.fanOut(ctx); err != nil {
		return 0, err
	}
	made := 0
	for {
		due, err := o.Store.Due(ctx, o.Now(), dueBatch)
		if err != nil || len(due) == 0 {
			return made, err
		}
		var g errgroup.Group
		g.SetLimit(4)
		tried := make([]bool, len(due))
		for i := range due {
			g.Go(func() error {
				var err error
				tried[i], err = o.attempt(ctx, &due[i])
				return err
			})
		}
		err = g.Wait()
		n := 0
		for _, t := range tried {
			if t {
				n++
			}
		}
		made += n
		if err != nil || n == 0 || len(due) < dueBatch || ctx.Err() != nil {
			return made, err
		}
	}
}

// fanOut creates the deliveries of the events not yet fanned out.
func (o *Outbox) fanOut(ctx context.Context) error {
	for {
		evs, err := o.Store.Unfanned(ctx, 100)
		if err != nil || len(evs) == 0 {
			return err
		}
		for i := range evs {
			ev := &evs[i]
			var ds []Delivery
			for _, r := range o.Routers {
				targets, err := r.Route(ctx, ev)
				if err != nil {
					return err
				}
				for _, t := range targets {
					ds = append(ds, Delivery{ID: DeliveryID(ev.ID, t.Kind, t.ID), Event: ev.ID, Type: ev.Type,
						Kind: t.Kind, Target: t.ID, Status: StatusPending, CreatedAt: ev.At, NextAt: ev.At, Address: ev.To})
				}
			}
			if err := o.Store.Fan(ctx, ev, ds); err != nil {
				return err
			}
		}
		if len(evs) < 100 {
			return nil
		}
	}
}

// attempt makes d's next attempt if this instance claims it first, reporting whether it did.
// An attempt claimed long ago and never recorded was cut short by a crash: it is recorded as
// such, and the next one is due at once.
func (o *Outbox) attempt(ctx context.Context, d *Delivery) (bool, error) {
	now := o.Now().UTC()
	n := d.Attempts + 1
	claimed, at, err := o.Store.Claim(ctx, d.ID, n, o.owner, now)
	if err != nil {
		return false, err
	}
	if !claimed {
		if now.Sub(at) < ClaimTimeout {
			return false, nil // in progress elsewhere
		}
		cut := *d
		settle(&cut, n, now, Outcome{Err: errors.New("interrupted: the instance making this attempt stopped")}, 0)
		return false, o.Store.Save(ctx, &cut)
	}
	ev, err := o.Store.Event(ctx, d.Event)
	var out Outcome
	switch {
	case errors.Is(err, ErrNotFound):
		out = Outcome{Err: errors.New("the event is no longer kept"), Permanent: true}
	case err != nil:
		return false, err
	default:
		sender := o.Senders[d.Kind]
		if sender == nil {
			out = Outcome{Err: fmt.Errorf("no sender for %s", d.Kind), Permanent: true}
		} else {
			out = sender.Send(ctx, d, ev)
		}
	}
	if ctx.Err() != nil {
		return true, ctx.Err() // stopping: the claim expires and another attempt follows
	}
	settle(d, n, o.Now().UTC(), out, o.backoff(n))
	if out.Err != nil && d.Status != StatusDead {
		o.Log.Info("outbox: delivery failed; will retry", "delivery", d.ID, "attempt", n, "err", out.Err, "next", d.NextAt)
	} else if d.Status == StatusDead {
		o.Log.Warn("outbox: delivery given up", "delivery", d.ID, "attempts", n, "err", out.Err)
	}
	return true, o.Store.Save(ctx, d)
}

func (o *Outbox) backoff(n int) time.Duration {
	if o.Backoff != nil {
		return o.Backoff(n)
	}
	return Backoff(n, rand.Float64())
}

// Resend makes delivery id due again now, for another day of retries.
func (o *Outbox) Resend(ctx context.Context, id string) error {
	if _, err := o.Store.Delivery(ctx, id); err != nil {
		return err
	}
	if err := o.Store.Resend(ctx, id, o.Now().UTC()); err != nil {
		return err
	}
	select {
	case o.wake <- struct{}{}:
	default:
	}
	return nil
}
