package web

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

// responseRequest is the body of POST /api/v1/responses.
type responseRequest struct {
	Token   any            `json:"token"`
	Answers map[string]any `json:"answers"`
	Comment any            `json:"comment"`
	Lang    string         `json:"lang"`
}

// submitResponse handles POST /api/v1/responses: 201 stored, 409 already rated, 410 expired,
// 404 unknown token, 400/422 invalid.
func (s *Server) submitResponse(c *fiber.Ctx) error {
	var req responseRequest
	if err := decodeJSON(c.Body(), &req); err != nil {
		return err
	}
	token, ok := req.Token.(string)
	if !ok {
		return badTicket
	}
	t, def, err := s.openTicket(c, token)
	if err != nil {
		return err
	}
	answers, errs := def.ParseJSON(req.Answers, req.Comment)
	if len(errs) > 0 {
		return errs
	}
	r := survey.NewResponse(t, def, answers, survey.SourceFor(t, false), lang(c), s.Now())
	if err := s.Responses.SubmitResponse(c.UserContext(), r); err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"status":       "stored",
		"survey_id":    r.SurveyID,
		"version":      r.SurveyVersion,
		"submitted_at": r.SubmittedAt.Format(time.RFC3339),
	})
}

// openTicket loads a ticket that can still be answered, with its survey.
func (s *Server) openTicket(c *fiber.Ctx, token string) (*survey.Ticket, *survey.Definition, error) {
	if !survey.ValidToken(token) {
		return nil, nil, survey.ErrTicketNotFound
	}
	t, err := s.Tickets.TicketByToken(c.UserContext(), token)
	if err != nil {
		return nil, nil, err
	}
	if t.Expired(s.Now()) {
		return nil, nil, survey.ErrTicketExpired
	}
	def, err := s.definition(t.SurveyID)
	return t, def, err
}
