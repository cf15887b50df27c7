package alerts

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/stats"
)

// Figures answers stats queries over the rollups, labelled in Vietnamese.
type Figures interface {
	Aggregate(ctx context.Context, q stats.Query) (stats.Result, error)
}

// State is where one unit's or field's figure for one period stands for alerting: below its
// target (told once), and how many times it went below.
type State struct {
	Below   bool `bson:"below"`
	Episode int  `bson:"episode"`
}

// States keeps the alert states by key.
type States interface {
	AlertState(ctx context.Context, key string) (State, error)
	SaveAlertState(ctx context.Context, key string, s State) error
}

// Leases grants the watch to one instance per time window.
type Leases interface {
	HoldLease(ctx context.Context, name string, start time.Time, owner string) (bool, error)
}

// MinAlertResponses is the sample a figure needs before it can raise target.below.
const MinAlertResponses = 30

// Watch raises target.below when a unit's or field's running month or quarter goes below (or
// likely below) its target with at least MinAlertResponses responses, once per unit or field
// and period, and again only after it has met the target since; and writes the daily digest at
// 07:30 and the weekly summary on Monday at 07:30 (Asia/Ho_Chi_Minh).
type Watch struct {
	Outbox  Recorder
	Figures Figures
	States  States
	Leases  Leases
	Digests *Digests
	Now     func() time.Time
	owner   string
}

// NewWatch returns the watch.
func NewWatch(rec Recorder, figures Figures, states States, leases Leases, digests *Digests, now func() time.Time) *Watch {
	return &Watch{Outbox: rec, Figures: figures, States: states, Leases: leases, Digests: digests, Now: now, owner: bson.NewObjectID().Hex()}
}

// watchWindow is how long one instance keeps the watch once it claims it.
const watchWindow = time.Minute

// Step checks the targets and the digests now, if this instance holds the lease; it returns how
// many target.below events it raised.
func (w *Watch) Step(ctx context.Context) (int, error) {
	now := w.Now()
	if held, err := w.Leases.HoldLease(ctx, "alerts", now.Truncate(watchWindow), w.owner); err != nil || !held {
		return 0, err
	}
	raised, err := w.targets(ctx, now)
	if err != nil {
		return raised, err
	}
	if w.Digests != nil {
		err = w.Digests.Due(ctx, now)
	}
	return raised, err
}

// targets checks every unit and field over the running month and quarter.
func (w *Watch) targets(ctx context.Context, now time.Time) (int, error) {
	today := stats.DateOf(now)
	month := today.FirstOfMonth()
	quarter := stats.NewDate(today.Year, time.Month((int(today.Month)-1)/3*3+1), 1)
	periods := []struct {
		key, label string
		from       stats.Date
	}{
		{fmt.Sprintf("%d-%02d", today.Year, int(today.Month)), fmt.Sprintf("tháng %d/%d", int(today.Month), today.Year), month},
		{fmt.Sprintf("%d-Q%d", today.Year, (int(today.Month)-1)/3+1), fmt.Sprintf("quý %s/%d", roman[(int(today.Month)-1)/3], today.Year), quarter},
	}
	raised := 0
	for _, p := range periods {
		period, err := stats.NewPeriod(p.from, today)
		if err != nil {
			return raised, err
		}
		for _, by := range []string{stats.ByAgency, stats.ByField} {
			res, err := w.Figures.Aggregate(ctx, stats.Query{Period: period, GroupBy: by})
			if err != nil {
				return raised, err
			}
			for _, g := range res.Groups {
				n, err := w.check(ctx, now, by, p.key, p.label, g)
				if err != nil {
					return raised, err
				}
				raised += n
			}
		}
	}
	return raised, nil
}

var roman = []string{"I", "II", "III", "IV"}

// targetData is what target.below says.
type targetData struct {
	Kind         string   `json:"kind"` // agency or field
	Key          string   `json:"key"`
	Name         string   `json:"name"`
	Period       string   `json:"period"` // 2026-11 or 2026-Q4
	PeriodLabel  string   `json:"period_label"`
	Responses    int64    `json:"responses"`
	Satisfied    int64    `json:"satisfied"`
	Satisfaction float64  `json:"satisfaction"`
	Target       *float64 `json:"target"`
	Status       string   `json:"status"`
	Episode      int      `json:"episode"`
}

// check raises target.below for group g of grouping by in period when it has just gone below,
// and marks it recovered once it meets its target again.
func (w *Watch) check(ctx context.Context, now time.Time, by, period, label string, g stats.Group) (int, error) {
	if g.Hidden || g.Key == "" || g.Target == nil {
		return 0, nil
	}
	key := by + "|" + g.Key + "|" + period
	st, err := w.States.AlertState(ctx, key)
	if err != nil {
		return 0, err
	}
	below := g.Responses >= MinAlertResponses && (g.Status == stats.StatusBelow || g.Status == stats.StatusLikelyBelow)
	switch {
	case below && !st.Below:
		next := State{Below: true, Episode: st.Episode + 1}
		agency := ""
		if by == stats.ByAgency {
			agency = g.Key
		}
		data := targetData{Kind: by, Key: g.Key, Name: g.Label, Period: period, PeriodLabel: label, Responses: g.Responses,
			Satisfied: g.Satisfied, Satisfaction: g.Satisfaction, Target: g.Target, Status: g.Status, Episode: next.Episode}
		ev, err := outbox.NewEvent(outbox.TargetBelow, now, agency, data, key, strconv.Itoa(next.Episode))
		if err != nil {
			return 0, err
		}
		// The event first: a crash before the state is saved raises the same event again.
		if err := w.Outbox.Record(ctx, ev); err != nil {
			return 0, err
		}
		return 1, w.States.SaveAlertState(ctx, key, next)
	case st.Below && g.Status == stats.StatusMeets:
		return 0, w.States.SaveAlertState(ctx, key, State{Below: false, Episode: st.Episode})
	}
	return 0, nil
}
