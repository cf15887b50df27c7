package cases

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/hailong/hailong/internal/stats"
)

// Groupings the follow-up figures can be split by.
const (
	ByAgency = "agency"
	ByField  = "field"
	ByKind   = "kind"
	ByMonth  = "month"
)

// Groupings lists the group_by values of the follow-up figures.
var Groupings = []string{ByAgency, ByField, ByKind, ByMonth}

// Row is one line of the follow-up figures: the cases opened in a period and how they were
// handled, against the plan's targets (95% settled, 100% handled on time).
type Row struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	// Opened counts the cases opened in the period.
	Opened int64 `json:"opened"`
	// Settled counts those resolved for good; SettledRate is Settled ÷ Opened.
	Settled     int64   `json:"settled"`
	SettledRate float64 `json:"settled_rate"`
	// SettledOnTime counts those resolved by their deadline. OnTimeRate is SettledOnTime ÷
	// (Settled + Overdue): of the cases that were settled or are already past their deadline,
	// the share handled in time.
	SettledOnTime int64   `json:"settled_on_time"`
	OnTimeRate    float64 `json:"on_time_rate"`
	// Overdue counts those still open past their deadline now.
	Overdue int64 `json:"overdue"`
	// MedianDays is the median number of working days a settled case took; nil without one.
	MedianDays    *float64 `json:"median_days"`
	TargetSettled *float64 `json:"target_settled"`
	TargetOnTime  *float64 `json:"target_on_time"`
	// Status is the worse of the two figures' statuses, in the words of the satisfaction
	// figures (meets, below, likely_below, insufficient).
	Status string `json:"status"`
	days   []int
}

// Figures are the follow-up figures of a period: overall and one row per group.
type Figures struct {
	Overall Row   `json:"overall"`
	Groups  []Row `json:"groups"`
}

// Count computes the figures of the cases opened in p, as they stand at now.
func Count(list []Case, p stats.Period, groupBy string, now time.Time, cal Calendar, tt stats.TargetTable, label func(dim, key string) string) Figures {
	year := p.To.Year
	settledT, onTimeT := tt.Lookup(stats.GroupCasesSettled, year), tt.Lookup(stats.GroupCasesOnTime, year)
	overall := Row{}
	groups := map[string]*Row{}
	for i := range list {
		c := &list[i]
		if !p.Contains(stats.DateOf(c.CreatedAt)) {
			continue
		}
		overall.add(c, now, cal)
		key := keyOf(c, groupBy)
		if groups[key] == nil {
			groups[key] = &Row{Key: key, Label: label(groupBy, key)}
		}
		groups[key].add(c, now, cal)
	}
	out := Figures{Overall: overall.finish(settledT, onTimeT)}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Groups = append(out.Groups, groups[k].finish(settledT, onTimeT))
	}
	return out
}

func keyOf(c *Case, groupBy string) string {
	switch groupBy {
	case ByField:
		return c.Field
	case ByKind:
		return string(c.Kind)
	case ByMonth:
		d := stats.DateOf(c.CreatedAt)
		return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	}
	return c.Agency
}

func (r *Row) add(c *Case, now time.Time, cal Calendar) {
	r.Opened++
	switch {
	case c.Status == StatusResolved:
		r.Settled++
		if c.SettledAt != nil && !c.SettledAt.After(c.DueAt) {
			r.SettledOnTime++
		}
		if c.SettledAt != nil {
			r.days = append(r.days, cal.WorkingDaysBetween(c.CreatedAt, *c.SettledAt))
		}
	case c.Overdue(now):
		r.Overdue++
	}
}

func (r Row) finish(settledT, onTimeT *float64) Row {
	settled := stats.NewFigure(r.Settled, r.Opened, settledT)
	onTime := stats.NewFigure(r.SettledOnTime, r.Settled+r.Overdue, onTimeT)
	r.SettledRate, r.OnTimeRate = settled.Satisfaction, onTime.Satisfaction
	r.TargetSettled, r.TargetOnTime = settled.Target, onTime.Target
	r.Status = worse(settled.Status, onTime.Status)
	if len(r.days) > 0 {
		m := median(r.days)
		r.MedianDays = &m
	}
	r.days = nil
	return r
}

// statusRank orders statuses from the most alarming.
var statusRank = []string{stats.StatusLikelyBelow, stats.StatusBelow, stats.StatusInsufficient, stats.StatusMeets, stats.StatusNone}

func worse(a, b string) string {
	if slices.Index(statusRank, b) < slices.Index(statusRank, a) {
		return b
	}
	return a
}

func median(xs []int) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}
