package web

import (
	"io/fs"
	"net/http"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hailong/hailong/public"
)

// securityHeaders sets the headers every answer carries. Pages run no inline script; the token
// is in survey URLs, so no page sends a referrer.
func securityHeaders(baseURL string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		setSecurityHeaders(c, baseURL)
		return c.Next()
	}
}

func setSecurityHeaders(c *fiber.Ctx, baseURL string) {
	h := &c.Response().Header
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if strings.HasPrefix(baseURL, "https://") {
		h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
	}
}

// errorsWithHeaders is the error handler, setting the security headers first: errors raised
// before routing (a 431 for oversized headers, a 413 for an oversized body) never pass through
// the middleware.
func errorsWithHeaders(handle fiber.ErrorHandler, baseURL string) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		setSecurityHeaders(c, baseURL)
		return handle(c, err)
	}
}

// plainRequestID is a request ID a client may choose: a short ID that is safe in logs and
// headers (a UUID, for instance).
var plainRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// checkRequestID drops a client's X-Request-Id unless it is a plain short ID, so the request ID
// middleware makes one instead; the ID is echoed in the answer and written in the logs.
func checkRequestID(c *fiber.Ctx) error {
	if id := c.Get(fiber.HeaderXRequestID); id != "" && !plainRequestID.MatchString(id) {
		c.Request().Header.Del(fiber.HeaderXRequestID)
	}
	return c.Next()
}

// The rate-limited buckets.
const (
	limitLookup    = "lookup"
	limitSubmit    = "submit"
	limitShortCode = "code"
	limitPair      = "pair"
	limitHandIssue = "hand" // per signed-in user, not per client
)

func staticFS() http.FileSystem {
	sub, err := fs.Sub(public.FS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FS(sub)
}

// minCompressed is the smallest answer worth compressing. Below it the answer and its headers
// fit in one packet either way, so compressing saves the client nothing and costs the server:
// gzipping the e-system's ticket answers (about 370 bytes) took 5.6% of the server's CPU while
// it issued tickets. Pages, figures and exports are larger and are compressed.
const minCompressed = 1024

// compressLarge compresses, with brotli or gzip as the client accepts, every answer of at least
// minCompressed bytes and every streamed one: Fiber's compress middleware, which compresses
// every answer of 200 bytes or more, with a higher floor.
func compressLarge() fiber.Handler {
	compressor := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		if r := c.Response(); !r.IsBodyStream() && len(r.Body()) < minCompressed {
			return nil
		}
		compressor(c.Context())
		return nil
	}
}
