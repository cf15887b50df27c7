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
	Responses survey.ResponseStore
	Fields    *org.FieldCatalog // names the dossier's field on the survey page
	QR        *qr.Generator
	URLs      webkit.TicketURLs
	Cases     CaseDesk // the case a rating opens: its status page and the offer to be contacted
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
	err = h.Responses.SubmitResponse(c.UserContext(), r)
	if errors.Is(err, survey.ErrAlreadyRated) {
		return h.ticketProblem(c, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?thanks=1&lang="+webkit.Lang(c), fiber.StatusSeeOther)
}

// answeredPage thanks the citizen right after rating, and tells a later visitor the dossier is
// rated; when the rating calls for a case, both also show its reference, its status link and
// the offer to be contacted.
func (h *Handler) answeredPage(c *fiber.Ctx) error {
	l := webkit.Lang(c)
	thanks := c.Query("thanks") == "1"
	if shown, err := h.caseThanks(c, thanks); shown || err != nil {
		return err
	}
	if thanks {
		return h.RenderMessage(c, "thanks", i18n.T(l, "thanks.title"), i18n.T(l, "thanks.body"))
	}
	return h.RenderMessage(c.Status(fiber.StatusConflict), "rated", i18n.T(l, "rated.title"), i18n.T(l, "rated.body"))
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
