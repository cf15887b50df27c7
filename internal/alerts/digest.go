package alerts

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/stats"
)

// CaseLister lists follow-up cases (the case store does).
type CaseLister interface {
	Cases(ctx context.Context, f cases.Filter) ([]cases.Case, error)
}

// Digests writes the daily digest (the day before, at 07:30) and the weekly summary (the week
// before, Monday at 07:30), Asia/Ho_Chi_Minh time.
type Digests struct {
	Outbox  Recorder
	Figures Figures
	Cases   CaseLister
	Labels  Labels

	mu   sync.Mutex
	done map[string]bool // the digests this instance has recorded already
}

// DigestHour and DigestMinute are when the digests go out, in the centre's time zone.
const (
	DigestHour   = 7
	DigestMinute = 30
)

// digestRow is one unit's (or the whole centre's) figures in a digest.
type digestRow struct {
	Agency       string `json:"agency,omitempty"`
	Name         string `json:"name,omitempty"`
	Responses    int64  `json:"responses"`
	Satisfied    int64  `json:"satisfied"`
	CasesOpened  int    `json:"cases_opened"`
	CasesOpen    int    `json:"cases_open"`
	CasesOverdue int    `json:"cases_overdue"`
}

type digestData struct {
	From        stats.Date  `json:"from"`
	To          stats.Date  `json:"to"`
	PeriodLabel string      `json:"period_label"`
	All         digestRow   `json:"all"`
	Agencies    []digestRow `json:"agencies"`
}

// Due records the digests whose time has come by now and that are not recorded yet.
func (d *Digests) Due(ctx context.Context, now time.Time) error {
	tz := stats.TimeZone()
	local := now.In(tz)
	if local.Before(time.Date(local.Year(), local.Month(), local.Day(), DigestHour, DigestMinute, 0, 0, tz)) {
		return nil
	}
	at := time.Date(local.Year(), local.Month(), local.Day(), DigestHour, DigestMinute, 0, 0, tz)
	yesterday := stats.DateOf(now).AddDays(-1)
	if err := d.record(ctx, outbox.DigestDaily, yesterday, yesterday, at, now); err != nil {
		return err
	}
	if local.Weekday() == time.Monday {
		return d.record(ctx, outbox.DigestWeekly, yesterday.AddDays(-6), yesterday, at, now)
	}
	return nil
}

// record writes the digest of type typ for from..to, once.
func (d *Digests) record(ctx context.Context, typ string, from, to stats.Date, at, now time.Time) error {
	key := typ + "|" + from.String()
	d.mu.Lock()
	done := d.done[key]
	d.mu.Unlock()
	if done {
		return nil
	}
	data, err := d.figures(ctx, from, to, now)
	if err != nil {
		return err
	}
	ev, err := outbox.NewEvent(typ, at, "", data, from.String())
	if err != nil {
		return err
	}
	if err := d.Outbox.Record(ctx, ev); err != nil {
		return err
	}
	d.mu.Lock()
	if d.done == nil {
		d.done = map[string]bool{}
	}
	d.done[key] = true
	d.mu.Unlock()
	return nil
}

// figures counts the responses and cases of from..to per unit, and the cases open and overdue
// at now.
func (d *Digests) figures(ctx context.Context, from, to stats.Date, now time.Time) (digestData, error) {
	p, err := stats.NewPeriod(from, to)
	if err != nil {
		return digestData{}, err
	}
	out := digestData{From: from, To: to, PeriodLabel: stats.FormatDate(from)}
	if from != to {
		out.PeriodLabel = stats.FormatDate(from) + " – " + stats.FormatDate(to)
	}
	res, err := d.Figures.Aggregate(ctx, stats.Query{Period: p, GroupBy: stats.ByAgency})
	if err != nil {
		return digestData{}, err
	}
	rows := map[string]*digestRow{}
	row := func(agency string) *digestRow {
		if rows[agency] == nil {
			rows[agency] = &digestRow{Agency: agency}
		}
		return rows[agency]
	}
	out.All.Responses, out.All.Satisfied = res.Overall.Responses, res.Overall.Satisfied
	for _, g := range res.Groups {
		if g.Key == "" {
			continue
		}
		r := row(g.Key)
		r.Responses, r.Satisfied, r.Name = g.Responses, g.Satisfied, g.Label
	}
	opened, err := d.Cases.Cases(ctx, cases.Filter{From: p.From.Time(), To: p.To.AddDays(1).Time()})
	if err != nil {
		return digestData{}, err
	}
	for _, c := range opened {
		row(c.Agency).CasesOpened++
		out.All.CasesOpened++
	}
	open, err := d.Cases.Cases(ctx, cases.Filter{Status: cases.StatusOpen})
	if err != nil {
		return digestData{}, err
	}
	for i := range open {
		r := row(open[i].Agency)
		r.CasesOpen++
		out.All.CasesOpen++
		if open[i].Overdue(now) {
			r.CasesOverdue++
			out.All.CasesOverdue++
		}
	}
	for code, r := range rows {
		if r.Name == "" && d.Labels != nil {
			r.Name = d.Labels.Label(ctx, "vi", "agency", code)
		}
		out.Agencies = append(out.Agencies, *r)
	}
	sort.Slice(out.Agencies, func(i, j int) bool { return out.Agencies[i].Agency < out.Agencies[j].Agency })
	if out.Agencies == nil {
		out.Agencies = []digestRow{}
	}
	return out, nil
}

// itoa is n in decimal.
func itoa(n int64) string { return fmt.Sprint(n) }
