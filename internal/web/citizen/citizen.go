// Package citizen serves citizens: the short-code form, the survey page and its JSON twin, the
// ticket's survey definition and its QR images, and the follow-up case a rating opens (its
// status page and the offer to be contacted). Nothing here needs an account.
package citizen

import (
	"errors"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/webkit"
)

// Handler serves the citizen's pages and JSON; it holds only what they use.
type Handler struct {
	webkit.Base
	Tickets   webkit.Tickets
	Responses Responses
	Fields    *org.FieldCatalog // names the dossier's field on the survey page
	Units     Units             // names the office being rated
	QR        *qr.Generator
	URLs      webkit.TicketURLs
	Cases     CaseDesk       // the case a rating opens: its status page and the offer to be contacted
	Clients   webkit.Clients // tells an answer from the browser that issued its ticket by hand
}

// Responses is what the citizen's pages ask of stored responses: storing step 1, and adding
// the optional step 2 to it.
type Responses interface {
	survey.ResponseStore
	survey.FollowUpStore
}

// Units names the office a dossier belongs to (org.Tree does it).
type Units interface {
	Unit(code string) (org.Unit, bool)
}

type codeData struct {
	webkit.PageData
	Code, Error string
}

// CodePage handles GET /s: the form for typing a short code.
func (h *Handler) CodePage(c *fiber.Ctx) error {
	return h.Render(c, "code", codeData{PageData: h.PageFor(c, i18n.T(webkit.Lang(c), "code.title"))})
}

// CodeSubmit handles POST /s: a valid short code leads to its survey. Attempts are rate limited
// per client so codes cannot be enumerated.
func (h *Handler) CodeSubmit(c *fiber.Ctx) error {
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	typed := form.Get("code")
	code := survey.NormalizeShortCode(typed)
	l := webkit.Lang(c)
	if code == "" {
		return h.codeError(c, typed, i18n.T(l, "code.invalid"), fiber.StatusUnprocessableEntity)
	}
	t, err := h.Tickets.Store.TicketByShortCode(c.UserContext(), code)
	if errors.Is(err, survey.ErrTicketNotFound) {
		return h.codeError(c, typed, i18n.T(l, "notfound.body"), fiber.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?lang="+l, fiber.StatusSeeOther)
}

func (h *Handler) codeError(c *fiber.Ctx, typed, msg string, status int) error {
	if len(typed) > 20 || !utf8.ValidString(typed) {
		typed = ""
	}
	return h.Render(c.Status(status), "code", codeData{PageData: h.PageFor(c, i18n.T(webkit.Lang(c), "code.title")), Code: typed, Error: msg})
}

type surveyData struct {
	webkit.PageData
	Ticket    *survey.Ticket
	Survey    *survey.Definition
	Questions []survey.Question // the first screen's
	Office    string
	FieldName string
	Completed string
	Values    map[string]any
	Errors    survey.FieldErrors
	ErrorByQ  map[string]*survey.FieldError
}

// SurveyPage handles GET /s/:token: the survey, or the page saying why it cannot be answered.
func (h *Handler) SurveyPage(c *fiber.Ctx) error {
	t, def, err := h.Tickets.Open(c, c.Params("token"))
	if err != nil {
		return h.ticketProblem(c, err)
	}
	answered, err := h.Responses.Answered(c.UserContext(), t.Token)
	if err != nil {
		return err
	}
	if answered {
		return h.answeredPage(c)
	}
	return h.renderSurvey(c, t, def, nil, nil)
}

// SurveySubmit handles POST /s/:token, the plain form post.
func (h *Handler) SurveySubmit(c *fiber.Ctx) error {
	t, def, err := h.Tickets.Open(c, c.Params("token"))
	if err != nil {
		return h.ticketProblem(c, err)
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	answers, errs := def.ParseForm(form)
	if len(errs) > 0 {
		return h.renderSurvey(c.Status(fiber.StatusUnprocessableEntity), t, def, formAnswers(form), errs)
	}
	r := survey.NewResponse(t, def, answers, survey.ChannelFor(t, false), webkit.Lang(c), h.Now())
	r.SameClient = webkit.FromIssuingBrowser(h.Clients, c, t)
	err = h.Responses.SubmitResponse(c.UserContext(), r)
	if errors.Is(err, survey.ErrAlreadyRated) {
		return h.ticketProblem(c, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?thanks=1&lang="+webkit.Lang(c), fiber.StatusSeeOther)
}

// followUpOpen returns the definition of r when its step 2 can still be answered, nil otherwise.
func (h *Handler) followUpOpen(r *survey.Response) *survey.Definition {
	def, err := h.stepTwo(r)
	if err != nil {
		return nil
	}
	return def
}

// stepTwo returns the definition of r when its step 2 can still be added, or why not: no
// response, step 2 already added (or its questions answered with step 1 through the JSON API),
// or past survey.FollowUpWindow.
func (h *Handler) stepTwo(r *survey.Response) (*survey.Definition, error) {
	switch {
	case r == nil:
		return nil, survey.ErrNotRated
	case r.FollowUpNonce != "":
		return nil, survey.ErrFollowUpDone
	case !r.FollowUpOpen(h.Now()):
		return nil, survey.ErrFollowUpClosed
	}
	def, err := h.Tickets.Definition(r.SurveyID)
	if err != nil {
		return nil, err
	}
	if def.FollowUpAnswered(r) {
		return nil, survey.ErrFollowUpDone
	}
	return def, nil
}

// FollowUpSubmit handles POST /s/:token/more, the optional step 2: its answers are added to the
// response once; a second post (a double tap, Back and submit again) just thanks again.
func (h *Handler) FollowUpSubmit(c *fiber.Ctx) error {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return h.ticketProblem(c, survey.ErrTicketNotFound)
	}
	r, err := h.Responses.Response(c.UserContext(), token)
	if err != nil {
		return err
	}
	if r == nil {
		return h.ticketProblem(c, survey.ErrTicketNotFound)
	}
	l := webkit.Lang(c)
	def := h.followUpOpen(r)
	if def == nil {
		if r.FollowUpNonce != "" {
			return c.Redirect("/s/"+token+"?thanks=2&lang="+l, fiber.StatusSeeOther)
		}
		return h.RenderMessage(c.Status(fiber.StatusGone), "expired", i18n.T(l, "followup.closed_title"), i18n.T(l, "followup.closed_body"))
	}
	form, err := webkit.FormValues(c)
	if err != nil {
		return err
	}
	answers, errs := def.ParseFollowUpForm(form)
	if len(errs) > 0 {
		a := answeredData{Thanks: true, StepErrors: true, Token: token, FollowUp: def.FollowUpQuestions(), Values: formAnswers(form)}
		return h.renderAnswered(c.Status(fiber.StatusUnprocessableEntity), a, cases.ContactForm{}, errs)
	}
	err = h.Responses.AddFollowUp(c.UserContext(), token, survey.NewFollowUp(def, answers, h.Now()))
	if errors.Is(err, survey.ErrFollowUpClosed) {
		return h.RenderMessage(c.Status(fiber.StatusGone), "expired", i18n.T(l, "followup.closed_title"), i18n.T(l, "followup.closed_body"))
	}
	if err != nil && !errors.Is(err, survey.ErrFollowUpDone) {
		return err
	}
	return c.Redirect("/s/"+token+"?thanks=2&lang="+l, fiber.StatusSeeOther)
}

// answeredPage thanks the citizen right after rating, and tells a later visitor the dossier is
// rated. Within survey.FollowUpWindow it offers the optional step 2; when the rating calls for a
// case, it also shows its reference, its status link and the offer to be contacted.
func (h *Handler) answeredPage(c *fiber.Ctx) error {
	thanks := c.Query("thanks")
	token := c.Params("token")
	a := answeredData{Thanks: thanks == "1" || thanks == "2", FollowUpDone: thanks == "2", Token: token}
	r, err := h.Responses.Response(c.UserContext(), token)
	if err != nil {
		return err
	}
	if def := h.followUpOpen(r); def != nil && !a.FollowUpDone {
		a.FollowUp = def.FollowUpQuestions()
	}
	if len(a.FollowUp) > 0 {
		a.Thanks = true // the page seen right after rating, so Back never lands on an error
	}
	return h.renderAnswered(c, a, cases.ContactForm{}, nil)
}

// ticketProblem shows why a ticket cannot be answered, with the matching status.
func (h *Handler) ticketProblem(c *fiber.Ctx, err error) error {
	l := webkit.Lang(c)
	switch {
	case errors.Is(err, survey.ErrTicketNotFound):
		return h.RenderMessage(c.Status(fiber.StatusNotFound), "notfound", i18n.T(l, "notfound.title"), i18n.T(l, "notfound.body"))
	case errors.Is(err, survey.ErrTicketExpired):
		return h.RenderMessage(c.Status(fiber.StatusGone), "expired", i18n.T(l, "expired.title"), i18n.T(l, "expired.body"))
	case errors.Is(err, survey.ErrAlreadyRated):
		return h.answeredPage(c)
	}
	return err
}

func (h *Handler) renderSurvey(c *fiber.Ctx, t *survey.Ticket, def *survey.Definition, values map[string]any, errs survey.FieldErrors) error {
	l := webkit.Lang(c)
	d := surveyData{
		PageData: h.PageFor(c, def.Title.In(l)), Ticket: t, Survey: def, Values: values,
		Questions: def.FirstQuestions(), Office: h.office(t),
		Completed: stats.FormatDate(stats.DateOf(t.CompletedAt)), Errors: errs,
		ErrorByQ: map[string]*survey.FieldError{}, FieldName: t.Field,
	}
	if f, ok := h.Fields.Get(c.UserContext(), t.Field); ok {
		d.FieldName = f.Name.In(l)
	}
	for i := range errs {
		d.ErrorByQ[errs[i].Question] = &errs[i]
	}
	return h.Render(c, "survey", d)
}

// office names the unit that served the dossier; empty when the ticket names none.
func (h *Handler) office(t *survey.Ticket) string {
	if u, ok := h.Units.Unit(t.Agency); ok && u.Name != "" {
		return u.Name
	}
	return ""
}

// formAnswers keeps what the citizen chose so a page with errors shows it again.
func formAnswers(form url.Values) map[string]any {
	out := make(map[string]any, len(form))
	for k, vs := range form {
		if len(vs) == 1 {
			out[k] = vs[0]
		} else {
			out[k] = vs
		}
	}
	return out
}

// responseRequest is the body of POST /api/v1/responses.
type responseRequest struct {
	Token   any            `json:"token"`
	Answers map[string]any `json:"answers"`
	Comment any            `json:"comment"`
	Lang    string         `json:"lang"`
}

// SubmitResponse handles POST /api/v1/responses: 201 stored, 409 already rated, 410 expired,
// 404 unknown token, 400/422 invalid.
func (h *Handler) SubmitResponse(c *fiber.Ctx) error {
	var req responseRequest
	if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	token, ok := req.Token.(string)
	if !ok {
		return webkit.ErrBadToken
	}
	t, def, err := h.Tickets.Open(c, token)
	if err != nil {
		return err
	}
	answers, errs := def.ParseJSON(req.Answers, req.Comment)
	if len(errs) > 0 {
		return errs
	}
	r := survey.NewResponse(t, def, answers, survey.ChannelFor(t, false), webkit.Lang(c), h.Now())
	r.SameClient = webkit.FromIssuingBrowser(h.Clients, c, t)
	if err := h.Responses.SubmitResponse(c.UserContext(), r); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"status":       "stored",
		"survey_id":    r.SurveyID,
		"version":      r.SurveyVersion,
		"submitted_at": r.SubmittedAt.Format(time.RFC3339),
	})
}

// stepTwoRequest is the body of POST /api/v1/responses/:token/step2.
type stepTwoRequest struct {
	Answers map[string]any `json:"answers"`
}

// AddStepTwo handles POST /api/v1/responses/:token/step2, the JSON twin of the survey page's
// step 2: its answers are added to the response once, within survey.FollowUpWindow. 201 added,
// 404 no response, 409 step 2 already added, 410 too late, 400/422 invalid.
func (h *Handler) AddStepTwo(c *fiber.Ctx) error {
	var req stepTwoRequest
	if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return survey.ErrNotRated
	}
	r, err := h.Responses.Response(c.UserContext(), token)
	if err != nil {
		return err
	}
	def, err := h.stepTwo(r)
	if err != nil {
		return err
	}
	answers, errs := def.ParseFollowUpJSON(req.Answers)
	if len(errs) > 0 {
		return errs
	}
	f := survey.NewFollowUp(def, answers, h.Now())
	if f.Empty() {
		return survey.ErrFollowUpEmpty
	}
	if err := h.Responses.AddFollowUp(c.UserContext(), token, f); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "added", "added_at": f.At.Format(time.RFC3339)})
}

// TicketSurvey handles GET /api/v1/tickets/:token/survey: the survey definition as JSON.
func (h *Handler) TicketSurvey(c *fiber.Ctx) error {
	t, err := h.Tickets.ByToken(c)
	if err != nil {
		return err
	}
	def, err := h.Tickets.Definition(t.SurveyID)
	if err != nil {
		return err
	}
	return c.JSON(def)
}

// QRPNG handles GET /api/v1/tickets/:token/qr.png?size=N (128..1024 pixels).
func (h *Handler) QRPNG(c *fiber.Ctx) error {
	t, err := h.Tickets.ByToken(c)
	if err != nil {
		return err
	}
	size := qr.DefaultSize
	if v := c.Query("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < qr.MinSize || size > qr.MaxSize {
			return survey.Errorf(survey.CodeInvalid, "error.qr_size")
		}
	}
	png, err := h.QR.PNG(h.URLs.Survey(t), size)
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// QRSVG handles GET /api/v1/tickets/:token/qr.svg.
func (h *Handler) QRSVG(c *fiber.Ctx) error {
	t, err := h.Tickets.ByToken(c)
	if err != nil {
		return err
	}
	svg, err := h.QR.SVG(h.URLs.Survey(t))
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(svg)
}
