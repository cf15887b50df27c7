// Package kiosk is the tablet at the counter: pairing it with a counter, telling it which
// dossier was just completed there, and the rules that keep its one-tap ratings honest.
package kiosk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// Device is a kiosk tablet at a counter. It signs in with a random token it keeps in a cookie;
// only the token's SHA-256 is stored, as the device's ID.
type Device struct {
	ID      string `bson:"_id" json:"id"`
	Name    string `bson:"name" json:"name"`
	Agency  string `bson:"agency" json:"agency"`
	Counter string `bson:"counter" json:"counter"`
	// PairingCode is what the tablet shows until an admin pairs it; empty once paired.
	PairingCode      string    `bson:"pairing_code,omitempty" json:"pairing_code,omitempty"`
	PairingExpiresAt time.Time `bson:"pairing_expires_at,omitempty" json:"pairing_expires_at,omitzero"`
	Paired           bool      `bson:"paired" json:"paired"`
	Revoked          bool      `bson:"revoked" json:"revoked"`
	CreatedAt        time.Time `bson:"created_at" json:"created_at"`
	// LastSeen and LastRatingAt are kept apart from the device document, so the tablet's own
	// frequent writes can never undo an admin's pairing or revocation.
	LastSeen     time.Time `bson:"-" json:"last_seen,omitzero"`
	LastRatingAt time.Time `bson:"-" json:"-"`
}

// CounterKey names the device's counter for the push hub and the current dossier.
func (d *Device) CounterKey() string { return CounterKey(d.Agency, d.Counter) }

// CounterKey names a counter of an agency; "|" never occurs in either code.
func CounterKey(agency, counter string) string { return agency + "|" + counter }

// PairingTTL is how long a pairing code shown on a tablet can be used.
const PairingTTL = 10 * time.Minute

// UnpairedTTL is how long an unpaired device and its pairing codes are kept once its last code
// has expired: a tablet still waiting asks for a fresh code, so one silent for this long is gone
// (or was a flood of pairing requests).
const UnpairedTTL = 24 * time.Hour

// PairingCodeLength is the number of symbols in a pairing code (31^6 ≈ 8.9×10^8 codes, and
// only an admin can try one).
const PairingCodeLength = 6

// NewPairingCode returns a random pairing code from the short-code alphabet.
func NewPairingCode() string { return survey.NewShortCode()[:PairingCodeLength] }

// NormalizePairingCode upper-cases a typed pairing code and drops spaces and dashes; it returns
// "" when the code cannot be valid.
func NormalizePairingCode(s string) string { return survey.NormalizeCode(s, PairingCodeLength) }

// FormatPairingCode shows a pairing code in two groups of three, e.g. "K7Q-X3P".
func FormatPairingCode(s string) string {
	if len(s) != PairingCodeLength {
		return s
	}
	return s[:3] + "-" + s[3:]
}

// NewDeviceToken returns an unguessable device token with 256 bits of randomness.
func NewDeviceToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "hlk_" + base64.RawURLEncoding.EncodeToString(b)
}

// DeviceID returns the ID of the device holding token: the SHA-256 of the token, in hex.
func DeviceID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

var (
	deviceIDPattern       = regexp.MustCompile(`^[0-9a-f]{64}$`)
	idempotencyKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
)

// ValidDeviceID reports whether s has the shape of a device ID.
func ValidDeviceID(s string) bool { return deviceIDPattern.MatchString(s) }

// ValidIdempotencyKey reports whether s can serve as a kiosk submission's idempotency key
// (a UUID, for instance).
func ValidIdempotencyKey(s string) bool { return idempotencyKeyPattern.MatchString(s) }

// KioskNonce returns the nonce of a kiosk response submitted with idempotency key: the key
// followed by a fresh random part, so the nonce stays unique to this attempt (as the rollup
// journal needs) while the stored response still says which submission it came from.
func KioskNonce(key string) string { return key + ":" + survey.NewToken() }

// IdempotencyKeyOf returns the idempotency key a response nonce was made from by KioskNonce,
// or "" for a response that did not come from a kiosk.
func IdempotencyKeyOf(nonce string) string {
	key, _, ok := strings.Cut(nonce, ":")
	if !ok || !ValidIdempotencyKey(key) {
		return ""
	}
	return key
}

// FreeRatingID is the response ID of a kiosk rating given without a dossier: one per device
// and idempotency key, so retries of one submission store it once.
func FreeRatingID(deviceID, key string) string { return "kiosk:" + deviceID + ":" + key }

// CurrentDossier is the dossier last completed at a counter, which its kiosk asks about; a
// kiosk that (re)connects is sent it while it is recent and unrated. The tablet is sent Ref,
// never Token: it redeems Ref over HTTPS with its device cookie when it posts the rating.
type CurrentDossier struct {
	Counter       string    `bson:"_id" json:"-"`
	Token         string    `bson:"token" json:"-"`
	Ref           string    `bson:"ref" json:"ref"`
	DossierCode   string    `bson:"dossier_code" json:"dossier_code"`
	ProcedureName string    `bson:"procedure_name,omitempty" json:"procedure_name,omitempty"`
	Field         string    `bson:"field" json:"field"`
	IssuedAt      time.Time `bson:"issued_at" json:"issued_at"`
}

// Pairing is what an admin gives a tablet when pairing it.
type Pairing struct {
	Code    string `json:"code"`
	Agency  string `json:"agency"`
	Counter string `json:"counter"`
	Name    string `json:"name"`
}

// Validate normalises the pairing code and checks every field, returning every problem.
func (p *Pairing) Validate() survey.FieldErrors {
	var errs survey.FieldErrors
	p.Code = NormalizePairingCode(p.Code)
	if p.Code == "" {
		errs = append(errs, survey.NewFieldError("code", "type", "field.pairing_code.type"))
	}
	for _, f := range []struct{ name, value string }{{"agency", p.Agency}, {"counter", p.Counter}} {
		if f.value == "" {
			errs = append(errs, survey.NewFieldError(f.name, "required", "field.required", "field", f.name))
		} else {
			errs = append(errs, survey.OptionalCode(f.name, f.value)...)
		}
	}
	p.Name = strings.TrimSpace(p.Name)
	if len([]rune(p.Name)) > 100 || !validText(p.Name) {
		errs = append(errs, survey.NewFieldError("name", "too_long", "field.device_name.too_long"))
	}
	return errs
}

func validText(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsRune(s, 0)
}

// Device errors shared by stores and handlers.
var (
	ErrDeviceUnknown   = survey.Errorf(survey.CodeUnauthorized, "error.device_unknown")
	ErrDeviceRevoked   = survey.Errorf(survey.CodeUnauthorized, "error.device_revoked")
	ErrPairingNotFound = survey.Errorf(survey.CodeNotFound, "error.pairing_not_found")
	ErrDeviceNotFound  = survey.Errorf(survey.CodeNotFound, "error.device_not_found")
	// ErrRefNotFound is an unknown or purged dossier reference; to the tablet it is an unknown dossier.
	ErrRefNotFound = survey.ErrTicketNotFound
)

// RefTTL is how long a dossier reference pushed to a tablet can be redeemed: as long as a
// rating queued offline is replayed with its own time.
const RefTTL = maxRatedAtAge + 24*time.Hour

// NewRef returns a random, opaque dossier reference for the tablets of a counter, to be stored;
// a sealed one (Refs) needs no storing.
func NewRef() string { return "ref_" + survey.NewToken() }

// ValidRef reports whether s has the shape of a dossier reference: sealed (Refs), or stored
// when its ticket was issued (NewRef, before references were sealed).
func ValidRef(s string) bool {
	if Sealed(s) {
		return len(s) <= 512
	}
	token, ok := strings.CutPrefix(s, "ref_")
	return ok && survey.ValidToken(token)
}

// DeviceStore keeps kiosk devices, their pairing codes and each counter's current dossier.
// Every look-up is by _id.
type DeviceStore interface {
	// CreateDevice stores a new unpaired device with a fresh pairing code; it returns the
	// device's token, which is never stored.
	CreateDevice(ctx context.Context, now time.Time) (token string, d *Device, err error)
	// RenewPairingCode gives an unpaired device a fresh pairing code.
	RenewPairingCode(ctx context.Context, id string, now time.Time) (*Device, error)
	// Device returns the device with id, or ErrDeviceNotFound.
	Device(ctx context.Context, id string) (*Device, error)
	// PairDevice pairs the device showing p.Code with p's counter; ErrPairingNotFound for an
	// unknown, used or expired code.
	PairDevice(ctx context.Context, p Pairing, now time.Time) (*Device, error)
	// RevokeDevice revokes the device with id for good.
	RevokeDevice(ctx context.Context, id string) (*Device, error)
	// Devices lists every device (a full scan: for admins, not hot paths).
	Devices(ctx context.Context) ([]Device, error)
	// PairedCounters lists the counters (CounterKey) with a paired, unrevoked device: a scan
	// of the devices alone, without their activity.
	PairedCounters(ctx context.Context) ([]string, error)
	// TouchDevice records that the device was seen at now.
	TouchDevice(ctx context.Context, id string, now time.Time) error
	// RecordRating records that the device stored a rating given at at.
	RecordRating(ctx context.Context, id string, at time.Time) error
	// SetCurrentDossiers keeps each dossier's reference redeemable and makes the last one of
	// each counter in ds the dossier its kiosks ask about.
	SetCurrentDossiers(ctx context.Context, ds []CurrentDossier) error
	// CurrentDossier returns the counter's current dossier, or nil when it has none.
	CurrentDossier(ctx context.Context, counter string) (*CurrentDossier, error)
	// DossierByRef returns the dossier that was pushed with ref, or ErrRefNotFound; it stays
	// redeemable after a later dossier at the counter (a rating may be queued offline).
	DossierByRef(ctx context.Context, ref string) (*CurrentDossier, error)
	// ResponseNonce returns the nonce of the response with id, and whether there is one.
	ResponseNonce(ctx context.Context, id string) (string, bool, error)
}
