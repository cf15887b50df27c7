package web

import (
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/gofiber/fiber/v2"
	"gopkg.in/yaml.v3"

	"github.com/hailong/hailong/public"
)

// openAPIHandler serves the API's OpenAPI description, written by hand in public/openapi.yaml
// and converted to JSON once, at start: a document that does not parse stops the server.
func openAPIHandler() (fiber.Handler, error) {
	src, err := fs.ReadFile(public.FS, "openapi.yaml")
	if err != nil {
		return nil, fmt.Errorf("web: read openapi.yaml: %w", err)
	}
	var doc any
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("web: parse openapi.yaml: %w", err)
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("web: openapi.yaml as JSON: %w", err)
	}
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
		return c.Send(body)
	}, nil
}
