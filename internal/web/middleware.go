package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

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

// The rate-limited buckets.
const (
	limitLookup    = "lookup"
	limitSubmit    = "submit"
	limitShortCode = "code"
	limitPair      = "pair"
)

func staticFS() http.FileSystem {
	sub, err := fs.Sub(public.FS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return http.FS(sub)
}
