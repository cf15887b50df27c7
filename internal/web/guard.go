package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/web/dashboard"
	"github.com/hailong/hailong/internal/web/signin"
	"github.com/hailong/hailong/internal/web/webkit"
)

// guard is access control, shared by every audience: staff sessions and CSRF, API keys,
// per-client rate limits, and the access log.
type guard struct {
	sessions account.SessionStore
	users    account.UserStore
	keys     *apiKeyCache
	limiter  *redisstore.Limiter
	limits   config.Limits
	metrics  *Metrics
	log      *slog.Logger
	salt     string
	proxies  proxies     // whose X-Forwarded-For is believed
	scrape   string      // the bearer token /metrics asks for, if any
	base     webkit.Base // sets cookies
}

// The guard answers sign-in's and the stats API's questions about the caller.
var (
	_ signin.Guard      = (*guard)(nil)
	_ dashboard.Callers = (*guard)(nil)
)

func newGuard(d Deps, b webkit.Base) *guard {
	return &guard{
		sessions: d.Access.Sessions, users: d.Access.Users, keys: newAPIKeyCache(d.Access.APIKeys),
		limiter: d.Access.Limiter, limits: d.Config.Limits, metrics: d.Metrics, log: d.Log,
		salt: d.Access.IPSalt, proxies: parseProxies(d.Config.TrustedProxies), scrape: d.Config.MetricsToken, base: b,
	}
}

// ClientKey is the salted hash standing for the client's IP (an IPv6 client's /64) in rate
// limits; see clientAddrOf for which address that is.
func (g *guard) ClientKey(c *fiber.Ctx) string {
	sum := sha256.Sum256([]byte(g.salt + "|" + clientBucket(g.clientAddrOf(c))))
	return hex.EncodeToString(sum[:12])
}

var errCSRF = survey.Errorf(survey.CodeForbidden, "error.csrf")

// requireSession admits a signed-in, enabled user having one of roles (any role when none are
// given). Pages send others to the sign-in form; the API answers 401.
func (g *guard) requireSession(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, sess, err := g.loadSession(c)
		if errors.Is(err, account.ErrSessionEnded) {
			return g.signInFirst(c)
		}
		if err != nil {
			return err
		}
		if len(roles) > 0 && !slices.Contains(roles, u.Role) {
			return survey.ErrForbidden
		}
		webkit.SetSignedIn(c, u, sess)
		return c.Next()
	}
}

// loadSession loads the session of the request's cookie and its user; an ended session, or a
// deleted or disabled user, is account.ErrSessionEnded.
func (g *guard) loadSession(c *fiber.Ctx) (*account.User, *account.Session, error) {
	ctx := c.UserContext()
	token := c.Cookies(webkit.SessionCookie)
	if token == "" {
		return nil, nil, account.ErrSessionEnded
	}
	sess, err := g.sessions.SessionByToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	u, err := g.users.UserByName(ctx, sess.User)
	if errors.Is(err, account.ErrUserNotFound) || (err == nil && u.Disabled) {
		_ = g.sessions.DeleteSession(ctx, token)
		return nil, nil, account.ErrSessionEnded
	}
	return u, sess, err
}

// SignedIn reports whether the request carries a live session of an enabled user.
func (g *guard) SignedIn(c *fiber.Ctx) bool {
	_, _, err := g.loadSession(c)
	return err == nil
}

// signInFirst answers a request without a valid session: 401 under /api/, otherwise a
// redirect to the sign-in form that comes back to the page asked for.
func (g *guard) signInFirst(c *fiber.Ctx) error {
	if strings.HasPrefix(c.Path(), "/api/") {
		return survey.ErrUnauthorized
	}
	if c.Cookies(webkit.SessionCookie) != "" {
		g.base.SetCookie(c, webkit.SessionCookie, "", "/", 0)
	}
	target := "/signin"
	if c.Method() == fiber.MethodGet {
		target += "?next=" + url.QueryEscape(c.OriginalURL())
	}
	return c.Redirect(target, fiber.StatusSeeOther)
}

// csrf refuses a state-changing request unless it carries the session's CSRF token, in the
// form field csrf or the X-CSRF-Token header. It runs after requireSession.
func (g *guard) csrf(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	sent := c.Get("X-CSRF-Token")
	if sent == "" {
		sent = c.FormValue("csrf")
	}
	if !webkit.SameToken(webkit.CSRFToken(c), sent) {
		return errCSRF
	}
	return c.Next()
}

// metricsToken admits a scrape of /metrics carrying the configured bearer token; without one
// configured, /metrics is open (keep it off the public proxy then).
func (g *guard) metricsToken(c *fiber.Ctx) error {
	if g.scrape == "" {
		return c.Next()
	}
	sent, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	if !ok || !webkit.SameToken(g.scrape, strings.TrimSpace(sent)) {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
		return survey.ErrUnauthorized
	}
	return c.Next()
}

// Allow takes one attempt for key under limit, or answers 429 with Retry-After.
func (g *guard) Allow(c *fiber.Ctx, key string, limit redisstore.Limit) error {
	ok, wait := g.limiter.Allow(c.UserContext(), key, limit)
	if ok {
		return nil
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
	return survey.ErrRateLimited
}

// apiKeyCache remembers checked keys briefly so each API call does not read the store; a
// revoked key stops working within keyCacheTTL.
type apiKeyCache struct {
	store account.APIKeyStore
	cache *expirable.LRU[string, *account.APIKey]
}

const keyCacheTTL = 5 * time.Second

func newAPIKeyCache(store account.APIKeyStore) *apiKeyCache {
	return &apiKeyCache{store: store, cache: expirable.NewLRU[string, *account.APIKey](1024, nil, keyCacheTTL)}
}

// requireKey admits a request whose bearer API key has scope.
func (g *guard) requireKey(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key, err := g.BearerKey(c)
		if err != nil {
			return err
		}
		if !key.HasScope(scope) {
			return survey.ErrForbidden
		}
		c.Locals(webkit.APIKeyLocal, key)
		return c.Next()
	}
}

// keyOrStaff admits a request with a bearer API key having scope, or else a signed-in manager
// or admin; csrfUnlessKey then checks the session's state-changing requests.
func (g *guard) keyOrStaff(scope string) fiber.Handler {
	key, staff := g.requireKey(scope), g.requireSession(account.RoleAdmin, account.RoleManager)
	return func(c *fiber.Ctx) error {
		if c.Get(fiber.HeaderAuthorization) != "" {
			return key(c)
		}
		return staff(c)
	}
}

// keyOrAdmin lets in an API key with scope, or an admin's session.
func (g *guard) keyOrAdmin(scope string) fiber.Handler {
	key, admin := g.requireKey(scope), g.requireSession(account.RoleAdmin)
	return func(c *fiber.Ctx) error {
		if c.Get(fiber.HeaderAuthorization) != "" {
			return key(c)
		}
		return admin(c)
	}
}

// csrfUnlessKey is csrf for signed-in staff; an API key needs none (no browser sends it).
func (g *guard) csrfUnlessKey(c *fiber.Ctx) error {
	if webkit.APIKey(c) != nil {
		return c.Next()
	}
	return g.csrf(c)
}

// BearerKey returns the request's bearer API key, refusing a missing, unknown or revoked one.
func (g *guard) BearerKey(c *fiber.Ctx) (*account.APIKey, error) {
	secret, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" || len(secret) > 200 {
		return nil, survey.ErrUnauthorized
	}
	if k, ok := g.keys.cache.Get(secret); ok {
		return k, nil
	}
	k, err := g.keys.store.APIKeyBySecret(c.UserContext(), secret)
	if err != nil {
		return nil, err
	}
	if k.Revoked {
		return nil, survey.ErrUnauthorized
	}
	g.keys.cache.Add(secret, k)
	return k, nil
}

// accessLog writes one structured line per request. It logs the route pattern, never the path,
// so survey tokens stay out of the logs.
func (g *guard) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		} else {
			status = webkit.HTTPStatus(survey.ErrorCode(err))
		}
	}
	g.metrics.observe(c, status, time.Since(start))
	g.log.Info("request",
		"request_id", c.GetRespHeader(fiber.HeaderXRequestID),
		"method", c.Method(), "route", c.Route().Path, "status", status,
		"ms", float64(time.Since(start).Microseconds())/1000)
	return err
}

func (g *guard) limitFor(bucket string) redisstore.Limit {
	l := g.limits
	switch bucket {
	case limitSubmit:
		return redisstore.PerMinute(l.Submit)
	case limitShortCode:
		return redisstore.PerMinute(l.ShortCode)
	case limitPair:
		return redisstore.PerMinute(l.Pair)
	case limitHandIssue:
		return redisstore.PerMinute(l.HandIssue)
	default:
		return redisstore.PerMinute(l.Lookup)
	}
}

// limit refuses a client that exceeds bucket's rate with 429 and Retry-After.
func (g *guard) limit(bucket string) fiber.Handler {
	return g.limitBy(bucket, g.ClientKey)
}

// limitUser is limit per signed-in user, wherever they sign in from; it follows requireSession.
func (g *guard) limitUser(bucket string) fiber.Handler {
	return g.limitBy(bucket, func(c *fiber.Ctx) string { return "user:" + webkit.CurrentUser(c).Name })
}

// limitBy refuses a request whose key exceeds bucket's rate with 429 and Retry-After.
func (g *guard) limitBy(bucket string, keyOf func(*fiber.Ctx) string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, wait := g.limiter.Allow(c.UserContext(), bucket+":"+keyOf(c), g.limitFor(bucket))
		if ok {
			return c.Next()
		}
		g.metrics.rateLimited(bucket)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
		return survey.ErrRateLimited
	}
}

// SessionUser returns the signed-in user, or nil when the request carries no live session.
func (g *guard) SessionUser(c *fiber.Ctx) (*account.User, error) {
	u, _, err := g.loadSession(c)
	if errors.Is(err, account.ErrSessionEnded) || errors.Is(err, survey.ErrUnauthorized) {
		return nil, nil
	}
	return u, err
}
