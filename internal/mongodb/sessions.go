package mongodb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"time"

	"github.com/hailong/hailong/internal/account"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

var _ account.SessionStore = (*SessionStore)(nil)

// SessionStore keeps sessions under the SHA-256 of their token: the token is 256 random bits,
// so a fast hash is enough, and a leaked copy of the store holds no usable token. The store has
// no TTL index, so expiry is checked here on every look-up.
type SessionStore struct {
	col *mongo.Collection
	now func() time.Time
}

// NewSessionStore returns the session store in db; now is its clock (time.Now when nil).
func NewSessionStore(db *DB, now func() time.Time) *SessionStore {
	if now == nil {
		now = time.Now
	}
	return &SessionStore{col: db.DB.Collection(colSessions), now: now}
}

// CreateSession starts a session for user lasting ttl, with its own CSRF token, and returns
// the new cookie token.
func (s *SessionStore) CreateSession(ctx context.Context, user string, ttl time.Duration) (string, *account.Session, error) {
	token, csrf := randomToken(), randomToken()
	now := s.now().UTC()
	sess := account.Session{ID: hashToken(token), User: user, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := s.col.InsertOne(ctx, sess); err != nil {
		return "", nil, storeErr("insert session", err)
	}
	return token, &sess, nil
}

// SessionByToken returns the live session for token, or account.ErrSessionEnded; an expired
// session is deleted on the way.
func (s *SessionStore) SessionByToken(ctx context.Context, token string) (*account.Session, error) {
	if len(token) != tokenLen {
		return nil, account.ErrSessionEnded
	}
	var sess account.Session
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}}).Decode(&sess)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, account.ErrSessionEnded
	}
	if err != nil {
		return nil, storeErr("find session", err)
	}
	if !s.now().Before(sess.ExpiresAt) {
		_, _ = s.col.DeleteOne(ctx, bson.D{{Key: "_id", Value: sess.ID}})
		return nil, account.ErrSessionEnded
	}
	return &sess, nil
}

// DeleteSession ends the session of token; ending an unknown session is not an error.
func (s *SessionStore) DeleteSession(ctx context.Context, token string) error {
	_, err := s.col.DeleteOne(ctx, bson.D{{Key: "_id", Value: hashToken(token)}})
	return storeErr("delete session", err)
}

// DeleteUserSessions ends every session of user but the one of keepToken ("" ends them all).
func (s *SessionStore) DeleteUserSessions(ctx context.Context, user, keepToken string) (int64, error) {
	filter := bson.D{{Key: "user", Value: user}}
	if keepToken != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$ne", Value: hashToken(keepToken)}}})
	}
	res, err := s.col.DeleteMany(ctx, filter)
	if err != nil {
		return 0, storeErr("delete user sessions", err)
	}
	return res.DeletedCount, nil
}

// PurgeExpired deletes sessions that expired without being looked up again, and returns how
// many. It scans the collection, so run it now and then (e.g. hourly), not per request.
func (s *SessionStore) PurgeExpired(ctx context.Context) (int64, error) {
	res, err := s.col.DeleteMany(ctx, bson.D{{Key: "expires_at", Value: bson.D{{Key: "$lte", Value: s.now().UTC()}}}})
	if err != nil {
		return 0, storeErr("purge sessions", err)
	}
	return res.DeletedCount, nil
}

// tokenLen is the length of a token: 32 random bytes in unpadded base64url.
const tokenLen = 43

// randomToken returns 256 random bits in base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
