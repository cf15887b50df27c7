package cases

import (
	"context"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Store keeps cases and their settings.
type Store interface {
	// Open stores each case unless one with its ID exists.
	Open(ctx context.Context, cs []*Case) error
	// Case returns the case with id in its latest version, or ErrNotFound.
	Case(ctx context.Context, id string) (*Case, error)
	// Update stores c, whose Version is one more than the version it was changed from;
	// ErrStale when another change of that version was stored first.
	Update(ctx context.Context, c *Case) error
	// Cases lists the cases f selects, due soonest first.
	Cases(ctx context.Context, f Filter) ([]Case, error)
	// Settings returns the stored settings, or the defaults.
	Settings(ctx context.Context) (Settings, error)
	// SaveSettings stores s.
	SaveSettings(ctx context.Context, s Settings) error
}

// Errors of case handling; the store returns ErrStale and ErrNotFound too.
var (
	ErrNotFound  = survey.Errorf(survey.CodeNotFound, "error.case_not_found")
	ErrStale     = survey.Errorf(survey.CodeConflict, "error.case_stale")
	ErrTooLong   = survey.Errorf(survey.CodeInvalid, "error.case_text_too_long")
	ErrNoText    = survey.Errorf(survey.CodeInvalid, "error.case_text_required")
	ErrNotOpen   = survey.Errorf(survey.CodeConflict, "error.case_not_open")
	ErrStillOpen = survey.Errorf(survey.CodeConflict, "error.case_still_open")
)

// MaxText is the longest note, summary or reason, in characters.
const MaxText = 4000

// Settings are the editable rules of follow-up: working days allowed per kind, the centre's
// calendar, and how long a citizen's contact details are kept after a case ends.
type Settings struct {
	Days        map[Kind]int `bson:"days" json:"days"`
	Calendar    Calendar     `bson:"calendar" json:"calendar"`
	ContactDays int          `bson:"contact_days" json:"contact_days"`
}

// DefaultSettings are the plan's defaults: integrity 5 working days, the others 10, Monday to
// Friday, contact details erased 90 days after a case ends.
func DefaultSettings() Settings {
	return Settings{
		Days:     map[Kind]int{KindIntegrity: 5, KindComplaint: 10, KindDissatisfied: 10},
		Calendar: DefaultCalendar(), ContactDays: 90,
	}
}

// DaysFor is the working days allowed for a case of kind k.
func (s Settings) DaysFor(k Kind) int {
	if d, ok := s.Days[k]; ok && d > 0 {
		return d
	}
	return DefaultSettings().Days[k]
}

// Service opens cases and carries out what staff do to them.
type Service struct {
	Store Store
	Log   *slog.Logger
	Now   func() time.Time

	// The citizen's contact details (contact.go): where they are kept, the key that seals
	// them, the responses that call for a case, and the trail of who read them.
	Contacts  ContactStore
	Sealer    *Sealer
	Responses ResponseReader
	Audit     AuditTrail

	// Announce, when set, tells the outbox of the cases opened (before they are stored, so a
	// crash opens and announces them again, never one without the other).
	Announce Announcer
}

// Announcer tells other systems and people of cases opened and changed; telling twice of the
// same thing is harmless.
type Announcer interface {
	CasesOpened(ctx context.Context, cs []*Case) error
	// CaseChanged is told of c right after its new version is stored as a change and before
	// the case document follows, and again by whoever rolls that change forward.
	CaseChanged(ctx context.Context, c *Case) error
}

// OpenCases opens the case of each seed, due on the working days its kind allows.
func (s *Service) OpenCases(ctx context.Context, seeds []Seed) error {
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return err
	}
	cs := make([]*Case, len(seeds))
	for i := range seeds {
		cs[i] = New(&seeds[i], set.Calendar, set.DaysFor(seeds[i].Kind))
	}
	if s.Announce != nil {
		if err := s.Announce.CasesOpened(ctx, cs); err != nil {
			return err
		}
	}
	return s.Store.Open(ctx, cs)
}

// Action is one thing staff do to a case.
type Action struct {
	Name  string // note, assign, resolve, close, reopen
	Text  string // the note, summary or reason
	User  string // the assignee, for assign
	Reply string // what the citizen's status page shows, with resolve or close (optional)
}

// The actions.
const (
	ActNote    = "note"
	ActAssign  = "assign"
	ActResolve = "resolve"
	ActClose   = "close"
	ActReopen  = "reopen"
)

// Act applies a to the case with id as it was at version, for user by. A version other than
// the case's current one is ErrStale, with the current case returned.
func (s *Service) Act(ctx context.Context, id string, version int64, by string, a Action) (*Case, error) {
	c, err := s.Store.Case(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Version != version {
		return c, ErrStale
	}
	if err := apply(c, a, by, s.Now().UTC()); err != nil {
		return c, err
	}
	if err := s.Store.Update(ctx, c); err != nil {
		if errors.Is(err, ErrStale) {
			current, cerr := s.Store.Case(ctx, id)
			if cerr == nil {
				return current, ErrStale
			}
		}
		return nil, err
	}
	return c, nil
}

// apply changes c by a, adding its line to the timeline and moving the version on.
func apply(c *Case, a Action, by string, now time.Time) error {
	if utf8.RuneCountInString(a.Text) > MaxText || utf8.RuneCountInString(a.Reply) > MaxText {
		return ErrTooLong
	}
	switch a.Name {
	case ActNote:
		if a.Text == "" {
			return ErrNoText
		}
	case ActAssign:
		c.Assignee = a.User
	case ActResolve, ActClose:
		if !c.Open() {
			return ErrNotOpen
		}
		if a.Text == "" {
			return ErrNoText
		}
		c.Status, c.Outcome, c.SettledAt = StatusResolved, a.Text, &now
		if a.Name == ActClose {
			c.Status = StatusUnresolvable
		}
		if a.Reply != "" {
			c.Reply = a.Reply
		}
	case ActReopen:
		if c.Open() {
			return ErrStillOpen
		}
		c.Status, c.Outcome, c.SettledAt = StatusOpen, "", nil
	}
	c.Notes = append(c.Notes, Note{At: now, By: by, Action: a.Name, Text: a.Text})
	c.Version++
	return nil
}

// Figures counts the cases f selects that were opened in p, as they stand now, grouped by.
func (s *Service) Figures(ctx context.Context, f Filter, p stats.Period, by string, tt stats.TargetTable, label func(dim, key string) string) (Figures, error) {
	f.From, f.To = p.From.Time(), p.To.AddDays(1).Time()
	list, err := s.Store.Cases(ctx, f)
	if err != nil {
		return Figures{}, err
	}
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return Figures{}, err
	}
	return Count(list, p, by, s.Now(), set.Calendar, tt, label), nil
}
