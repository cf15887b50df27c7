package cases

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Leases grants a named piece of background work to one instance per time window.
type Leases interface {
	// HoldLease reports whether owner holds name's window that starts at start, claiming it
	// when no instance has.
	HoldLease(ctx context.Context, name string, start time.Time, owner string) (bool, error)
}

// deadlineWindow is how long one instance keeps the deadline work once it claims it.
const deadlineWindow = time.Minute

// Deadlines reminds the assignee one working day before a case is due and, once it is past
// due, escalates it to the parent unit's managers. One instance at a time does it, under a
// lease; each reminder and escalation is a versioned change of the case, so it happens once
// for each case and step even when instances race or restart.
type Deadlines struct {
	Service *Service
	Leases  Leases
	// Parent is the unit above agency ("" at the top).
	Parent func(agency string) string
	Log    *slog.Logger
	owner  string
}

// NewDeadlines returns the deadline work over s.
func NewDeadlines(s *Service, leases Leases, parent func(string) string, log *slog.Logger) *Deadlines {
	return &Deadlines{Service: s, Leases: leases, Parent: parent, Log: log, owner: bson.NewObjectID().Hex()}
}

// Run does the deadline work every interval until ctx ends, whenever this instance holds the
// lease.
func (d *Deadlines) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := d.Step(ctx); err != nil && ctx.Err() == nil {
			d.Log.Warn("cases: deadline step failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Step reminds and escalates what is due now, if this instance holds the lease.
func (d *Deadlines) Step(ctx context.Context) (reminded, escalated int, err error) {
	now := d.Service.Now()
	start := now.Truncate(deadlineWindow)
	if held, err := d.Leases.HoldLease(ctx, "cases", start, d.owner); err != nil || !held {
		return 0, 0, err
	}
	set, err := d.Service.Store.Settings(ctx)
	if err != nil {
		return 0, 0, err
	}
	open, err := d.Service.Store.Cases(ctx, Filter{Status: StatusOpen})
	if err != nil {
		return 0, 0, err
	}
	for i := range open {
		r, e, err := d.check(ctx, &open[i], set.Calendar, now)
		if err != nil {
			return reminded, escalated, err
		}
		reminded, escalated = reminded+r, escalated+e
	}
	return reminded, escalated, nil
}

// check reminds or escalates c when its time has come.
func (d *Deadlines) check(ctx context.Context, c *Case, cal Calendar, now time.Time) (reminded, escalated int, err error) {
	switch {
	case c.EscalatedAt == nil && now.After(c.DueAt):
		parent := d.Parent(c.Agency)
		return 0, 1, d.change(ctx, c, func(c *Case) {
			c.EscalatedAt, c.EscalatedTo = &now, parent
			c.Notes = append(c.Notes, Note{At: now, By: SystemUser, Action: "escalate", Text: parent})
		})
	case c.RemindedAt == nil && !now.Before(cal.PreviousWorkingDay(c.DueAt)) && !now.After(c.DueAt):
		return 1, 0, d.change(ctx, c, func(c *Case) {
			c.RemindedAt = &now
			c.Notes = append(c.Notes, Note{At: now, By: SystemUser, Action: "remind", Text: c.Assignee})
		})
	}
	return 0, 0, nil
}

// change applies fn to the current version of c; a change another writer made first is left
// for the next step to look at again.
func (d *Deadlines) change(ctx context.Context, listed *Case, fn func(*Case)) error {
	c, err := d.Service.Store.Case(ctx, listed.ID)
	if err != nil {
		return err
	}
	if c.Version != listed.Version || !c.Open() {
		return nil
	}
	fn(c)
	c.Version++
	if err := d.Service.Store.Update(ctx, c); err != nil && !errors.Is(err, ErrStale) {
		return err
	}
	return nil
}

// SystemUser is who the timeline names for what the product did by itself.
const SystemUser = "hệ thống"
