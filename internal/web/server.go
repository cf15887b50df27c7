// Package web is Hài Lòng's HTTP layer and its composition root: New builds each audience's
// handlers (the sub-packages citizen, esystem, tablet, counter, dashboard, admin and signin) from
// Deps, and routes.go registers every route. The access guard, health checks, metrics, security
// headers and static files live here; what happens behind a route lives in the feature packages.
package web

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/ticket"
	"github.com/hailong/hailong/internal/web/admin"
	"github.com/hailong/hailong/internal/web/citizen"
	"github.com/hailong/hailong/internal/web/counter"
	"github.com/hailong/hailong/internal/web/dashboard"
	"github.com/hailong/hailong/internal/web/esystem"
	"github.com/hailong/hailong/internal/web/followup"
	"github.com/hailong/hailong/internal/web/integrations"
	"github.com/hailong/hailong/internal/web/results"
	"github.com/hailong/hailong/internal/web/signin"
	"github.com/hailong/hailong/internal/web/tablet"
	"github.com/hailong/hailong/internal/web/webkit"
	"github.com/hailong/hailong/internal/webhook"
)

// Deps is what the HTTP layer is given; New hands each handler only its part.
type Deps struct {
	Config  *config.Config
	Log     *slog.Logger
	Now     func() time.Time
	Metrics *Metrics
	// Ready reports whether the store answers.
	Ready  func(ctx context.Context) error
	Access Access

	Tickets     webkit.TicketStore
	Issuer      *ticket.Issuer
	CounterDays ticket.CounterDays
	Responses   citizen.Responses
	Surveys     *survey.Catalog
	QR          *qr.Generator
	Kiosk       *kiosk.Service

	Cases    *cases.Service
	Webhooks *webhook.Service
	Outbox   *outbox.Outbox
	// Invite mails survey invitations for the batch import; nil when e-mail is off.
	Invite   esystem.Inviter
	Org      *org.Directory
	OrgEdits OrgEdits
	Rollups  BucketSource
	// Drafts keeps the managers' text of each periodic report.
	Drafts dashboard.DraftStore
}

// Access is who may do what: staff accounts and sessions, API keys, the audit trail and the
// per-client rate limits.
type Access struct {
	Users account.UserStore
	// SignInFailures counts each account name's failed sign-ins, which slow its next ones.
	SignInFailures account.SignInFailureStore
	Sessions       account.SessionStore
	Audit          account.AuditStore
	APIKeys        account.APIKeyStore
	Limiter        *redisstore.Limiter
	// IPSalt salts the hash that stands for a client IP; clear IPs are never kept.
	IPSalt string
}

// OrgEdits are the stores the administration page edits.
type OrgEdits struct {
	Units  org.UnitStore
	Fields org.FieldStore
}

// BucketSource yields the rollup buckets of a period (an in-memory view of the rollups).
type BucketSource interface {
	Wait(ctx context.Context, ps ...stats.Period) error
	Buckets(p stats.Period, fn func(b *stats.Bucket))
	Comments(p stats.Period, keep func(*stats.Comment) bool, limit int) []stats.Comment
}

// New builds the Fiber app with every route.
func New(d Deps) (*fiber.App, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	pages, err := webkit.NewRenderer(template.FuncMap{"drill": dashboard.DrillLink, "points": dashboard.Points,
		"unitname": func(code string) string { return unitName(d.Org.Tree, code) },
		"countername": func(agency, code string) string {
			if name, ok := d.Org.Tree.CounterName(org.CounterID(agency, code)); ok {
				return name
			}
			return code
		}})
	if err != nil {
		return nil, err
	}
	b := webkit.Base{Pages: pages, Log: d.Log, Now: d.Now, BaseURL: d.Config.BaseURL, Identity: d.Org.Identity}
	g := newGuard(d, b)
	app := fiber.New(fiber.Config{
		Immutable:             true,
		BodyLimit:             defaultBodyLimit + lingerSlack, // per route: see largeBodies
		ReadBufferSize:        16 * 1024,
		ErrorHandler:          errorsWithHeaders(b.HandleError, d.Config.BaseURL),
		DisableStartupMessage: true,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          15 * time.Second,
		IdleTimeout:           60 * time.Second,
		// Fiber checks the direct peer against the trusted proxies (for c.IsProxyTrusted and
		// X-Forwarded-Proto/-Host); the client address itself is taken by clientAddrOf, since
		// Fiber's ProxyHeader would take X-Forwarded-For's left-most entry, which the client writes.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          d.Config.TrustedProxies,
	})
	app.Server().HeaderReceived = largeBodies
	h := newHandlers(d, b, g)
	if h.openAPI, err = openAPIHandler(); err != nil {
		return nil, err
	}
	routes(app, g, h, d.Metrics)
	return app, nil
}

// mailFrom is the sender of e-mail, "" when e-mail is off.
func mailFrom(cfg *config.Config) string {
	if cfg.SMTPURL == "" {
		return ""
	}
	return cfg.MailFrom
}

// Body limits. defaultBodyLimit holds for every route but two: the batch import (500 dossiers
// of up to 2 KB each) and the agency identity form (an emblem of up to 200 KB with its multipart
// framing and the other fields).
const (
	defaultBodyLimit  = 64 * 1024
	batchBodyLimit    = 1 << 20
	identityBodyLimit = 300 * 1024
)

// lingerSlack is how far past its route's limit a body is still read before the server refuses
// it. A body refused unread, from its Content-Length alone, is refused by closing the connection
// with the body in flight; the client's TCP stack then resets the connection and may drop the
// 413 with it, so an e-system's HTTP client reports "connection reset by peer" instead of the
// answer. A body read in full is refused by bodyWithinLimit on a connection that stays open.
// Only a body more than lingerSlack over its limit is still cut off unread.
const lingerSlack = 256 * 1024

// routeBodyLimit is the body limit of the route the request line names.
func routeBodyLimit(h *fasthttp.RequestHeader) int {
	if !h.IsPost() {
		return defaultBodyLimit
	}
	path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
	switch strings.ToLower(strings.TrimSuffix(string(path), "/")) {
	case "/api/v1/tickets/batch":
		return batchBodyLimit
	case "/admin/identity":
		return identityBodyLimit
	}
	return defaultBodyLimit
}

// largeBodies sets how much of a body the server reads, as soon as the request line is read:
// the route's limit and lingerSlack.
func largeBodies(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	return fasthttp.RequestConfig{MaxRequestBodySize: routeBodyLimit(h) + lingerSlack}
}

// bodyWithinLimit refuses a body over its route's limit, before any handler reads it.
func bodyWithinLimit(c *fiber.Ctx) error {
	n := c.Request().Header.ContentLength()
	if n < 0 { // chunked: the length is what was read
		n = len(c.Request().Body())
	}
	if n > defaultBodyLimit && n > routeBodyLimit(&c.Request().Header) { // no route allows less
		return fiber.ErrRequestEntityTooLarge
	}
	return c.Next()
}

// handlers are the route handlers of each audience, built from Deps with only what each uses.
type handlers struct {
	health    *health
	signIn    *signin.Handler
	citizen   *citizen.Handler
	ticketAPI *esystem.TicketAPI
	stats     *dashboard.StatsAPI
	tablet    *tablet.Handler
	counter   *counter.Handler
	dashboard *dashboard.Handler
	reports   *dashboard.ReportAPI
	results   *results.Handler
	admin     *admin.Handler
	tabletAPI *admin.TabletAPI
	casesAPI  *followup.API
	cases     *followup.Pages
	hooks     *integrations.Handler
	openAPI   fiber.Handler
}

func newHandlers(d Deps, b webkit.Base, g *guard) handlers {
	tickets := webkit.Tickets{Store: d.Tickets, Surveys: d.Surveys, Now: d.Now}
	figures := dashboard.Figures{Org: d.Org, Rollups: d.Rollups}
	urls := webkit.TicketURLs(d.Config.BaseURL)
	audit := webkit.Auditor{Store: d.Access.Audit, Now: d.Now}
	casesAPI := &followup.API{Base: b, Cases: d.Cases, Org: d.Org, Users: d.Access.Users}
	return handlers{
		health: &health{ready: d.Ready, log: d.Log},
		signIn: &signin.Handler{Base: b, Guard: g, Users: d.Access.Users, Failures: d.Access.SignInFailures,
			Sessions: d.Access.Sessions, Audit: d.Access.Audit, Limit: redisstore.PerMinute(d.Config.Limits.SignIn),
			MailOn: d.Config.SMTPURL != ""},
		citizen: &citizen.Handler{Base: b, Tickets: tickets, Responses: d.Responses, Fields: d.Org.Fields, Units: d.Org.Tree, QR: d.QR, URLs: urls,
			Cases: d.Cases, Clients: g},
		ticketAPI: &esystem.TicketAPI{Base: b, Issuer: d.Issuer, URLs: urls, Invite: d.Invite},
		stats:     &dashboard.StatsAPI{Callers: g, Figures: figures},
		tablet:    &tablet.Handler{Base: b, Kiosk: d.Kiosk, Tickets: tickets, Names: d.Org.Tree, Streams: tablet.NewStreamSlots(d.Config.KioskStreams)},
		counter: &counter.Handler{Base: b, Issuer: d.Issuer, Days: d.CounterDays, Tickets: tickets, Responses: d.Responses,
			Org: d.Org, QR: d.QR, URLs: urls, Audit: audit, Clients: g},
		dashboard: &dashboard.Handler{Base: b, Figures: figures, Cases: d.Cases, Drafts: d.Drafts},
		reports:   &dashboard.ReportAPI{Callers: g, Reports: &dashboard.Handler{Base: b, Figures: figures, Cases: d.Cases, Drafts: d.Drafts}},
		admin: &admin.Handler{Base: b, Org: d.Org, UnitStore: d.OrgEdits.Units, FieldStore: d.OrgEdits.Fields,
			Users: d.Access.Users, Sessions: d.Access.Sessions, Keys: d.Access.APIKeys, Audit: audit, Kiosk: d.Kiosk, Cases: d.Cases, Rollups: d.Rollups},
		tabletAPI: &admin.TabletAPI{Kiosk: d.Kiosk, Audit: audit},
		results:   &results.Handler{Base: b, Org: d.Org, Rollups: d.Rollups},
		casesAPI:  casesAPI,
		cases:     &followup.Pages{API: *casesAPI, Surveys: d.Surveys},
		hooks:     &integrations.Handler{Base: b, Webhooks: d.Webhooks, Outbox: d.Outbox, Audit: audit, MailFrom: mailFrom(d.Config)},
	}
}

// unitName is the name of unit code, for staff pages; its code when it has no name.
func unitName(t *org.Tree, code string) string {
	if u, ok := t.Unit(code); ok && u.Name != "" {
		return u.Name
	}
	return code
}
