package followup

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// pageSize is how many cases one page of the list holds.
const pageSize = 50

var (
	errBadStatus  = survey.Errorf(survey.CodeInvalid, "error.case_filter_status")
	errBadKind    = survey.Errorf(survey.CodeInvalid, "error.case_filter_kind")
	errBadPage    = survey.Errorf(survey.CodeInvalid, "error.case_filter_page")
	errBadPeriod  = survey.Errorf(survey.CodeInvalid, "error.stats_period")
	errBadGroupBy = survey.Errorf(survey.CodeInvalid, "error.case_group_by")
	errBadVersion = survey.Errorf(survey.CodeInvalid, "error.case_version")
)

// API is the follow-up JSON API; it holds only what it uses.
type API struct {
	webkit.Base
	Cases *cases.Service
	Org   *org.Directory
	Users account.UserStore // the assignees
}

// listItem is a case as the list shows it.
type listItem struct {
	ID            string    `json:"id"`
	Ref           string    `json:"ref"`
	Kind          string    `json:"kind"`
	Status        string    `json:"status"`
	Rating        int       `json:"rating"`
	Agency        string    `json:"agency"`
	Counter       string    `json:"counter"`
	Field         string    `json:"field"`
	ProcedureCode string    `json:"procedure_code"`
	CreatedAt     time.Time `json:"created_at"`
	DueAt         time.Time `json:"due_at"`
	Overdue       bool      `json:"overdue"`
	Reminded      bool      `json:"reminded"` // the assignee was reminded the deadline is near
	EscalatedTo   string    `json:"escalated_to,omitempty"`
	Assignee      string    `json:"assignee"`
	Version       int64     `json:"version"`
}

func itemOf(c *cases.Case, now time.Time) listItem {
	return listItem{ID: c.ID, Ref: c.Ref, Kind: string(c.Kind), Status: string(c.Status), Rating: c.Rating,
		Agency: c.Agency, Counter: c.Counter, Field: c.Field, ProcedureCode: c.ProcedureCode, CreatedAt: c.CreatedAt,
		DueAt: c.DueAt, Overdue: c.Overdue(now), Reminded: c.Open() && c.RemindedAt != nil, EscalatedTo: c.EscalatedTo, Assignee: c.Assignee, Version: c.Version}
}

// detail is a case with its answers and timeline.
type detail struct {
	listItem
	DossierCode string         `json:"dossier_code"`
	Channel     string         `json:"channel"`
	Comment     string         `json:"comment,omitempty"`
	Answers     map[string]any `json:"answers,omitempty"`
	Outcome     string         `json:"outcome,omitempty"`
	Reply       string         `json:"reply,omitempty"`
	Notes       []cases.Note   `json:"notes"`
}

func detailOf(c *cases.Case, now time.Time) detail {
	notes := c.Notes
	if notes == nil {
		notes = []cases.Note{}
	}
	return detail{listItem: itemOf(c, now), DossierCode: c.DossierCode, Channel: c.Channel, Comment: survey.MaskPersonalData(c.Comment),
		Answers: c.Answers, Outcome: c.Outcome, Reply: c.Reply, Notes: notes}
}

// List handles GET /api/v1/cases: the cases in the caller's scope, due soonest first.
func (h *API) List(c *fiber.Ctx) error {
	cl, err := callerOf(c, h.Org.Tree)
	if err != nil {
		return err
	}
	f, page, err := h.filter(c, cl)
	if err != nil {
		return err
	}
	list, err := h.Cases.Store.Cases(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := struct {
		Cases    []listItem `json:"cases"`
		NextPage *int       `json:"next_page"`
	}{Cases: []listItem{}}
	for i := range list {
		if len(out.Cases) == pageSize {
			next := page + 1
			out.NextPage = &next
			break
		}
		out.Cases = append(out.Cases, itemOf(&list[i], h.Now()))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(out)
}

// filter reads the list's query parameters within the caller's scope.
func (h *API) filter(c *fiber.Ctx, cl caller) (cases.Filter, int, error) {
	f := cases.Filter{Status: cases.Status(c.Query("status")), Kind: cases.Kind(c.Query("kind")),
		Field: c.Query("field"), Assignee: c.Query("assignee"), Overdue: c.Query("overdue") == "true", Now: h.Now()}
	switch {
	case f.Status != "" && !slices.Contains(cases.Statuses, f.Status):
		return f, 0, errBadStatus
	case f.Kind != "" && !slices.Contains(cases.Kinds, f.Kind):
		return f, 0, errBadKind
	}
	page, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || page < 1 || page > 100_000 {
		return f, 0, errBadPage
	}
	f.Skip, f.Limit = (page-1)*pageSize, pageSize+1
	if from, to := c.Query("from"), c.Query("to"); from != "" || to != "" {
		p, err := stats.ParsePeriod(from, to)
		if err != nil {
			return f, 0, errBadPeriod
		}
		f.From, f.To = p.From.Time(), p.To.AddDays(1).Time()
	}
	return f, page, cl.scopeFilter(&f, c.Query("agency"), h.Org.Tree)
}

// Get handles GET /api/v1/cases/:id: the case with its answers and timeline.
func (h *API) Get(c *fiber.Ctx) error {
	cs, _, err := h.load(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(detailOf(cs, h.Now()))
}

// load reads the case of the :id parameter, if the caller may see it.
func (h *API) load(c *fiber.Ctx) (*cases.Case, caller, error) {
	cl, err := callerOf(c, h.Org.Tree)
	if err != nil {
		return nil, cl, err
	}
	id := c.Params("id")
	if !survey.ValidToken(id) {
		return nil, cl, cases.ErrNotFound
	}
	cs, err := h.Cases.Store.Case(c.UserContext(), id)
	if err != nil {
		return nil, cl, err
	}
	if !cl.sees(cs) {
		return nil, cl, survey.ErrForbidden
	}
	return cs, cl, nil
}

// actionRequest is the body of the actions; each uses its own field.
type actionRequest struct {
	Text    *string `json:"text"`
	User    *string `json:"user"`
	Summary *string `json:"summary"`
	Reason  *string `json:"reason"`
	Reply   *string `json:"reply"`
	Version *int64  `json:"version"`
}

// Act handles POST /api/v1/cases/:id/{notes,assign,resolve,close,reopen}: 200 with the case
// changed; 409 with the current case when it moved on since the version given.
func (h *API) Act(name string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		cs, cl, err := h.load(c)
		if err != nil {
			return err
		}
		var req actionRequest
		if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
			return err
		}
		version, err := versionOf(c, req.Version)
		if err != nil {
			return err
		}
		a := cases.Action{Name: name, Text: firstOf(req.Text, req.Summary, req.Reason), User: firstOf(req.User), Reply: firstOf(req.Reply)}
		if a.Name == cases.ActAssign {
			if err := h.checkAssignee(c, cs, a.User); err != nil {
				return err
			}
		}
		changed, err := h.Cases.Act(c.UserContext(), cs.ID, version, cl.name, a)
		if errors.Is(err, cases.ErrStale) && changed != nil {
			_, body := h.Classify(c, err)
			return c.Status(fiber.StatusConflict).JSON(fiber.Map{"error": body.Error, "case": detailOf(changed, h.Now())})
		}
		if err != nil {
			return err
		}
		return c.JSON(detailOf(changed, h.Now()))
	}
}

// versionOf is the version the caller read the case at: the If-Match header or the body's.
func versionOf(c *fiber.Ctx, body *int64) (int64, error) {
	if v := c.Get(fiber.HeaderIfMatch); v != "" {
		n, err := strconv.ParseInt(trimQuotes(v), 10, 64)
		if err != nil || n < 1 {
			return 0, errBadVersion
		}
		return n, nil
	}
	if body == nil || *body < 1 {
		return 0, errBadVersion
	}
	return *body, nil
}

func trimQuotes(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func firstOf(vs ...*string) string {
	for _, v := range vs {
		if v != nil {
			return *v
		}
	}
	return ""
}

var errAssignee = survey.Errorf(survey.CodeInvalid, "error.case_assignee")

// checkAssignee accepts a manager or admin whose part of the organisation holds the case, other
// than the officer it is about; "" unassigns.
func (h *API) checkAssignee(c *fiber.Ctx, cs *cases.Case, name string) error {
	if name == "" {
		return nil
	}
	u, err := h.Users.UserByName(c.UserContext(), name)
	if errors.Is(err, account.ErrUserNotFound) {
		return errAssignee
	}
	if err != nil {
		return err
	}
	if !mayHandle(u, cs, h.Org.Tree) {
		return errAssignee
	}
	return nil
}

// mayHandle reports whether u may be given case cs.
func mayHandle(u *account.User, cs *cases.Case, tree *org.Tree) bool {
	if u.Disabled || (u.Role != account.RoleAdmin && u.Role != account.RoleManager) || u.Name == cs.Officer {
		return false
	}
	return u.Agency == "" || tree.Subtree(u.Agency)[cs.Agency]
}

// Stats handles GET /api/v1/cases/stats: the follow-up figures of a period, in the caller's
// scope, grouped by agency, field, kind or month.
func (h *API) Stats(c *fiber.Ctx) error {
	cl, err := callerOf(c, h.Org.Tree)
	if err != nil {
		return err
	}
	p, err := stats.ParsePeriod(c.Query("from"), c.Query("to"))
	if err != nil {
		return errBadPeriod
	}
	by := c.Query("group_by", cases.ByAgency)
	if !slices.Contains(cases.Groupings, by) {
		return errBadGroupBy
	}
	f := cases.Filter{From: p.From.Time(), To: p.To.AddDays(1).Time()}
	if err := cl.scopeFilter(&f, c.Query("agency"), h.Org.Tree); err != nil {
		return err
	}
	figs, err := h.figures(c, f, p, by)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(figs)
}

// figures counts the cases f selects in period p.
func (h *API) figures(c *fiber.Ctx, f cases.Filter, p stats.Period, by string) (cases.Figures, error) {
	ctx, l := c.UserContext(), webkit.Lang(c)
	label := func(dim, key string) string { return Label(ctx, h.Org, l, dim, key) }
	return h.Cases.Figures(ctx, f, p, by, h.Org.Targets.Table(ctx), label)
}
