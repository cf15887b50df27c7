package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/survey"
)

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

// defaultSurvey is the survey a ticket's QR leads to.
const defaultSurvey = "sipas-full"

// issueTicket handles POST /api/v1/tickets: 201 with a new ticket, 200 with the ticket the
// dossier already has.
func (s *Server) issueTicket(c *fiber.Ctx) error {
	var req survey.TicketRequest
	if err := decodeJSON(c.Body(), &req); err != nil {
		return err
	}
	if errs := req.Validate(func(code string) bool { return s.Fields.Known(c.UserContext(), code) }); len(errs) > 0 {
		return errs
	}
	t := s.newTicket(&req)
	got, created, err := s.Tickets.IssueTicket(c.UserContext(), t)
	if err != nil {
		return err
	}
	status := fiber.StatusOK
	if created {
		status = fiber.StatusCreated
		s.announce(c.UserContext(), got)
		s.recordAtCounter(c.UserContext(), got)
	}
	return c.Status(status).JSON(s.ticketAnswer(got))
}

func (s *Server) newTicket(req *survey.TicketRequest) *survey.Ticket {
	now := s.Now().UTC()
	completed := now
	if req.CompletedAt != nil {
		completed = req.CompletedAt.UTC()
	}
	return &survey.Ticket{
		Token: survey.NewToken(), ShortCode: survey.NewShortCode(), Nonce: survey.NewToken(),
		DossierCode: req.DossierCode, ProcedureCode: req.ProcedureCode, ProcedureName: req.ProcedureName,
		Field: req.Field, Agency: req.Agency, Counter: req.Counter, Officer: req.Officer,
		Channel: req.Channel, CompletedAt: completed, OnTime: req.OnTime, SurveyID: defaultSurvey,
		IssuedAt: now, ExpiresAt: now.Add(s.Config.TicketTTL),
	}
}

func (s *Server) ticketAnswer(t *survey.Ticket) ticketAnswer {
	base := s.Config.BaseURL
	return ticketAnswer{
		Token: t.Token, ShortCode: t.ShortCode, DossierCode: t.DossierCode,
		SurveyURL: s.surveyURL(t),
		QRPNGURL:  base + "/api/v1/tickets/" + t.Token + "/qr.png",
		QRSVGURL:  base + "/api/v1/tickets/" + t.Token + "/qr.svg",
		ExpiresAt: t.ExpiresAt.UTC().Format("2006-01-02T15:04:05Z07:00"),
	}
}

func (s *Server) surveyURL(t *survey.Ticket) string { return s.Config.BaseURL + "/s/" + t.Token }

// ticket loads the ticket named by the :token route parameter; forged or truncated tokens are
// refused before any store look-up.
func (s *Server) ticket(c *fiber.Ctx) (*survey.Ticket, error) {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return nil, survey.ErrTicketNotFound
	}
	return s.Tickets.TicketByToken(c.UserContext(), token)
}

// ticketSurvey handles GET /api/v1/tickets/:token/survey: the survey definition as JSON.
func (s *Server) ticketSurvey(c *fiber.Ctx) error {
	t, err := s.ticket(c)
	if err != nil {
		return err
	}
	def, err := s.definition(t.SurveyID)
	if err != nil {
		return err
	}
	return c.JSON(def)
}

func (s *Server) definition(id string) (*survey.Definition, error) {
	def, ok := s.Surveys.Get(id)
	if !ok {
		return nil, survey.Wrap(errors.New("web: survey " + id + " is not loaded"))
	}
	return def, nil
}

// ticketQRPNG handles GET /api/v1/tickets/:token/qr.png?size=N (128..1024 pixels).
func (s *Server) ticketQRPNG(c *fiber.Ctx) error {
	t, err := s.ticket(c)
	if err != nil {
		return err
	}
	size := qr.DefaultSize
	if v := c.Query("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < qr.MinSize || size > qr.MaxSize {
			return survey.Errorf(survey.CodeInvalid, "Kích thước ảnh QR phải từ 128 đến 1024 điểm ảnh.", "size must be a whole number of pixels from 128 to 1024.")
		}
	}
	png, err := s.QR.PNG(s.surveyURL(t), size)
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/png")
	return c.Send(png)
}

// ticketQRSVG handles GET /api/v1/tickets/:token/qr.svg.
func (s *Server) ticketQRSVG(c *fiber.Ctx) error {
	t, err := s.ticket(c)
	if err != nil {
		return err
	}
	svg, err := s.QR.SVG(s.surveyURL(t))
	if err != nil {
		return survey.Wrap(err)
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=86400")
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	return c.Send(svg)
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
		return survey.FieldErrors{{Question: te.Field, Reason: "type", Message: survey.Text{
			VI: "Trường " + te.Field + " có kiểu dữ liệu không đúng.",
			EN: te.Field + " has the wrong type (expected " + te.Type.String() + ").",
		}}}
	}
	var pe *time.ParseError
	if errors.As(err, &pe) || strings.Contains(err.Error(), "Time.UnmarshalJSON") {
		return survey.FieldErrors{{Question: "completed_at", Reason: "type", Message: survey.Text{
			VI: "completed_at phải theo định dạng RFC 3339, ví dụ 2026-03-31T09:30:00+07:00.",
			EN: "completed_at must be an RFC 3339 time such as 2026-03-31T09:30:00+07:00.",
		}}}
	}
	return badJSON
}
