// Package esystem serves the one-stop e-system: called with an API key, it issues the survey
// ticket of each completed dossier.
package esystem

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
	"github.com/hailong/hailong/internal/web/webkit"
)

// TicketAPI issues tickets for the e-system.
type TicketAPI struct {
	Issuer *ticket.Issuer
	URLs   webkit.TicketURLs
}

// Issue handles POST /api/v1/tickets: 201 with a new ticket, 200 with the ticket the dossier
// already has.
func (h *TicketAPI) Issue(c *fiber.Ctx) error {
	var req survey.TicketRequest
	if err := webkit.DecodeJSON(c.Body(), &req); err != nil {
		return err
	}
	t, created, err := h.Issuer.Issue(c.UserContext(), &req)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(answer(h.URLs, t))
}

// ticketAnswer is the JSON the e-system gets for an issued ticket.
type ticketAnswer struct {
	Token       string `json:"token"`
	ShortCode   string `json:"short_code"`
	DossierCode string `json:"dossier_code"`
	SurveyURL   string `json:"survey_url"`
	QRPNGURL    string `json:"qr_png_url"`
	QRSVGURL    string `json:"qr_svg_url"`
	ExpiresAt   string `json:"expires_at"`
}

// answer is what the e-system gets for t.
func answer(urls webkit.TicketURLs, t *survey.Ticket) ticketAnswer {
	return ticketAnswer{
		Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		SurveyURL: urls.Survey(t), QRPNGURL: urls.QR(t, "png"), QRSVGURL: urls.QR(t, "svg"),
		ExpiresAt: t.ExpiresAt.UTC().Format(time.RFC3339),
	}
}
