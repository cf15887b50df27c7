package webkit

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/account"
)

// Auditor records staff actions in the audit trail.
type Auditor struct {
	Store account.AuditStore
	Now   func() time.Time
}

// Record stores that the request's actor (Actor) did action to target.
func (a Auditor) Record(c *fiber.Ctx, action, target string) error {
	e := account.AuditEntry{At: a.Now().UTC(), User: Actor(c), Action: action, Target: target}
	return a.Store.Record(c.UserContext(), e)
}

// APIKeyLocal is where the access guard leaves the request's API key.
const APIKeyLocal = "apikey"

// APIKey is the API key the request came with, or nil.
func APIKey(c *fiber.Ctx) *account.APIKey {
	k, _ := c.Locals(APIKeyLocal).(*account.APIKey)
	return k
}

// Actor names who made the request, for the audit trail and timelines: the signed-in user, or
// "api:" and the API key's name.
func Actor(c *fiber.Ctx) string {
	if k := APIKey(c); k != nil {
		return "api:" + k.Name
	}
	if u := CurrentUser(c); u != nil {
		return u.Name
	}
	return ""
}
