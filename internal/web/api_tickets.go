package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
)

// ticketAPI serves the one-stop e-system: it issues the survey ticket of a completed dossier.
type ticketAPI struct {
	issuer *ticket.Issuer
	urls   ticketURLs
}

// issue handles POST /api/v1/tickets: 201 with a new ticket, 200 with the ticket the dossier
// already has.
func (h *ticketAPI) issue(c *fiber.Ctx) error {
	var req survey.TicketRequest
	if err := decodeJSON(c.Body(), &req); err != nil {
		return err
	}
	t, created, err := h.issuer.Issue(c.UserContext(), &req)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
	}
	return c.Status(status).JSON(h.urls.answer(t))
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

func (base ticketURLs) answer(t *survey.Ticket) ticketAnswer {
	return ticketAnswer{
		Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		SurveyURL: base.survey(t), QRPNGURL: base.qr(t, "png"), QRSVGURL: base.qr(t, "svg"),
		ExpiresAt: t.ExpiresAt.UTC().Format(time.RFC3339),
	}
}

// decodeJSON strictly decodes one JSON object: valid UTF-8, known fields, nothing after it.
func decodeJSON(body []byte, dst any) error {
	if !utf8.Valid(body) {
		return badUTF8
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badJSON
	}
	return nil
}

// jsonError explains a decoding failure: a field of the wrong type is named.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return survey.FieldErrors{survey.NewFieldError(te.Field, "type", "field.type", "field", te.Field, "type", te.Type.String())}
	}
	var pe *time.ParseError
	if errors.As(err, &pe) || strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		return survey.FieldErrors{survey.NewFieldError("completed_at", "type", "field.completed_at.type")}
	}
	return badJSON
}
