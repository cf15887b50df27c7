// Package account is who may do what: staff users and their roles, signed-in sessions, API
// keys and their scopes, password hashing, and the audit trail of staff actions.
package account

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/hailong/hailong/internal/survey"
)

// Staff roles, from most to least powerful; officers sit at a counter.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleViewer  = "viewer"
	RoleOfficer = "officer"
)

// Roles lists the staff roles, from most to least powerful.
var Roles = []string{RoleAdmin, RoleManager, RoleViewer, RoleOfficer}

// ValidRole reports whether role is one of the known staff roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidUserName reports whether name can name an account: 1 to 64 lower-case ASCII letters,
// digits, dots, dashes and underscores, starting with a letter or digit.
func ValidUserName(name string) bool { return userNameRE.MatchString(name) }

// User is a staff account. Name is the sign-in name and never changes.
type User struct {
	Name string `bson:"_id" json:"name"`
	Role string `bson:"role" json:"role"`
	// Agency scopes the account to one agency code; empty means the whole organisation.
	Agency string `bson:"agency" json:"agency"`
	// Counter is an officer's counter (quầy) within the agency.
	Counter      string    `bson:"counter" json:"counter"`
	PasswordHash string    `bson:"password_hash" json:"-"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	Disabled     bool      `bson:"disabled" json:"disabled"`
	// Email is where alerts, reminders and digests are mailed ("" for none).
	Email string `bson:"email,omitempty" json:"email,omitempty"`
	// Lang is the language of those e-mails: vi (the default) or en.
	Lang string `bson:"lang,omitempty" json:"lang,omitempty"`
	// Notify is what the user chose to be mailed; nil means the defaults of their role.
	Notify *Notify `bson:"notify,omitempty" json:"notify,omitempty"`
}

// Notify is what a user is mailed.
type Notify struct {
	Alerts    bool `bson:"alerts" json:"alerts"`       // integrity reports and targets missed, at once
	Reminders bool `bson:"reminders" json:"reminders"` // their cases nearing or past the deadline
	Daily     bool `bson:"daily" json:"daily"`         // the daily digest, at 07:30
	Weekly    bool `bson:"weekly" json:"weekly"`       // the weekly summary, Monday 07:30
}

// Notifications is what u is mailed: their choice, or by default alerts for managers and
// admins and reminders for everyone who can be assigned a case.
func (u *User) Notifications() Notify {
	if u.Notify != nil {
		return *u.Notify
	}
	manages := u.Role == RoleAdmin || u.Role == RoleManager
	return Notify{Alerts: manages, Reminders: manages}
}

// Manages reports whether u is a manager or admin: who hears of alerts in their part of the
// organisation and of cases past their deadline.
func (u *User) Manages() bool { return u.Role == RoleAdmin || u.Role == RoleManager }

// Validate checks the name and role of a new or changed account.
func (u *User) Validate() error {
	if !ValidUserName(u.Name) {
		return survey.Errorf(survey.CodeInvalid, "error.user_name")
	}
	if !ValidRole(u.Role) {
		return survey.Errorf(survey.CodeInvalid, "error.role")
	}
	return nil
}

// Errors of CheckNew, the checks the admin form and the CLI share.
var (
	ErrNoAgency       = survey.Errorf(survey.CodeInvalid, "error.unit_no_agency")
	ErrOfficerCounter = survey.Errorf(survey.CodeInvalid, "error.officer_counter")
	ErrShortPassword  = survey.Errorf(survey.CodeInvalid, "error.password_short", "min", strconv.Itoa(MinPasswordLength))
)

// CheckNew checks a new account before it is stored, whoever creates it: its name and role,
// an agency that exists (agencyExists), an officer's agency and counter (an officer sees only
// their counter's figures, so one without them would see nothing or, worse, everything), and
// the password's length. Other roles keep no counter.
func (u *User) CheckNew(password string, agencyExists func(code string) bool) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.Agency != "" && !agencyExists(u.Agency) {
		return ErrNoAgency
	}
	if u.Role != RoleOfficer {
		u.Counter = ""
	} else if u.Agency == "" || u.Counter == "" {
		return ErrOfficerCounter
	}
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return ErrShortPassword
	}
	return nil
}

// SessionTTL is how long a session lasts from sign-in, however active it is.
const SessionTTL = 12 * time.Hour

// Session is a signed-in browser. Its ID is the SHA-256 (hex) of the cookie token, so a copy
// of the store cannot be used to sign in.
type Session struct {
	ID        string    `bson:"_id" json:"-"`
	User      string    `bson:"user" json:"user"`
	CSRF      string    `bson:"csrf" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	ExpiresAt time.Time `bson:"expires_at" json:"expires_at"`
}

// AuditEntry records who did what to which target. Its ID sorts in the order entries were
// recorded.
type AuditEntry struct {
	ID     string    `bson:"_id" json:"id"`
	At     time.Time `bson:"at" json:"at"`
	User   string    `bson:"user" json:"user"`
	Action string    `bson:"action" json:"action"`
	Target string    `bson:"target" json:"target"`
	Detail string    `bson:"detail" json:"detail"`
}

// Account errors shared by stores and handlers.
var (
	ErrUserNotFound = survey.Errorf(survey.CodeNotFound, "error.user_not_found")
	ErrUserExists   = survey.Errorf(survey.CodeConflict, "error.user_exists")
	ErrSessionEnded = survey.Errorf(survey.CodeUnauthorized, "error.session_ended")
)

// UserStore keeps staff accounts by name.
type UserStore interface {
	// CreateUser stores u; ErrUserExists when the name is taken.
	CreateUser(ctx context.Context, u User) error
	// UserByName returns ErrUserNotFound for an unknown name.
	UserByName(ctx context.Context, name string) (*User, error)
	// Users lists every account, by name.
	Users(ctx context.Context) ([]User, error)
	// UpdateUser replaces the stored account named u.Name; ErrUserNotFound when there is none.
	UpdateUser(ctx context.Context, u User) error
	CountUsers(ctx context.Context) (int64, error)
}

// SessionStore keeps signed-in sessions under the hash of their token.
type SessionStore interface {
	// CreateSession starts a session for user lasting ttl and returns its new random token,
	// which is never stored.
	CreateSession(ctx context.Context, user string, ttl time.Duration) (token string, s *Session, err error)
	// SessionByToken returns ErrSessionEnded when the token is unknown or expired; an expired
	// session is deleted.
	SessionByToken(ctx context.Context, token string) (*Session, error)
	// DeleteUserSessions ends every session of user but the one of keepToken ("" ends them
	// all), after a password change; it returns how many it ended.
	DeleteUserSessions(ctx context.Context, user, keepToken string) (int64, error)
	// DeleteSession ends the session; an unknown token is not an error.
	DeleteSession(ctx context.Context, token string) error
}

// AuditStore keeps the audit trail of staff actions.
type AuditStore interface {
	// Record stores e, filling in its ID and, when zero, its time.
	Record(ctx context.Context, e AuditEntry) error
	// Recent returns the newest n entries, newest first.
	Recent(ctx context.Context, n int) ([]AuditEntry, error)
}

// APIKey is a credential for the one-stop e-system and scripts; only its hash is stored.
type APIKey struct {
	ID        string    `bson:"key_id" json:"id"`
	Name      string    `bson:"name" json:"name"`
	Scopes    []string  `bson:"scopes" json:"scopes"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	Revoked   bool      `bson:"revoked" json:"revoked"`
}

// API key scopes.
const (
	ScopeTicketsWrite = "tickets:write"
	ScopeStatsRead    = "stats:read"
	ScopeCasesRead    = "cases:read"
	ScopeCasesWrite   = "cases:write"
	ScopeWebhooks     = "webhooks:manage"
)

// Scopes lists every API key scope, in the order forms offer them.
var Scopes = []string{ScopeTicketsWrite, ScopeStatsRead, ScopeCasesRead, ScopeCasesWrite, ScopeWebhooks}

// HasScope reports whether the key grants scope.
func (k *APIKey) HasScope(scope string) bool {
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// APIKeyStore keeps API keys by the hash of their secret.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, name string, scopes []string, now time.Time) (secret string, key *APIKey, err error)
	APIKeyBySecret(ctx context.Context, secret string) (*APIKey, error)
	RevokeAPIKey(ctx context.Context, id string) error
	APIKeys(ctx context.Context) ([]APIKey, error)
}
