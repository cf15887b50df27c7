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

// Record stores that the signed-in user did action to target.
func (a Auditor) Record(c *fiber.Ctx, action, target string) error {
	e := account.AuditEntry{At: a.Now().UTC(), User: CurrentUser(c).Name, Action: action, Target: target}
	return a.Store.Record(c.UserContext(), e)
}
