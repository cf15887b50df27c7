package survey

import (
	"crypto/rand"
	"encoding/base64"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Delivery is how the citizen received the result of the dossier; the API and the stored
// ticket call it "channel", as the one-stop e-system does.
type Delivery string

// The deliveries the one-stop e-system reports.
const (
	DeliveryDirect Delivery = "direct"
	DeliveryOnline Delivery = "online"
	DeliveryPostal Delivery = "postal"
)

// Deliveries lists the deliveries, in the order forms offer them.
var Deliveries = []Delivery{DeliveryDirect, DeliveryOnline, DeliveryPostal}

// Valid reports whether c is one of the known deliveries.
func (c Delivery) Valid() bool {
	return c == DeliveryDirect || c == DeliveryOnline || c == DeliveryPostal
}

// Ticket is the survey invitation issued for one completed dossier. It never changes once
// issued, so any instance may cache it.
type Ticket struct {
	Token         string    `bson:"_id" json:"token"`
	ShortCode     string    `bson:"short_code" json:"short_code"`
	DossierCode   string    `bson:"dossier_code" json:"dossier_code"`
	ProcedureCode string    `bson:"procedure_code,omitempty" json:"procedure_code,omitempty"`
	ProcedureName string    `bson:"procedure_name,omitempty" json:"procedure_name,omitempty"`
	Field         string    `bson:"field" json:"field"`
	Agency        string    `bson:"agency,omitempty" json:"agency,omitempty"`
	Counter       string    `bson:"counter,omitempty" json:"counter,omitempty"`
	Officer       string    `bson:"officer,omitempty" json:"officer,omitempty"`
	Delivery      Delivery  `bson:"channel" json:"channel"`
	CompletedAt   time.Time `bson:"completed_at" json:"completed_at"`
	OnTime        *bool     `bson:"on_time,omitempty" json:"on_time,omitempty"`
	SurveyID      string    `bson:"survey_id" json:"survey_id"`
	IssuedAt      time.Time `bson:"issued_at" json:"issued_at"`
	ExpiresAt     time.Time `bson:"expires_at" json:"expires_at"`
	// IssuedBy is how the ticket was issued; a ticket an officer issued by hand is one they
	// could answer themselves, so figures show those apart. Empty on tickets issued before.
	IssuedBy IssueMethod `bson:"issued_by,omitempty" json:"issued_by,omitempty"`
	// IssuerClient stands for the browser an officer issued the ticket from by hand (a salted
	// hash of its address and user agent, see SameClient); empty on other tickets.
	IssuerClient string `bson:"issuer_client,omitempty" json:"-"`
	// Nonce tells this issue attempt's document from an earlier attempt's for the same dossier.
	Nonce string `bson:"nonce" json:"-"`
}

// IssueMethod is how a ticket was issued.
type IssueMethod string

// The ways a ticket is issued.
const (
	IssuedByAPI     IssueMethod = "api"     // the one-stop e-system, with its API key
	IssuedByBatch   IssueMethod = "batch"   // the e-system's batch import
	IssuedByCounter IssueMethod = "counter" // an officer's hand, on the counter form
)

// SameClient reports whether an answer sent from client (a hash made as IssuerClient is) comes
// from the browser the ticket was issued from by hand: an officer answering their own ticket.
func (t *Ticket) SameClient(client string) bool {
	return t.IssuedBy == IssuedByCounter && t.IssuerClient != "" && t.IssuerClient == client
}

// Expired reports whether the ticket can no longer be answered at now.
func (t *Ticket) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt) }

// TicketRequest is what the one-stop e-system sends when a dossier is completed.
type TicketRequest struct {
	DossierCode   string     `json:"dossier_code"`
	ProcedureCode string     `json:"procedure_code"`
	ProcedureName string     `json:"procedure_name"`
	Field         string     `json:"field"`
	Agency        string     `json:"agency"`
	Counter       string     `json:"counter"`
	Officer       string     `json:"officer"`
	Delivery      Delivery   `json:"channel"`
	CompletedAt   *time.Time `json:"completed_at"`
	OnTime        *bool      `json:"on_time"`
	// IssuedBy and IssuerClient are set by the code that takes the request, never by its sender.
	IssuedBy     IssueMethod `json:"-"`
	IssuerClient string      `json:"-"`
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._\-/]{0,63}$`)

// ValidCode reports whether s can be a dossier, procedure, agency, counter or officer code.
func ValidCode(s string) bool { return codePattern.MatchString(s) }

// Validate checks a ticket request and fills defaults; fieldKnown reports whether a field code
// is in the catalogue. It returns every problem found.
func (r *TicketRequest) Validate(fieldKnown func(string) bool) FieldErrors {
	var errs FieldErrors
	r.DossierCode = strings.TrimSpace(r.DossierCode)
	r.Field = strings.TrimSpace(r.Field)
	switch {
	case r.DossierCode == "":
		errs = append(errs, NewFieldError("dossier_code", "required", "field.dossier_code.required"))
	case !codePattern.MatchString(r.DossierCode):
		errs = append(errs, NewFieldError("dossier_code", "type", "field.dossier_code.type"))
	}
	switch {
	case r.Field == "":
		errs = append(errs, NewFieldError("field", "required", "field.field.required"))
	case !fieldKnown(r.Field):
		errs = append(errs, NewFieldError("field", "unknown", "field.field.unknown", "value", clip(r.Field)))
	}
	errs = append(errs, OptionalCode("procedure_code", r.ProcedureCode)...)
	errs = append(errs, OptionalCode("agency", r.Agency)...)
	errs = append(errs, OptionalCode("counter", r.Counter)...)
	errs = append(errs, OptionalCode("officer", r.Officer)...)
	if !utf8.ValidString(r.ProcedureName) || utf8.RuneCountInString(r.ProcedureName) > 300 {
		errs = append(errs, NewFieldError("procedure_name", "too_long", "field.procedure_name.too_long"))
	}
	if r.Delivery == "" {
		r.Delivery = DeliveryDirect
	}
	if !r.Delivery.Valid() {
		errs = append(errs, NewFieldError("channel", "range", "field.channel.range"))
	}
	return errs
}

// OptionalCode checks an optional agency, counter, officer or procedure code.
func OptionalCode(name, v string) FieldErrors {
	if v == "" || codePattern.MatchString(v) {
		return nil
	}
	return FieldErrors{NewFieldError(name, "type", "field.code.type", "field", name)}
}

// NewFieldError is the problem reason with question name; its message is key in the
// translation catalogue, its {name} placeholders filled from args (name, value pairs).
func NewFieldError(name, reason, key string, args ...string) FieldError {
	return FieldError{Question: name, Reason: reason, Message: Msg(key, args...)}
}

func clip(s string) string {
	if !utf8.ValidString(s) {
		return "?"
	}
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// shortCodeAlphabet leaves out 0/O and 1/I/L so a code can be read aloud and typed without doubt.
const shortCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// ShortCodeLength is the number of symbols in a short code (31^8 ≈ 8.5×10^11 codes).
const ShortCodeLength = 8

// NewTicketToken returns a ticket's token for an issue at now: 32 URL-safe symbols, as NewToken's,
// of which the first 8 are the millisecond of now, written so that later tokens sort after
// earlier ones, and the other 24 carry 144 random bits. A ticket's token is the _id of the ticket
// and of its response, and a store's _id index takes keys that arrive in order on pages it has
// just written; random keys dirty a page of the index each, wherever it is.
func NewTicketToken(now time.Time) string {
	var b [32]byte
	ms := uint64(now.UnixMilli())
	for i := tokenTimeSymbols - 1; i >= 0; i-- {
		b[i] = sortedURLAlphabet[ms%64]
		ms /= 64
	}
	var r [18]byte
	_, _ = rand.Read(r[:])
	base64.RawURLEncoding.Encode(b[tokenTimeSymbols:], r[:])
	return string(b[:])
}

// tokenTimeSymbols is the length of a ticket token's time prefix: 48 bits of milliseconds since
// 1970, enough for the next eight thousand years.
const tokenTimeSymbols = 8

// sortedURLAlphabet is the URL-safe base64 alphabet in byte order.
const sortedURLAlphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"

// NewToken returns an unguessable URL-safe token with 192 bits of randomness.
func NewToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewShortCode returns a random short code a person can type.
func NewShortCode() string {
	b := make([]byte, ShortCodeLength)
	for i := range b {
		b[i] = shortCodeAlphabet[randIndex(len(shortCodeAlphabet))]
	}
	return string(b)
}

func randIndex(n int) int {
	var b [1]byte
	for {
		_, _ = rand.Read(b[:])
		if int(b[0]) < 256-256%n { // reject to avoid modulo bias
			return int(b[0]) % n
		}
	}
}

// NormalizeShortCode upper-cases a typed code and drops spaces and dashes; it returns "" when the
// code cannot be valid (such as one with O, 0, I, L or 1).
func NormalizeShortCode(s string) string { return NormalizeCode(s, ShortCodeLength) }

// NormalizeCode upper-cases s, drops spaces and dashes, and returns "" unless what is left is n
// symbols of the short-code alphabet.
func NormalizeCode(s string, n int) string {
	s = strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s))
	if len(s) != n {
		return ""
	}
	for _, c := range s {
		if !strings.ContainsRune(shortCodeAlphabet, c) {
			return ""
		}
	}
	return s
}

// FormatShortCode shows a short code in two groups, e.g. "K7QX-M3PA".
func FormatShortCode(s string) string {
	if len(s) != ShortCodeLength {
		return s
	}
	return s[:4] + "-" + s[4:]
}

// ValidToken reports whether s has the shape of a token, so forged or truncated tokens are
// refused before any store look-up.
func ValidToken(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
