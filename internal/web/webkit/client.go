package webkit

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/survey"
)

// Clients stands for a request's client address by a salted hash, never the address itself.
type Clients interface {
	ClientKey(c *fiber.Ctx) string
}

// BrowserOf is the hash standing for the browser c comes from: its client key with its user
// agent. It tells an officer's own browser answering a ticket they issued by hand.
func BrowserOf(cl Clients, c *fiber.Ctx) string {
	sum := sha256.Sum256([]byte(cl.ClientKey(c) + "|" + string(c.Request().Header.UserAgent())))
	return hex.EncodeToString(sum[:12])
}

// FromIssuingBrowser reports whether c comes from the browser an officer issued t from by
// hand; it hashes the browser only for such a ticket.
func FromIssuingBrowser(cl Clients, c *fiber.Ctx, t *survey.Ticket) bool {
	return t.IssuerClient != "" && t.SameClient(BrowserOf(cl, c))
}
