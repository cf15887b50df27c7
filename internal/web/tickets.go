package web

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

// ticketReader looks up the ticket a citizen or a kiosk answers, with its survey.
type ticketReader struct {
	store   TicketStore
	surveys *survey.Catalog
	now     func() time.Time
}

// ticketURLs builds the addresses of a ticket's survey and QR images.
type ticketURLs string

func (base ticketURLs) survey(t *survey.Ticket) string { return string(base) + "/s/" + t.Token }

func (base ticketURLs) qr(t *survey.Ticket, ext string) string {
	return string(base) + "/api/v1/tickets/" + t.Token + "/qr." + ext
}

// open loads a ticket that can still be answered, with its survey.
func (r ticketReader) open(c *fiber.Ctx, token string) (*survey.Ticket, *survey.Definition, error) {
	if !survey.ValidToken(token) {
		return nil, nil, survey.ErrTicketNotFound
	}
	t, err := r.store.TicketByToken(c.UserContext(), token)
	if err != nil {
		return nil, nil, err
	}
	if t.Expired(r.now()) {
		return nil, nil, survey.ErrTicketExpired
	}
	def, err := r.definition(t.SurveyID)
	return t, def, err
}

// byToken loads the ticket named by the :token route parameter; forged or truncated tokens are
// refused before any store look-up.
func (r ticketReader) byToken(c *fiber.Ctx) (*survey.Ticket, error) {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return nil, survey.ErrTicketNotFound
	}
	return r.store.TicketByToken(c.UserContext(), token)
}

func (r ticketReader) definition(id string) (*survey.Definition, error) {
	def, ok := r.surveys.Get(id)
	if !ok {
		return nil, survey.Wrap(errors.New("web: survey " + id + " is not loaded"))
	}
	return def, nil
}
