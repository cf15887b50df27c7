package webkit

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/gofiber/fiber/v2"
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
