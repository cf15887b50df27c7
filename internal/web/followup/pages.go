package followup

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// Pages serves the /cases queue and case pages to managers and admins.
type Pages struct {
	API
	Surveys *survey.Catalog // puts the stored answers into words
}

// queueData is what the queue page shows.
type queueData struct {
	webkit.PageData
	User     *account.User
	CSRF     string
	Query    queueQuery
	Rows     []queueRow
	Units    []org.Unit
	Fields   []org.Field
	Kinds    []cases.Kind
	Statuses []cases.Status
	Next     string
	Error    string
}

// queueQuery is the queue's filters as the form sends them.
type queueQuery struct {
	Status, Kind, Agency, Field, Assignee string
	Overdue                               bool
	Page                                  int
}

type queueRow struct {
	listItem
	AgencyName, FieldName, Due string
}

// Queue handles GET /cases: the cases of the caller's part of the organisation, due soonest
// first, with the filters of the API.
func (h *Pages) Queue(c *fiber.Ctx) error {
	cl, err := callerOf(c, h.Org.Tree)
	if err != nil {
		return err
	}
	l := webkit.Lang(c)
	d := &queueData{PageData: h.PageFor(c, i18n.T(l, "cases.title")), User: cl.user, CSRF: webkit.CSRFToken(c),
		Kinds: cases.Kinds, Statuses: cases.Statuses, Fields: webkit.ActiveFields(c, h.Org.Fields), Units: h.units(cl)}
	d.Query = queueQuery{Status: c.Query("status"), Kind: c.Query("kind"), Agency: c.Query("agency"),
		Field: c.Query("field"), Assignee: c.Query("assignee"), Overdue: c.Query("overdue") == "true", Page: c.QueryInt("page", 1)}
	f, page, err := h.filter(c, cl)
	if err != nil {
		d.Error = webkit.MessageOf(err, l)
		return h.Render(c.Status(webkit.StatusOf(err)), "cases", d)
	}
	list, err := h.Cases.Store.Cases(c.UserContext(), f)
	if err != nil {
		return err
	}
	for i := range list {
		if len(d.Rows) == pageSize {
			q := c.Context().QueryArgs()
			q.Set("page", strconv.Itoa(page+1))
			d.Next = "/cases?" + string(q.QueryString())
			break
		}
		d.Rows = append(d.Rows, h.row(c, &list[i]))
	}
	return h.Render(c, "cases", d)
}

func (h *Pages) row(c *fiber.Ctx, cs *cases.Case) queueRow {
	ctx, l := c.UserContext(), webkit.Lang(c)
	return queueRow{listItem: itemOf(cs, h.Now()), AgencyName: Label(ctx, h.Org, l, cases.ByAgency, cs.Agency),
		FieldName: Label(ctx, h.Org, l, cases.ByField, cs.Field), Due: stats.FormatDateTime(cs.DueAt)}
}

// units are the units the caller may filter by.
func (h *Pages) units(cl caller) []org.Unit {
	var out []org.Unit
	for _, u := range h.Org.Tree.Units() {
		if cl.agencies == nil || cl.agencies[u.Code] {
			out = append(out, u)
		}
	}
	return out
}

// caseData is what the case page shows.
type caseData struct {
	webkit.PageData
	User       *account.User
	CSRF       string
	Case       detail
	AgencyName string
	// CounterName names the counter that served the dossier (its code only when it has no name).
	CounterName string
	FieldName   string
	Created     string
	Due         string
	Settled     string
	Assignees   []account.User
	Notice      string
	Error       string
	MaxText     int
	// HasContact says the citizen left contact details; MayContact that this caller may open
	// them (the assignee, or a manager of the unit); Contact is them, once opened.
	HasContact, MayContact bool
	Contact                *cases.Contact
	Answers                []survey.Answer
}

// Case handles GET /cases/:id: the case, its timeline and what can be done with it.
func (h *Pages) Case(c *fiber.Ctx) error {
	cs, cl, err := h.load(c)
	if err != nil {
		return err
	}
	notice := ""
	if slices.Contains(actions, c.Query("done")) {
		notice = i18n.T(webkit.Lang(c), "cases.saved")
	}
	return h.renderCase(c, fiber.StatusOK, cs, cl, notice, "")
}

// mayContact reports whether the caller may open the citizen's contact details: the case's
// assignee, or a manager of its unit.
func mayContact(cl caller, cs *cases.Case) bool {
	return cl.user != nil && (cl.user.Name == cs.Assignee || cl.user.Role == account.RoleManager)
}

// Contact handles POST /cases/:id/contact: it shows the citizen's contact details to the
// assignee or a manager of the unit, and records that they looked.
func (h *Pages) Contact(c *fiber.Ctx) error {
	cs, cl, err := h.load(c)
	if err != nil {
		return err
	}
	if !mayContact(cl, cs) {
		return survey.ErrForbidden
	}
	contact, err := h.Cases.Contact(c.UserContext(), cs.ID, cl.name)
	if err != nil {
		return err
	}
	return h.renderCaseWith(c, fiber.StatusOK, cs, cl, "", "", contact)
}

func (h *Pages) renderCase(c *fiber.Ctx, status int, cs *cases.Case, cl caller, notice, errMsg string) error {
	return h.renderCaseWith(c, status, cs, cl, notice, errMsg, nil)
}

func (h *Pages) renderCaseWith(c *fiber.Ctx, status int, cs *cases.Case, cl caller, notice, errMsg string, contact *cases.Contact) error {
	ctx, l := c.UserContext(), webkit.Lang(c)
	d := caseData{PageData: h.PageFor(c, cs.Ref), User: cl.user, CSRF: webkit.CSRFToken(c), Case: detailOf(cs, h.Now()),
		AgencyName: Label(ctx, h.Org, l, cases.ByAgency, cs.Agency), FieldName: Label(ctx, h.Org, l, cases.ByField, cs.Field),
		Created: stats.FormatDateTime(cs.CreatedAt), Due: stats.FormatDateTime(cs.DueAt), Notice: notice, Error: errMsg, MaxText: cases.MaxText,
		Contact: contact, Answers: h.Surveys.Describe(cs.Answers, l)}
	if cs.Counter != "" {
		d.CounterName = cs.Counter
		if name, ok := h.Org.Tree.CounterName(org.CounterID(cs.Agency, cs.Counter)); ok {
			d.CounterName = name
		}
	}
	if cs.SettledAt != nil {
		d.Settled = stats.FormatDateTime(*cs.SettledAt)
	}
	if _, err := h.Cases.Contacts.SealedContact(ctx, cs.ID); err == nil {
		d.HasContact, d.MayContact = true, mayContact(cl, cs)
	} else if !errors.Is(err, cases.ErrNoContact) {
		return err
	}
	users, err := h.Users.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if mayHandle(&u, cs, h.Org.Tree) {
			d.Assignees = append(d.Assignees, u)
		}
	}
	return h.Render(c.Status(status), "case", d)
}

// actions are what the case page's forms may do.
var actions = []string{cases.ActNote, cases.ActAssign, cases.ActResolve, cases.ActClose, cases.ActReopen}

// Act handles POST /cases/:id: one of the case page's forms. A change made meanwhile by someone
// else shows the current case with a notice instead of overwriting it.
func (h *Pages) Act(c *fiber.Ctx) error {
	cs, cl, err := h.load(c)
	if err != nil {
		return err
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	get := func(k string) string { return strings.TrimSpace(form.Get(k)) }
	a := cases.Action{Name: get("action"), Text: get("text"), User: get("user"), Reply: get("reply")}
	version, verr := strconv.ParseInt(get("version"), 10, 64)
	l := webkit.Lang(c)
	if !slices.Contains(actions, a.Name) || verr != nil {
		return h.renderCase(c, fiber.StatusUnprocessableEntity, cs, cl, "", webkit.MessageOf(errBadVersion, l))
	}
	if a.Name == cases.ActAssign {
		if err := h.checkAssignee(c, cs, a.User); err != nil {
			return h.renderCase(c, webkit.StatusOf(err), cs, cl, "", webkit.MessageOf(err, l))
		}
	}
	changed, err := h.Cases.Act(c.UserContext(), cs.ID, version, cl.name, a)
	var de *survey.Error
	switch {
	case errors.Is(err, cases.ErrStale) && changed != nil:
		return h.renderCase(c, fiber.StatusConflict, changed, cl, "", webkit.MessageOf(err, l))
	case errors.As(err, &de) && de.Code != survey.CodeUnavailable:
		return h.renderCase(c, webkit.StatusOf(err), cs, cl, "", webkit.MessageOf(err, l))
	case err != nil:
		return err
	}
	return c.Redirect("/cases/"+cs.ID+"?done="+a.Name+"&lang="+l, fiber.StatusSeeOther)
}
