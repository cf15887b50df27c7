package web

import (
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

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
func (s *Server) surveyPage(c *fiber.Ctx) error {
	t, def, err := s.openTicket(c, c.Params("token"))
	if err != nil {
		return s.ticketProblem(c, err)
	}
	answered, err := s.Responses.Answered(c.UserContext(), t.Token)
	if err != nil {
		return err
	}
	if answered {
		return s.answeredPage(c)
	}
	return s.renderSurvey(c, t, def, nil, nil)
}

// surveySubmit handles POST /s/:token, the plain form post.
func (s *Server) surveySubmit(c *fiber.Ctx) error {
	t, def, err := s.openTicket(c, c.Params("token"))
	if err != nil {
		return s.ticketProblem(c, err)
	}
	form, err := formValues(c)
	if err != nil {
		return err
	}
	answers, errs := def.ParseForm(form)
	if len(errs) > 0 {
		return s.renderSurvey(c.Status(fiber.StatusUnprocessableEntity), t, def, formAnswers(form), errs)
	}
	r := survey.NewResponse(t, def, answers, survey.SourceFor(t, false), lang(c), s.Now())
	err = s.Responses.SubmitResponse(c.UserContext(), r)
	if errors.Is(err, survey.ErrAlreadyRated) {
		return s.ticketProblem(c, err)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/s/"+t.Token+"?thanks=1&lang="+lang(c), fiber.StatusSeeOther)
}

// answeredPage thanks the citizen right after rating, and tells a later visitor the dossier is rated.
func (s *Server) answeredPage(c *fiber.Ctx) error {
	l := lang(c)
	if c.Query("thanks") == "1" {
		return s.renderMessage(c, "thanks", s.pages.t(l, "thanks.title"), s.pages.t(l, "thanks.body"))
	}
	return s.renderMessage(c.Status(fiber.StatusConflict), "rated", s.pages.t(l, "rated.title"), s.pages.t(l, "rated.body"))
}

// ticketProblem shows why a ticket cannot be answered, with the matching status.
func (s *Server) ticketProblem(c *fiber.Ctx, err error) error {
	l := lang(c)
	switch {
	case errors.Is(err, survey.ErrTicketNotFound):
		return s.renderMessage(c.Status(fiber.StatusNotFound), "notfound", s.pages.t(l, "notfound.title"), s.pages.t(l, "notfound.body"))
	case errors.Is(err, survey.ErrTicketExpired):
		return s.renderMessage(c.Status(fiber.StatusGone), "expired", s.pages.t(l, "expired.title"), s.pages.t(l, "expired.body"))
	case errors.Is(err, survey.ErrAlreadyRated):
		return s.answeredPage(c)
	}
	return err
}

func (s *Server) renderSurvey(c *fiber.Ctx, t *survey.Ticket, def *survey.Definition, values map[string]any, errs survey.FieldErrors) error {
	l := lang(c)
	d := surveyData{
		pageData: s.page(c, def.Title.In(l)), Ticket: t, Survey: def, Values: values,
		Completed: stats.FormatDate(stats.DateOf(t.CompletedAt)), Errors: errs,
		ErrorByQ: map[string]*survey.FieldError{}, FieldName: t.Field,
	}
	if f, ok := s.Fields.Get(c.UserContext(), t.Field); ok {
		d.FieldName = f.Name.In(l)
	}
	for i := range errs {
		d.ErrorByQ[errs[i].Question] = &errs[i]
	}
	return s.render(c, "survey", d)
}

// formValues parses an urlencoded form body; anything else is refused.
func formValues(c *fiber.Ctx) (url.Values, error) {
	body := c.Body()
	if !validUTF8Form(body) {
		return nil, badUTF8
	}
	v, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, survey.Errorf(survey.CodeInvalid, "Dữ liệu biểu mẫu không hợp lệ.", "The form data is malformed.")
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
