// Package alerts decides what the outbox is told: the follow-up cases opened, nearing their
// deadline, past it and settled; a unit or field whose running month or quarter falls below its
// target; every response, while a webhook asks for them; and the daily digest and weekly
// summary. Each event's identity comes from its cause, so telling the outbox twice (after a
// crash, or from two instances) leaves one event.
package alerts

import (
	"context"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/outbox"
)

// Recorder writes events into the outbox (outbox.Outbox does).
type Recorder interface {
	Record(ctx context.Context, evs ...outbox.Event) error
}

// Labels names units, fields and counters for people (in Vietnamese, the language events are
// written in; e-mails in English fall back to the same names).
type Labels interface {
	Label(ctx context.Context, lang, dim, key string) string
}

// Cases tells the outbox what happens to follow-up cases.
type Cases struct {
	Outbox  Recorder
	Labels  Labels
	BaseURL string
}

// caseData is what an event about a case says: no comment, no answers and no officer, only
// what locates and describes the case.
type caseData struct {
	ID     string `json:"id"`
	Ref    string `json:"ref"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Rating int    `json:"rating,omitempty"`
	place
	Channel     string     `json:"channel"`
	CreatedAt   time.Time  `json:"created_at"`
	DueAt       time.Time  `json:"due_at"`
	Assignee    string     `json:"assignee,omitempty"`
	EscalatedTo string     `json:"escalated_to,omitempty"`
	SettledAt   *time.Time `json:"settled_at,omitempty"`
	Outcome     string     `json:"outcome,omitempty"`
	Version     int64      `json:"version"`
	URL         string     `json:"url"`
}

func (a *Cases) data(ctx context.Context, c *cases.Case) caseData {
	d := caseData{ID: c.ID, Ref: c.Ref, Kind: string(c.Kind), Status: string(c.Status), Rating: c.Rating,
		place: placeOf(ctx, a.Labels, c.Field, c.Agency, c.Counter), Channel: c.Channel, CreatedAt: c.CreatedAt,
		DueAt: c.DueAt, Assignee: c.Assignee, EscalatedTo: c.EscalatedTo, SettledAt: c.SettledAt,
		Version: c.Version, URL: a.BaseURL + "/cases/" + c.ID}
	if !c.Open() {
		d.Outcome = c.Outcome
	}
	return d
}

// place is where an event happened: the field and the unit, by code and by name, and the counter.
type place struct {
	Field      string `json:"field"`
	FieldName  string `json:"field_name"`
	Agency     string `json:"agency"`
	AgencyName string `json:"agency_name"`
	Counter    string `json:"counter,omitempty"`
}

// placeOf is the place of field, agency and counter, named in Vietnamese when labels are set.
func placeOf(ctx context.Context, labels Labels, field, agency, counter string) place {
	p := place{Field: field, Agency: agency, Counter: counter}
	if labels != nil {
		p.FieldName, p.AgencyName = labels.Label(ctx, "vi", "field", field), labels.Label(ctx, "vi", "agency", agency)
	}
	return p
}

// CasesOpened records case.opened for each case.
func (a *Cases) CasesOpened(ctx context.Context, cs []*cases.Case) error {
	evs := make([]outbox.Event, 0, len(cs))
	for _, c := range cs {
		ev, err := outbox.NewEvent(outbox.CaseOpened, c.CreatedAt, c.Agency, a.data(ctx, c), c.ID)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
	}
	return a.Outbox.Record(ctx, evs...)
}

// CaseChanged records what c's latest change means for others: a reminder is case.due_soon,
// an escalation case.overdue, settling (resolved or closed) case.resolved.
func (a *Cases) CaseChanged(ctx context.Context, c *cases.Case) error {
	if len(c.Notes) == 0 {
		return nil
	}
	last := c.Notes[len(c.Notes)-1]
	var typ string
	switch last.Action {
	case "remind":
		typ = outbox.CaseDueSoon
	case "escalate":
		typ = outbox.CaseOverdue
	case cases.ActResolve, cases.ActClose:
		typ = outbox.CaseResolved
	default:
		return nil
	}
	ev, err := outbox.NewEvent(typ, last.At, c.Agency, a.data(ctx, c), c.ID, itoa(c.Version))
	if err != nil {
		return err
	}
	return a.Outbox.Record(ctx, ev)
}
