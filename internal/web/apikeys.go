package web

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/hashicorp/golang-lru/v2/expirable"

	"github.com/hailong/hailong/internal/survey"
)

// apiKeyCache remembers checked keys briefly so each API call does not read the store; a
// revoked key stops working within keyCacheTTL.
type apiKeyCache struct {
	store survey.APIKeyStore
	cache *expirable.LRU[string, *survey.APIKey]
}

const keyCacheTTL = 5 * time.Second

func newAPIKeyCache(store survey.APIKeyStore) *apiKeyCache {
	return &apiKeyCache{store: store, cache: expirable.NewLRU[string, *survey.APIKey](1024, nil, keyCacheTTL)}
}

// requireKey admits a request whose bearer API key has scope.
func (s *Server) requireKey(scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		key, err := s.bearerKey(c)
		if err != nil {
			return err
		}
		if !key.HasScope(scope) {
			return survey.ErrForbidden
		}
		c.Locals("apikey", key)
		return c.Next()
	}
}

func (s *Server) bearerKey(c *fiber.Ctx) (*survey.APIKey, error) {
	secret, ok := strings.CutPrefix(c.Get(fiber.HeaderAuthorization), "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" || len(secret) > 200 {
		return nil, survey.ErrUnauthorized
	}
	if k, ok := s.keys.cache.Get(secret); ok {
		return k, nil
	}
	k, err := s.keys.store.APIKeyBySecret(c.UserContext(), secret)
	if err != nil {
		return nil, err
	}
	if k.Revoked {
		return nil, survey.ErrUnauthorized
	}
	s.keys.cache.Add(secret, k)
	return k, nil
}
