// Package cases closes the loop on what citizens report: a dissatisfied rating, a report of an
// unofficial payment or harassment, or a request to be contacted opens one follow-up case
// (phản ánh, kiến nghị) with an owner, a deadline in working days, a timeline and an outcome,
// and the plan's figures (95% settled, 100% on time) are counted from them.
package cases

import (
	"crypto/sha256"
	"slices"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/survey"
	"go.mongodb.org/mongo-driver/v2/bson"
)

// Kind is why a case was opened.
type Kind string

// The kinds of case, from the most urgent.
const (
	KindIntegrity    Kind = "integrity"    // an unofficial payment was asked for, or the citizen was harassed
	KindComplaint    Kind = "complaint"    // the citizen asked to report a problem or be contacted
	KindDissatisfied Kind = "dissatisfied" // an overall rating of 1 or 2
)

// Kinds lists every kind, the most urgent first.
var Kinds = []Kind{KindIntegrity, KindComplaint, KindDissatisfied}

// Status is where a case stands; a case past its deadline is also overdue (Case.Overdue).
type Status string

// The statuses of a case.
const (
	StatusOpen         Status = "open"
	StatusResolved     Status = "resolved"            // settled, with a summary
	StatusUnresolvable Status = "closed_unresolvable" // closed without settling, with a reason
)

// Statuses lists every status.
var Statuses = []Status{StatusOpen, StatusResolved, StatusUnresolvable}

// QuestionContact is the survey's yes/no question "I want to report a problem / be contacted".
const QuestionContact = "contact_request"

// Seed is what opening a case needs to know of its response; it travels in the response's
// journal event, so the case is opened with the same guarantees as the figures.
type Seed struct {
	Token         string         `bson:"token"`
	Kind          Kind           `bson:"kind"`
	Rating        int            `bson:"rating"`
	Answers       map[string]any `bson:"answers,omitempty"`
	Comment       string         `bson:"comment,omitempty"`
	DossierCode   string         `bson:"dossier_code"`
	ProcedureCode string         `bson:"procedure_code,omitempty"`
	Field         string         `bson:"field"`
	Agency        string         `bson:"agency,omitempty"`
	Counter       string         `bson:"counter,omitempty"`
	Officer       string         `bson:"officer,omitempty"`
	Channel       string         `bson:"channel"`
	SubmittedAt   time.Time      `bson:"submitted_at"`
}

// KindOf is the kind of case response r opens, and whether it opens one: a misuse-flagged
// response never does; integrity comes first, then a request to be contacted, then a rating of
// 1 or 2.
func KindOf(r *survey.Response) (Kind, bool) {
	switch {
	case r.Misuse:
		return "", false
	case r.ExtraPayment || hasReason(r, survey.ReasonPayment):
		return KindIntegrity, true
	case r.Answers[QuestionContact] == true:
		return KindComplaint, true
	case r.Overall == 1 || r.Overall == 2:
		return KindDissatisfied, true
	}
	return "", false
}

// hasReason reports whether a kiosk response chose reason chip value (a list of strings as
// given, or of values as read back from the store).
func hasReason(r *survey.Response, value string) bool {
	switch v := r.Answers["reasons"].(type) {
	case []string:
		return slices.Contains(v, value)
	case []any:
		return slices.Contains(v, any(value))
	case bson.A:
		return slices.Contains(v, any(value))
	}
	return false
}

// SeedOf is the seed of the case r opens, or nil when it opens none.
func SeedOf(r *survey.Response) *Seed {
	kind, ok := KindOf(r)
	if !ok {
		return nil
	}
	return &Seed{
		Token: r.Token, Kind: kind, Rating: r.Overall, Answers: r.Answers, Comment: r.Comment,
		DossierCode: r.DossierCode, Field: r.Field, Agency: r.Agency, Counter: r.Counter,
		Officer: r.Officer, Channel: string(r.Channel), SubmittedAt: r.SubmittedAt,
	}
}

// Ref is the reference a citizen and the staff quote for the case of response token: short,
// unambiguous and not the token itself (PA- and 8 symbols of the short-code alphabet).
func Ref(token string) string {
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	sum := sha256.Sum256([]byte("case|" + token))
	var b strings.Builder
	b.WriteString("PA-")
	for i := 0; i < 8; i++ {
		if i == 4 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[int(sum[i])%len(alphabet)])
	}
	return b.String()
}

// Case is one follow-up: its identity is the response token, so a response opens at most one.
type Case struct {
	ID            string         `bson:"_id" json:"id"`
	Ref           string         `bson:"ref" json:"ref"`
	Kind          Kind           `bson:"kind" json:"kind"`
	Status        Status         `bson:"status" json:"status"`
	Rating        int            `bson:"rating" json:"rating"`
	Answers       map[string]any `bson:"answers,omitempty" json:"answers,omitempty"`
	Comment       string         `bson:"comment,omitempty" json:"comment,omitempty"`
	DossierCode   string         `bson:"dossier_code" json:"dossier_code,omitempty"`
	ProcedureCode string         `bson:"procedure_code,omitempty" json:"procedure_code,omitempty"`
	Field         string         `bson:"field" json:"field"`
	Agency        string         `bson:"agency,omitempty" json:"agency"`
	Counter       string         `bson:"counter,omitempty" json:"counter"`
	Officer       string         `bson:"officer,omitempty" json:"-"` // never shown: the rated officer must not learn who rated them
	Channel       string         `bson:"channel" json:"channel"`
	CreatedAt     time.Time      `bson:"created_at" json:"created_at"`
	DueAt         time.Time      `bson:"due_at" json:"due_at"`
	Assignee      string         `bson:"assignee,omitempty" json:"assignee"`
	Outcome       string         `bson:"outcome,omitempty" json:"outcome,omitempty"` // the summary or the reason it closed on
	Reply         string         `bson:"reply,omitempty" json:"-"`                   // what the citizen's status page shows
	SettledAt     *time.Time     `bson:"settled_at,omitempty" json:"settled_at,omitempty"`
	RemindedAt    *time.Time     `bson:"reminded_at,omitempty" json:"-"`
	EscalatedAt   *time.Time     `bson:"escalated_at,omitempty" json:"escalated_at,omitempty"`
	EscalatedTo   string         `bson:"escalated_to,omitempty" json:"escalated_to,omitempty"`
	Notes         []Note         `bson:"notes" json:"notes,omitempty"`
	Version       int64          `bson:"version" json:"version"`
	// Reduced is set once the case, settled longer than the retention ago, has lost its
	// personal data (Case.Reduce).
	Reduced bool `bson:"reduced,omitempty" json:"reduced,omitempty"`
}

// Note is one line of a case's timeline: a note, an assignment or a change of status, with who
// wrote it and when. Notes are never changed or removed.
type Note struct {
	At     time.Time `bson:"at" json:"at"`
	By     string    `bson:"by" json:"by"`
	Action string    `bson:"action" json:"action"` // note, assign, resolve, close, reopen, remind, escalate
	Text   string    `bson:"text,omitempty" json:"text,omitempty"`
}

// Reduce is the case as kept after the retention: what its figures count (kind, status,
// rating, dates, unit, counter, field, channel, who acted and when) without the comment, the
// answers, the dossier code, the notes' text, the outcome or the reply. It is the next version.
func (c *Case) Reduce() *Case {
	r := *c
	r.Answers, r.Comment, r.DossierCode, r.Outcome, r.Reply = nil, "", "", "", ""
	r.Notes = make([]Note, len(c.Notes))
	for i, n := range c.Notes {
		n.Text = ""
		r.Notes[i] = n
	}
	r.Reduced, r.Version = true, c.Version+1
	return &r
}

// Open reports whether the case still awaits settling.
func (c *Case) Open() bool { return c.Status == StatusOpen }

// Overdue reports whether the open case is past its deadline at now.
func (c *Case) Overdue(now time.Time) bool { return c.Open() && now.After(c.DueAt) }

// New is the case seed s opens, due days working days later on cal.
func New(s *Seed, cal Calendar, days int) *Case {
	return &Case{
		ID: s.Token, Ref: Ref(s.Token), Kind: s.Kind, Status: StatusOpen, Rating: s.Rating, Answers: s.Answers,
		Comment: s.Comment, DossierCode: s.DossierCode, ProcedureCode: s.ProcedureCode, Field: s.Field,
		Agency: s.Agency, Counter: s.Counter, Officer: s.Officer, Channel: s.Channel, CreatedAt: s.SubmittedAt,
		DueAt: cal.Deadline(s.SubmittedAt, days), Notes: []Note{}, Version: 1,
	}
}
