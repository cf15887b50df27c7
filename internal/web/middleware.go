package web

import (
	"io/fs"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/public"
)

// securityHeaders sets the headers every answer carries. Pages run no inline script; the token
// is in survey URLs, so no page sends a referrer.
func securityHeaders(baseURL string) fiber.Handler {
	hsts := strings.HasPrefix(baseURL, "https://")
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

// accessLog writes one structured line per request. It logs the route pattern, never the path,
// so survey tokens stay out of the logs.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if fe, ok := err.(*fiber.Error); ok {
			status = fe.Code
		} else {
			status = httpStatus(survey.ErrorCode(err))
		}
	}
	s.Metrics.observe(c, status, time.Since(start))
	s.Log.Info("request",
		"request_id", c.GetRespHeader(fiber.HeaderXRequestID),
		"method", c.Method(), "route", c.Route().Path, "status", status,
		"ms", float64(time.Since(start).Microseconds())/1000)
	return err
}

// The rate-limited buckets.
const (
	limitLookup    = "lookup"
	limitSubmit    = "submit"
	limitShortCode = "code"
)

func (s *Server) limitFor(bucket string) redisstore.Limit {
	l := s.Config.Limits
	switch bucket {
	case limitSubmit:
		return redisstore.PerMinute(l.Submit)
	case limitShortCode:
		return redisstore.PerMinute(l.ShortCode)
	default:
		return redisstore.PerMinute(l.Lookup)
	}
}

// limit refuses a client that exceeds bucket's rate with 429 and Retry-After.
func (s *Server) limit(bucket string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ok, wait := s.Limiter.Allow(c.UserContext(), bucket+":"+s.clientKey(c), s.limitFor(bucket))
		if ok {
			return c.Next()
		}
		s.Metrics.rateLimited(bucket)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(max(wait.Seconds(), 1)))))
		return survey.ErrRateLimited
	}
}

func staticFS() http.FileSystem {
	sub, err := fs.Sub(public.FS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FS(sub)
}
