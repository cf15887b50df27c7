package mongodb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/account"
)

// Collection names of the staff accounts, their sessions and the audit trail.
const (
	colUsers    = "users"
	colSessions = "sessions"
	colAudit    = "audit"
	// colSignInFailures holds each account name's consecutive failed sign-ins.
	colSignInFailures = "signin_failures"
)

var (
	_ account.UserStore          = (*UserStore)(nil)
	_ account.SignInFailureStore = (*UserStore)(nil)
)

// UserStore keeps staff accounts under their name (a few hundred documents at most), and the
// failed sign-ins of each name.
type UserStore struct{ col, failures *mongo.Collection }

// NewUserStore returns the user store in db.
func NewUserStore(db *DB) *UserStore {
	return &UserStore{col: db.DB.Collection(colUsers), failures: db.DB.Collection(colSignInFailures)}
}

// SignInFailures returns name's consecutive failed sign-ins; zero when there are none.
func (s *UserStore) SignInFailures(ctx context.Context, name string) (account.SignInFailures, error) {
	var f account.SignInFailures
	err := s.failures.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&f)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return account.SignInFailures{}, nil
	}
	return f, storeErr("find sign-in failures", err)
}

// SetSignInFailures stores name's failures.
func (s *UserStore) SetSignInFailures(ctx context.Context, name string, f account.SignInFailures) error {
	set := bson.D{{Key: "count", Value: f.Count}, {Key: "last", Value: f.Last.UTC()}}
	_, err := s.failures.UpdateOne(ctx, bson.D{{Key: "_id", Value: name}}, bson.D{{Key: "$set", Value: set}}, options.UpdateOne().SetUpsert(true))
	if isDuplicate(err) { // two first failures at once: the second updates the first's document
		_, err = s.failures.UpdateOne(ctx, bson.D{{Key: "_id", Value: name}}, bson.D{{Key: "$set", Value: set}})
	}
	return storeErr("record sign-in failures", err)
}

// ClearSignInFailures forgets name's failures.
func (s *UserStore) ClearSignInFailures(ctx context.Context, name string) error {
	_, err := s.failures.DeleteOne(ctx, bson.D{{Key: "_id", Value: name}})
	return storeErr("clear sign-in failures", err)
}

// CreateUser stores u, or returns account.ErrUserExists when its name is taken.
func (s *UserStore) CreateUser(ctx context.Context, u account.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	_, err := s.col.InsertOne(ctx, u)
	if isDuplicate(err) {
		return account.ErrUserExists
	}
	return storeErr("insert user", err)
}

// UserByName returns the account named name, or account.ErrUserNotFound.
func (s *UserStore) UserByName(ctx context.Context, name string) (*account.User, error) {
	var u account.User
	err := s.col.FindOne(ctx, bson.D{{Key: "_id", Value: name}}).Decode(&u)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return nil, account.ErrUserNotFound
	}
	if err != nil {
		return nil, storeErr("find user", err)
	}
	return &u, nil
}

// Users lists every account ordered by name.
func (s *UserStore) Users(ctx context.Context) ([]account.User, error) {
	cur, err := s.col.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, storeErr("list users", err)
	}
	var out []account.User
	return out, storeErr("read users", cur.All(ctx, &out))
}

// UpdateUser replaces the whole account named u.Name; the last of two concurrent updates wins.
func (s *UserStore) UpdateUser(ctx context.Context, u account.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	res, err := s.col.ReplaceOne(ctx, bson.D{{Key: "_id", Value: u.Name}}, u)
	if err != nil {
		return storeErr("update user", err)
	}
	if res.MatchedCount == 0 {
		return account.ErrUserNotFound
	}
	return nil
}

// CountUsers returns how many accounts exist.
func (s *UserStore) CountUsers(ctx context.Context) (int64, error) {
	n, err := s.col.CountDocuments(ctx, bson.D{})
	return n, storeErr("count users", err)
}

// EnsureAdmin creates the account "admin" with role admin and password when no account exists
// yet, so a fresh installation can be signed in to. It reports whether it created the account;
// with accounts already present the password is ignored.
func EnsureAdmin(ctx context.Context, users account.UserStore, password string) (bool, error) {
	n, err := users.CountUsers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	if password == "" {
		return false, fmt.Errorf("mongodb: no account exists yet; set HAILONG_ADMIN_PASSWORD (at least %d characters) to create %q", account.MinPasswordLength, "admin")
	}
	hash, err := account.Hash(password)
	if err != nil {
		return false, fmt.Errorf("mongodb: HAILONG_ADMIN_PASSWORD: %w", err)
	}
	err = users.CreateUser(ctx, account.User{Name: "admin", Role: account.RoleAdmin, PasswordHash: hash, CreatedAt: time.Now().UTC()})
	if errors.Is(err, account.ErrUserExists) {
		return false, nil // another instance created it first
	}
	return err == nil, err
}
