package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/public"
)

// routes lists every route of the service.
func (s *Server) routes(app *fiber.App) {
	app.Use(recover.New(), requestid.New(), s.accessLog, securityHeaders(s.Config.BaseURL), compress.New())

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	s.authRoutes(app)
	if s.Metrics != nil {
		app.Get("/metrics", s.Metrics.handler())
	}
	app.Use("/static", filesystem.New(filesystem.Config{Root: staticFS(), MaxAge: int((24 * time.Hour).Seconds())}))

	// Citizens: survey pages, plain HTML forms that work without JavaScript.
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/s", fiber.StatusSeeOther) })
	app.Get("/s", s.limit(limitLookup), s.codePage)
	app.Post("/s", s.limit(limitShortCode), s.codeSubmit)
	app.Get("/s/:token", s.limit(limitLookup), s.surveyPage)
	app.Post("/s/:token", s.limit(limitSubmit), s.surveySubmit)

	// The one-stop e-system and scripts.
	api := app.Group("/api/v1")
	api.Post("/tickets", s.requireKey(survey.ScopeTicketsWrite), s.issueTicket)
	api.Get("/tickets/:token/survey", s.limit(limitLookup), s.ticketSurvey)
	api.Get("/tickets/:token/qr.png", s.limit(limitLookup), s.ticketQRPNG)
	api.Get("/tickets/:token/qr.svg", s.limit(limitLookup), s.ticketQRSVG)
	api.Post("/responses", s.limit(limitSubmit), s.submitResponse)
	api.Get("/stats", s.statsAPI)

	// Managers: dashboard, exports and periodic reports.
	dash := app.Group("/dashboard", s.requireSession(), s.csrf)
	dash.Get("/", s.dashboard)
	dash.Get("/export.csv", s.exportCSV)
	dash.Get("/export.xlsx", s.exportXLSX)
	dash.Get("/report", s.reportPage)
	dash.Get("/report.xlsx", s.reportXLSX)
	s.counterRoutes(app)
	s.adminRoutes(app)
	s.kioskRoutes(app)
	api.Use(func(c *fiber.Ctx) error { return notFound })

	app.Use(func(c *fiber.Ctx) error { return notFound })
	_ = public.FS
}
