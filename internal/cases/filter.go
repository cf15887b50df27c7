package cases

import "time"

// Filter selects cases for a queue or a report.
type Filter struct {
	Status   Status
	Kind     Kind
	Field    string
	Assignee string
	// Agencies is the caller's scope; nil means the whole organisation.
	Agencies map[string]bool
	// NotOfficer leaves out the cases about this officer's own service.
	NotOfficer string
	// Overdue keeps open cases past their deadline at Now.
	Overdue bool
	Now     time.Time
	// From and To bound when cases were opened (To exclusive); zero means unbounded.
	From, To time.Time
	// Skip and Limit page through the list; Limit 0 means all.
	Skip, Limit int
}

// Keeps reports whether f selects c; stores that cannot filter on a criterion use it.
func (f Filter) Keeps(c *Case) bool {
	switch {
	case f.Status != "" && c.Status != f.Status,
		f.Kind != "" && c.Kind != f.Kind,
		f.Field != "" && c.Field != f.Field,
		f.Assignee != "" && c.Assignee != f.Assignee,
		f.Agencies != nil && !f.Agencies[c.Agency],
		f.NotOfficer != "" && c.Officer == f.NotOfficer,
		f.Overdue && !c.Overdue(f.Now),
		!f.From.IsZero() && c.CreatedAt.Before(f.From),
		!f.To.IsZero() && !c.CreatedAt.Before(f.To):
		return false
	}
	return true
}
