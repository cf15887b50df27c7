// Package web is Hài Lòng's HTTP interface: the citizen survey pages, the JSON API for the
// one-stop e-system, and health checks. routes.go lists every route.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Deps is everything the handlers need; the server owns none of it.
type Deps struct {
	Config    *config.Config
	Tickets   survey.TicketStore
	Responses survey.ResponseStore
	Fields    *FieldCatalog
	APIKeys   survey.APIKeyStore
	Surveys   *survey.Catalog
	QR        *qr.Generator
	Limiter   *redisstore.Limiter
	Users     survey.UserStore
	Sessions  survey.SessionStore
	Audit     survey.AuditStore
	Org       *Org
	Metrics   *Metrics
	Rollups   BucketSource
	Targets   stats.TargetTable
	Devices   survey.DeviceStore
	Hub       *redisstore.Hub
	// CounterDays lists each counter's dossiers of the day for the counter page.
	CounterDays survey.CounterDayStore
	// Units, FieldStore and TargetStore are what the administration pages edit.
	Units       survey.UnitStore
	FieldStore  survey.FieldStore
	TargetStore TargetStore
	// Ready reports whether the store and Redis answer.
	Ready func(ctx context.Context) error
	Log   *slog.Logger
	// IPSalt salts the hash that stands for a client IP; clear IPs are never kept.
	IPSalt string
	Now    func() time.Time
}

// Server holds the handlers' dependencies and the page renderer.
type Server struct {
	Deps
	pages *renderer
	keys  *apiKeyCache
}

// New builds the Fiber app with every route.
func New(d Deps) (*fiber.App, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	pages, err := newRenderer()
	if err != nil {
		return nil, err
	}
	s := &Server{Deps: d, pages: pages, keys: newAPIKeyCache(d.APIKeys)}
	app := fiber.New(fiber.Config{
		Immutable:             true,
		BodyLimit:             64 * 1024,
		ReadBufferSize:        16 * 1024,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          15 * time.Second,
		IdleTimeout:           60 * time.Second,
		ProxyHeader:           proxyHeader(d.Config.TrustProxy),
	})
	s.routes(app)
	return app, nil
}

func proxyHeader(trust bool) string {
	if trust {
		return fiber.HeaderXForwardedFor
	}
	return ""
}

// clientKey is the salted hash standing for the client's IP in rate limits.
func (s *Server) clientKey(c *fiber.Ctx) string {
	sum := sha256.Sum256([]byte(s.IPSalt + "|" + c.IP()))
	return hex.EncodeToString(sum[:12])
}
