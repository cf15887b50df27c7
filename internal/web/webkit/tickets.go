package webkit

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

// TicketStore looks tickets up.
type TicketStore interface {
	// TicketByToken returns survey.ErrTicketNotFound for an unknown token.
	TicketByToken(ctx context.Context, token string) (*survey.Ticket, error)
	// TicketByShortCode returns survey.ErrTicketNotFound for an unknown code.
	TicketByShortCode(ctx context.Context, code string) (*survey.Ticket, error)
	// TicketByDossier returns survey.ErrTicketNotFound for a dossier without a ticket.
	TicketByDossier(ctx context.Context, code string) (*survey.Ticket, error)
}

// Tickets looks up the ticket a citizen, a kiosk or an officer deals with, with its survey.
type Tickets struct {
	Store   TicketStore
	Surveys *survey.Catalog
	Now     func() time.Time
}

// TicketURLs is the service's public URL, building the addresses of a ticket's survey and QR images.
type TicketURLs string

// Survey is the address of t's survey page.
func (base TicketURLs) Survey(t *survey.Ticket) string { return string(base) + "/s/" + t.Token }

// QR is the address of t's QR image in format ext (png or svg).
func (base TicketURLs) QR(t *survey.Ticket, ext string) string {
	return string(base) + "/api/v1/tickets/" + t.Token + "/qr." + ext
}

// Open loads a ticket that can still be answered, with its survey.
func (r Tickets) Open(c *fiber.Ctx, token string) (*survey.Ticket, *survey.Definition, error) {
	if !survey.ValidToken(token) {
		return nil, nil, survey.ErrTicketNotFound
	}
	t, err := r.Store.TicketByToken(c.UserContext(), token)
	if err != nil {
		return nil, nil, err
	}
	if t.Expired(r.Now()) {
		return nil, nil, survey.ErrTicketExpired
	}
	def, err := r.Definition(t.SurveyID)
	return t, def, err
}

// ByToken loads the ticket named by the :token route parameter; forged or truncated tokens are
// refused before any store look-up.
func (r Tickets) ByToken(c *fiber.Ctx) (*survey.Ticket, error) {
	token := c.Params("token")
	if !survey.ValidToken(token) {
		return nil, survey.ErrTicketNotFound
	}
	return r.Store.TicketByToken(c.UserContext(), token)
}

// ByDossier loads the ticket of the dossier named by the dossier query parameter, so pages
// staff see can address a slip without holding its token.
func (r Tickets) ByDossier(c *fiber.Ctx) (*survey.Ticket, error) {
	code := c.Query("dossier")
	if code == "" || len(code) > 100 {
		return nil, survey.ErrTicketNotFound
	}
	return r.Store.TicketByDossier(c.UserContext(), code)
}

// Definition is the loaded survey with id.
func (r Tickets) Definition(id string) (*survey.Definition, error) {
	def, ok := r.Surveys.Get(id)
	if !ok {
		return nil, survey.Wrap(errors.New("web: survey " + id + " is not loaded"))
	}
	return def, nil
}
