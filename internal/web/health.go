package web

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
)

// health answers the load balancer and the container runtime.
type health struct {
	ready func(ctx context.Context) error
	log   *slog.Logger
}

// healthz answers as long as the process serves HTTP.
func (h *health) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz answers 200 only when the store and Redis answer, so a load balancer stops sending
// traffic to an instance that cannot store responses.
func (h *health) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if err := h.ready(ctx); err != nil {
		h.log.Warn("not ready", "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": err.Error()})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
