package citizen

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// CaseDesk is what the citizen's pages ask of follow-up cases (cases.Service does it).
type CaseDesk interface {
	CitizenView(ctx context.Context, token string) (*cases.CitizenView, error)
	SaveContact(ctx context.Context, token string, f cases.ContactForm) error
}

// answeredData is the page of a rated dossier: the thanks (right after rating, or while step
// 2 is open) or the note that it is rated; step 2's questions while it is open; and, when the
// rating calls for a case, its reference, the status link and, while the case is open, the
// offer to be contacted.
type answeredData struct {
	webkit.PageData
	Thanks, FollowUpDone bool
	StepErrors           bool // Errors are the step 2 form's, not the contact form's
	Token                string
	FollowUp             []survey.Question // step 2, while it is open
	Values               map[string]any    // step 2 answers shown again with an error
	View                 *cases.CitizenView
	StatusURL            string
	Offer                bool
	Phone, Email         string
	Consent              bool
	Errors               survey.FieldErrors
	Err                  map[string]*survey.FieldError
}

// renderAnswered shows the page of a rated dossier; f and errs are the contact form or the
// step 2 form shown again with what was wrong.
func (h *Handler) renderAnswered(c *fiber.Ctx, a answeredData, f cases.ContactForm, errs survey.FieldErrors) error {
	l := webkit.Lang(c)
	v, err := h.Cases.CitizenView(c.UserContext(), a.Token)
	switch {
	case errors.Is(err, cases.ErrNoResponse) || errors.Is(err, cases.ErrNoCaseFor):
	case err != nil:
		return err
	default:
		a.View, a.StatusURL, a.Offer = v, h.BaseURL+statusPath(a.Token), v.Status == cases.StatusOpen
	}
	title := i18n.T(l, "thanks.title")
	if !a.Thanks {
		title = i18n.T(l, "rated.title")
		if c.Response().StatusCode() == fiber.StatusOK {
			c.Status(fiber.StatusConflict)
		}
	}
	a.PageData = h.PageFor(c, title)
	a.Phone, a.Email, a.Consent, a.Errors, a.Err = clip(f.Phone), clip(f.Email), f.Consent, errs, map[string]*survey.FieldError{}
	for i := range errs {
		a.Err[errs[i].Question] = &errs[i]
	}
	return h.Render(c, "contact", a)
}

func statusPath(token string) string { return "/s/" + token + "/case" }

// clip keeps what a citizen typed short enough to show again.
func clip(s string) string {
	if r := []rune(s); len(r) > 254 {
		return string(r[:254])
	}
	return s
}

// ContactSubmit handles POST /s/:token/contact, the plain form post of the contact offer. Like
// the survey form it needs no CSRF token: no cookie gives it authority, only the unguessable
// token in its path, which a cross-site page cannot know.
func (h *Handler) ContactSubmit(c *fiber.Ctx) error {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return h.ticketProblem(c, survey.ErrTicketNotFound)
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	l := webkit.Lang(c)
	f := cases.ContactForm{Phone: form.Get("phone"), Email: form.Get("email"), Consent: form.Get("consent") == "yes", Lang: l}
	err = h.Cases.SaveContact(c.UserContext(), token, f)
	var fields survey.FieldErrors
	if errors.As(err, &fields) {
		if _, verr := h.Cases.CitizenView(c.UserContext(), token); verr != nil {
			return h.caseProblem(c, verr)
		}
		return h.renderAnswered(c.Status(fiber.StatusUnprocessableEntity), answeredData{Thanks: true, Token: token}, f, fields)
	}
	if err != nil {
		return h.caseProblem(c, err)
	}
	return c.Redirect(statusPath(token)+"?saved=1&lang="+l, fiber.StatusSeeOther)
}

// caseProblem answers a domain error of the case pages with its message, in the citizen's
// language, on a page titled for it.
func (h *Handler) caseProblem(c *fiber.Ctx, err error) error {
	var de *survey.Error
	if !errors.As(err, &de) || de.Code == survey.CodeUnavailable {
		return err
	}
	l := webkit.Lang(c)
	title := i18n.T(l, "contact.problem_title")
	if de.Code == survey.CodeNotFound {
		title = i18n.T(l, "notfound.title")
	}
	return h.RenderMessage(c.Status(webkit.HTTPStatus(de.Code)), "error", title, de.Message.In(l))
}

// errNoCase answers a status link that leads to no case.
var errNoCase = survey.Errorf(survey.CodeNotFound, "casestatus.none")

// statusData is the citizen's status page of a case: never its notes, assignee or officer.
type statusData struct {
	webkit.PageData
	Token, StatusText, StatusClass string
	Received, Due, Settled         string
	View                           *cases.CitizenView
	Saved                          bool
}

// CaseStatus handles GET /s/:token/case: the case's reference, status in plain words, dates
// and the public reply.
func (h *Handler) CaseStatus(c *fiber.Ctx) error {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return h.caseProblem(c, errNoCase)
	}
	v, err := h.Cases.CitizenView(c.UserContext(), token)
	if errors.Is(err, cases.ErrNoResponse) || errors.Is(err, cases.ErrNoCaseFor) {
		err = errNoCase
	}
	if err != nil {
		return h.caseProblem(c, err)
	}
	l := webkit.Lang(c)
	d := statusData{
		PageData: h.PageFor(c, i18n.T(l, "casestatus.title")), Token: token, View: v, Saved: c.Query("saved") == "1",
		Received: stats.FormatDate(stats.DateOf(v.ReceivedAt)), StatusClass: string(v.Status),
	}
	switch {
	case v.Receiving:
		d.StatusText, d.StatusClass = i18n.T(l, "casestatus.receiving"), "receiving"
	case v.Status == cases.StatusOpen:
		d.StatusText, d.Due = i18n.T(l, "casestatus.open"), stats.FormatDate(stats.DateOf(v.DueAt))
	case v.Status == cases.StatusResolved:
		d.StatusText = i18n.T(l, "casestatus.resolved")
	default:
		d.StatusText = i18n.T(l, "casestatus.closed")
	}
	if v.SettledAt != nil {
		d.Settled = stats.FormatDate(stats.DateOf(*v.SettledAt))
	}
	return h.Render(c, "casestatus", d)
}
