package mongodb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/survey"
)

var _ account.APIKeyStore = (*APIKeyStore)(nil)

// APIKeyStore keeps API keys under the SHA-256 of their secret. The secrets are 256 random
// bits, so a fast hash is enough (passwords, which are guessable, use argon2id instead).
type APIKeyStore struct{ col *mongo.Collection }

// NewAPIKeyStore returns the API key store in db.
func NewAPIKeyStore(db *DB) *APIKeyStore { return &APIKeyStore{col: db.DB.Collection(colAPIKeys)} }

type apiKeyDoc struct {
	Hash           string `bson:"_id"`
	account.APIKey `bson:",inline"`
}

// CreateAPIKey stores a new key made at now and returns its secret, which is never stored or
// shown again.
func (s *APIKeyStore) CreateAPIKey(ctx context.Context, name string, scopes []string, now time.Time) (string, *account.APIKey, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret := "hl_" + base64.RawURLEncoding.EncodeToString(b)
	hash := hashSecret(secret)
	k := account.APIKey{ID: hash[:12], Name: name, Scopes: scopes, CreatedAt: now.UTC()}
	if _, err := s.col.InsertOne(ctx, apiKeyDoc{Hash: hash, APIKey: k}); err != nil {
		return "", nil, storeErr("insert api key", err)
	}
	return secret, &k, nil
}

// APIKeyBySecret returns the key for secret, or survey.ErrUnauthorized.
func (s *APIKeyStore) APIKeyBySecret(ctx context.Context, secret string) (*account.APIKey, error) {
	var d apiKeyDoc
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: hashSecret(secret)}}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, survey.ErrUnauthorized
	}
	if err != nil {
		return nil, storeErr("find api key", err)
	}
	return &d.APIKey, nil
}

// RevokeAPIKey revokes the key whose id is id.
func (s *APIKeyStore) RevokeAPIKey(ctx context.Context, id string) error {
	keys, err := s.docs(ctx)
	if err != nil {
		return err
	}
	for _, d := range keys {
		if d.ID == id {
			_, err := s.col.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.Hash}}, bson.D{{Key: "$set", Value: bson.D{{Key: "revoked", Value: true}}}})
			return storeErr("revoke api key", err)
		}
	}
	return survey.Errorf(survey.CodeNotFound, "error.api_key_not_found", "id", id)
}

// APIKeys lists every key, without secrets.
func (s *APIKeyStore) APIKeys(ctx context.Context) ([]account.APIKey, error) {
	docs, err := s.docs(ctx)
	out := make([]account.APIKey, len(docs))
	for i, d := range docs {
		out[i] = d.APIKey
	}
	return out, err
}

func (s *APIKeyStore) docs(ctx context.Context) ([]apiKeyDoc, error) {
	cur, err := s.col.Find(ctx, bson.D{})
	if err != nil {
		return nil, storeErr("list api keys", err)
	}
	var docs []apiKeyDoc
	return docs, storeErr("read api keys", cur.All(ctx, &docs))
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}

// ParseScopes checks a comma-separated scope list.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(account.Scopes, p) {
			return nil, errors.New("unknown scope " + p + " (known: " + strings.Join(account.Scopes, ", ") + ")")
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, errors.New("at least one scope is needed")
	}
	return out, nil
}
