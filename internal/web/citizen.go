package web

import (
	"errors"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// citizen serves citizens: the short-code form, the survey page and its JSON twin, the ticket's
// survey definition and its QR images.
type citizen struct {
	base
	tickets   ticketReader
	responses survey.ResponseStore
	fields    *org.FieldCatalog
	qr        *qr.Generator
	urls      ticketURLs
}

type codeData struct {
	pageData
	Code, Error string
}

// codePage handles GET /s: the form for typing a short code.
func (h *citizen) codePage(c *fiber.Ctx) error {
	return h.render(c, "code", codeData{pageData: h.pageFor(c, h.pages.t(lang(c), "code.title"))})
}

// codeSubmit handles POST /s: a valid short code leads to its survey. Attempts are rate limited
// per client so codes cannot be enumerated.
func (h *citizen) codeSubmit(c *fiber.Ctx) error {
	form, err := formValues(c)
	if err != nil {
		return err
	}
	typed := form.Get("code")
	code := survey.NormalizeShortCode(typed)
	l := lang(c)
	if code == "" {
		return h.codeError(c, typed, h.pages.t(l, "code.invalid"), fiber.StatusUnprocessableEntity)
	}
	t, err := h.tickets.store.TicketByShortCode(c.UserContext(), code)
	if errors.Is(err, survey.ErrTicketNotFound) {
		return h.codeError(c, typed, h.pages.t(l, "notfound.body"), fiber.StatusNotFound)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?lang="+l, fiber.StatusSeeOther)
}

func (h *citizen) codeError(c *fiber.Ctx, typed, msg string, status int) error {
	if len(typed) > 20 || !utf8.ValidString(typed) {
		typed = ""
	}
	return h.render(c.Status(status), "code", codeData{pageData: h.pageFor(c, h.pages.t(lang(c), "code.title")), Code: typed, Error: msg})
}

func utf8ValidString(s string) bool { return utf8.ValidString(s) }

type surveyData struct {
	pageData
	Ticket    *survey.Ticket
	Survey    *survey.Definition
	FieldName string
	Completed string
	Values    map[string]any
	Errors    survey.FieldErrors
	ErrorByQ  map[string]*survey.FieldError
}

// surveyPage handles GET /s/:token: the survey, or the page saying why it cannot be answered.
func (h *citizen) surveyPage(c *fiber.Ctx) error {
	t, def, err := h.tickets.open(c, c.Params("token"))
	if err != nil {
		return h.ticketProblem(c, err)
	}
	answered, err := h.responses.Answered(c.UserContext(), t.Token)
	if err != nil {
		return err
	}
	if answered {
		return h.answeredPage(c)
	}
	return h.renderSurvey(c, t, def, nil, nil)
}

// surveySubmit handles POST /s/:token, the plain form post.
func (h *citizen) surveySubmit(c *fiber.Ctx) error {
	t, def, err := h.tickets.open(c, c.Params("token"))
	if err != nil {
		return h.ticketProblem(c, err)
	}
	form, err := formValues(c)
	if err != nil {
		return err
	}
	answers, errs := def.ParseForm(form)
	if len(errs) > 0 {
		return h.renderSurvey(c.Status(fiber.StatusUnprocessableEntity), t, def, formAnswers(form), errs)
	}
	r := survey.NewResponse(t, def, answers, survey.ChannelFor(t, false), lang(c), h.now())
	err = h.responses.SubmitResponse(c.UserContext(), r)
	if errors.Is(err, survey.ErrAlreadyRated) {
		return h.ticketProblem(c, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?thanks=1&lang="+lang(c), fiber.StatusSeeOther)
}

// answeredPage thanks the citizen right after rating, and tells a later visitor the dossier is rated.
func (h *citizen) answeredPage(c *fiber.Ctx) error {
	l := lang(c)
	if c.Query("thanks") == "1" {
		return h.renderMessage(c, "thanks", h.pages.t(l, "thanks.title"), h.pages.t(l, "thanks.body"))
	}
	return h.renderMessage(c.Status(fiber.StatusConflict), "rated", h.pages.t(l, "rated.title"), h.pages.t(l, "rated.body"))
}

// ticketProblem shows why a ticket cannot be answered, with the matching status.
func (h *citizen) ticketProblem(c *fiber.Ctx, err error) error {
	l := lang(c)
	switch {
	case errors.Is(err, survey.ErrTicketNotFound):
		return h.renderMessage(c.Status(fiber.StatusNotFound), "notfound", h.pages.t(l, "notfound.title"), h.pages.t(l, "notfound.body"))
	case errors.Is(err, survey.ErrTicketExpired):
		return h.renderMessage(c.Status(fiber.StatusGone), "expired", h.pages.t(l, "expired.title"), h.pages.t(l, "expired.body"))
	case errors.Is(err, survey.ErrAlreadyRated):
		return h.answeredPage(c)
	}
	return err
}

func (h *citizen) renderSurvey(c *fiber.Ctx, t *survey.Ticket, def *survey.Definition, values map[string]any, errs survey.FieldErrors) error {
	l := lang(c)
	d := surveyData{
		pageData: h.pageFor(c, def.Title.In(l)), Ticket: t, Survey: def, Values: values,
		Completed: stats.FormatDate(stats.DateOf(t.CompletedAt)), Errors: errs,
		ErrorByQ: map[string]*survey.FieldError{}, FieldName: t.Field,
	}
	if f, ok := h.fields.Get(c.UserContext(), t.Field); ok {
		d.FieldName = f.Name.In(l)
	}
	for i := range errs {
		d.ErrorByQ[errs[i].Question] = &errs[i]
	}
	return h.render(c, "survey", d)
}

// formValues parses an urlencoded form body; anything else is refused.
func formValues(c *fiber.Ctx) (url.Values, error) {
	body := c.Body()
	if !validUTF8Form(body) {
		return nil, badUTF8
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, survey.Errorf(survey.CodeInvalid, "error.form_malformed")
	}
	return v, nil
}

func validUTF8Form(body []byte) bool {
	v, err := url.QueryUnescape(string(body))
	if err != nil {
		return true // malformed escapes are reported by ParseQuery
	}
	return utf8ValidString(v)
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

// submitResponse handles POST /api/v1/responses: 201 stored, 409 already rated, 410 expired,
// 404 unknown token, 400/422 invalid.
func (h *citizen) submitResponse(c *fiber.Ctx) error {
	var req responseRequest
	if err := decodeJSON(c.Body(), &req); err != nil {
		return err
	}
	token, ok := req.Token.(string)
	if !ok {
		return badTicket
	}
	t, def, err := h.tickets.open(c, token)
	if err != nil {
		return err
	}
	answers, errs := def.ParseJSON(req.Answers, req.Comment)
	if len(errs) > 0 {
		return errs
	}
	r := survey.NewResponse(t, def, answers, survey.ChannelFor(t, false), lang(c), h.now())
	if err := h.responses.SubmitResponse(c.UserContext(), r); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"status":       "stored",
		"survey_id":    r.SurveyID,
		"version":      r.SurveyVersion,
		"submitted_at": r.SubmittedAt.Format(time.RFC3339),
	})
}

// ticketSurvey handles GET /api/v1/tickets/:token/survey: the survey definition as JSON.
func (h *citizen) ticketSurvey(c *fiber.Ctx) error {
	t, err := h.tickets.byToken(c)
	if err != nil {
		return err
	}
	def, err := h.tickets.definition(t.SurveyID)
	if err != nil {
		return err
	}
	return c.JSON(def)
}

// qrPNG handles GET /api/v1/tickets/:token/qr.png?size=N (128..1024 pixels).
func (h *citizen) qrPNG(c *fiber.Ctx) error {
	t, err := h.tickets.byToken(c)
	if err != nil {
		return err
	}
	size := qr.DefaultSize
	if v := c.Query("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < qr.MinSize || size > qr.MaxSize {
			return survey.Errorf(survey.CodeInvalid, "error.qr_size")
		}
	}
	png, err := h.qr.PNG(h.urls.survey(t), size)
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// qrSVG handles GET /api/v1/tickets/:token/qr.svg.
func (h *citizen) qrSVG(c *fiber.Ctx) error {
	t, err := h.tickets.byToken(c)
	if err != nil {
		return err
	}
	svg, err := h.qr.SVG(h.urls.survey(t))
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(svg)
}
