package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/web/tablet"
	"github.com/hailong/hailong/internal/web/webkit"
)

// routes registers every route of the service, so the whole HTTP surface reads here.
func routes(app *fiber.App, g *guard, h handlers, m *Metrics) {
	app.Use(recover.New(), checkRequestID, requestid.New(), g.accessLog, securityHeaders(g.base.BaseURL), bodyWithinLimit, compressLarge())
	staff := g.requireSession()
	admins := g.requireSession(account.RoleAdmin)

	app.Get("/healthz", h.health.healthz)
	app.Get("/readyz", h.health.readyz)
	app.Get("/metrics", g.metricsToken, m.handler())
	app.Use("/static", filesystem.New(filesystem.Config{Root: staticFS(), MaxAge: int((24 * time.Hour).Seconds())}))

	// Citizens: survey pages, plain HTML forms that work without JavaScript.
	app.Get("/", func(c *fiber.Ctx) error { return c.Redirect("/s", fiber.StatusSeeOther) })
	// Vietnamese whatever the phone's language; English only by the switch.
	vi := webkit.VietnameseFirst
	app.Get("/s", vi, g.limit(limitLookup), h.citizen.CodePage)
	app.Post("/s", vi, g.limit(limitShortCode), h.citizen.CodeSubmit)
	app.Get("/s/:token", vi, g.limit(limitLookup), h.citizen.SurveyPage)
	app.Post("/s/:token", vi, g.limit(limitSubmit), h.citizen.SurveySubmit)
	app.Post("/s/:token/more", vi, g.limit(limitSubmit), h.citizen.FollowUpSubmit)
	app.Post("/s/:token/contact", vi, g.limit(limitSubmit), h.citizen.ContactSubmit)
	app.Get("/s/:token/case", vi, g.limit(limitLookup), h.citizen.CaseStatus)

	// Anyone: the public results (embeddable by the sites listed in /admin) and the emblem.
	app.Get("/cong-khai", g.limit(limitLookup), h.results.Page)
	app.Get("/cong-khai.json", g.limit(limitLookup), h.results.JSON)
	app.Get(webkit.LogoPath, h.results.Emblem)

	// Staff sign-in.
	app.Get("/signin", h.signIn.Page)
	app.Post("/signin", h.signIn.Submit)
	app.Post("/signout", staff, g.csrf, h.signIn.SignOut)
	app.Get("/account/password", staff, g.csrf, h.signIn.PasswordPage)
	app.Post("/account/password", staff, g.csrf, h.signIn.ChangePassword)
	app.Get("/account", staff, g.csrf, h.signIn.ProfilePage)
	app.Post("/account", staff, g.csrf, h.signIn.SaveProfile)

	// The API: the one-stop e-system, scripts and the citizen's survey page.
	api := app.Group("/api/v1")
	api.Get("/openapi.json", h.openAPI) // public/openapi.yaml: keep it in step with this list
	api.Post("/tickets", g.requireKey(account.ScopeTicketsWrite), h.ticketAPI.Issue)
	api.Post("/tickets/batch", g.requireKey(account.ScopeTicketsWrite), h.ticketAPI.Batch) // body up to 1 MB: see largeBodies
	api.Get("/tickets/:token/survey", g.limit(limitLookup), h.citizen.TicketSurvey)
	api.Get("/tickets/:token/qr.png", g.limit(limitLookup), h.citizen.QRPNG)
	api.Get("/tickets/:token/qr.svg", g.limit(limitLookup), h.citizen.QRSVG)
	api.Post("/responses", g.limit(limitSubmit), h.citizen.SubmitResponse)
	api.Post("/responses/:token/step2", g.limit(limitSubmit), h.citizen.AddStepTwo)
	api.Get("/stats", h.stats.Get)
	api.Get("/reports", h.reports.Get)

	// Kiosk tablets at the counters, and the admins who pair them (JSON with X-CSRF-Token).
	app.Get("/kiosk", vi, g.limit(limitLookup), h.tablet.Page)
	api.Post("/kiosk/pair", tablet.RequireHeader, g.limit(limitPair), h.tablet.Pair)
	api.Get("/kiosk/status", h.tablet.Status)
	api.Get("/kiosk/events", h.tablet.Events)
	api.Post("/kiosk/responses", tablet.RequireHeader, h.tablet.Submit)
	api.Get("/kiosk/devices", admins, g.csrf, h.tabletAPI.Devices)
	api.Post("/kiosk/devices/pair", admins, g.csrf, h.tabletAPI.Pair)
	api.Post("/kiosk/devices/:id/revoke", admins, g.csrf, h.tabletAPI.Revoke)

	// Follow-up cases: the integrations' API (key scopes cases:read / cases:write, or a manager's
	// session with its CSRF token) and the managers' queue and case pages.
	casesRead, casesWrite := g.keyOrStaff(account.ScopeCasesRead), g.keyOrStaff(account.ScopeCasesWrite)
	api.Get("/cases", casesRead, h.casesAPI.List)
	api.Get("/cases/stats", casesRead, h.casesAPI.Stats)
	api.Get("/cases/:id", casesRead, h.casesAPI.Get)
	for path, action := range map[string]string{"notes": cases.ActNote, "assign": cases.ActAssign, "resolve": cases.ActResolve, "close": cases.ActClose, "reopen": cases.ActReopen} {
		api.Post("/cases/:id/"+path, casesWrite, g.csrfUnlessKey, h.casesAPI.Act(action))
	}
	// Integrations: webhook endpoints and the delivery log (key scope webhooks:manage, or an
	// admin's session with its CSRF token).
	hooks := g.keyOrAdmin(account.ScopeWebhooks)
	api.Get("/webhooks", hooks, h.hooks.ListWebhooks)
	api.Post("/webhooks", hooks, g.csrfUnlessKey, h.hooks.CreateWebhook)
	api.Get("/webhooks/:id", hooks, h.hooks.GetWebhook)
	api.Put("/webhooks/:id", hooks, g.csrfUnlessKey, h.hooks.UpdateWebhook)
	api.Delete("/webhooks/:id", hooks, g.csrfUnlessKey, h.hooks.DeleteWebhook)
	api.Post("/webhooks/:id/rotate", hooks, g.csrfUnlessKey, h.hooks.RotateWebhook)
	api.Get("/deliveries", hooks, h.hooks.ListDeliveries)
	api.Post("/deliveries/:id/resend", hooks, g.csrfUnlessKey, h.hooks.ResendDelivery)

	followUp := app.Group("/cases", g.requireSession(account.RoleAdmin, account.RoleManager), g.csrf)
	followUp.Get("/", h.cases.Queue)
	followUp.Get("/:id", h.cases.Case)
	followUp.Post("/:id", h.cases.Act)
	followUp.Post("/:id/contact", h.cases.Contact)

	// Counter officers: complete a dossier by hand, the day's list, printable slips.
	counter := app.Group("/counter", g.requireSession(account.RoleOfficer, account.RoleManager, account.RoleAdmin), g.csrf)
	counter.Get("/", h.counter.Page)
	counter.Post("/tickets", g.limitUser(limitHandIssue), h.counter.Issue)
	counter.Get("/slip", h.counter.Slip)

	// Managers: dashboard, exports and periodic reports.
	dash := app.Group("/dashboard", staff, g.csrf)
	dash.Get("/", h.dashboard.Page)
	dash.Get("/export.csv", h.dashboard.ExportCSV)
	dash.Get("/export.xlsx", h.dashboard.ExportXLSX)
	dash.Get("/report", h.dashboard.ReportPage)
	dash.Post("/report", h.dashboard.SaveDraft)
	dash.Get("/report.docx", h.dashboard.ReportDOCX)
	dash.Get("/report.xlsx", h.dashboard.ReportXLSX)

	// Admins: the organisation, targets, accounts, API keys and tablets.
	adm := app.Group("/admin", admins, g.csrf)
	adm.Get("/", h.admin.Page)
	adm.Post("/units", h.admin.SaveUnit)
	adm.Post("/counters", h.admin.SaveCounter)
	adm.Post("/fields", h.admin.SaveField)
	adm.Post("/targets", h.admin.SaveTarget)
	adm.Post("/cases", h.admin.SaveCaseRules)
	adm.Post("/identity", h.admin.SaveIdentity) // multipart with the emblem: body up to 300 KB, see largeBodies
	adm.Post("/users", h.admin.CreateUser)
	adm.Post("/users/toggle", h.admin.ToggleUser)
	adm.Post("/users/password", h.admin.ResetPassword)
	adm.Post("/keys", h.admin.CreateKey)
	adm.Post("/keys/revoke", h.admin.RevokeKey)
	adm.Post("/kiosks/pair", h.admin.PairKiosk)
	adm.Post("/kiosks/revoke", h.admin.RevokeKiosk)
	adm.Post("/kiosks/free", h.admin.SaveKioskFree)
	adm.Get("/integrations", h.hooks.Page)
	adm.Post("/webhooks", h.hooks.Create)
	adm.Post("/webhooks/act", h.hooks.Act)
	adm.Post("/deliveries/resend", h.hooks.Resend)

	api.Use(func(c *fiber.Ctx) error { return webkit.ErrNotFound })
	app.Use(func(c *fiber.Ctx) error { return webkit.ErrNotFound })
}
