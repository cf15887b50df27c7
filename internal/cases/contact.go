package cases

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/survey"
)

// Contact is how a citizen who consented asked to be reached about their case. It is kept
// apart from the answers, sealed, and erased once the case has been over for ContactDays.
type Contact struct {
	Phone     string    `json:"phone,omitempty"` // normalised: 0 and 9 or 10 digits
	Email     string    `json:"email,omitempty"`
	Lang      string    `json:"lang"`
	ConsentAt time.Time `json:"-"`
}

// ContactForm is what the citizen typed on the thank-you page.
type ContactForm struct {
	Phone, Email string
	Consent      bool
	Lang         string
}

// The contact form's fields, as named in field errors.
const (
	FieldPhone   = "phone"
	FieldEmail   = "email"
	FieldConsent = "consent"
)

// maxEmail is the longest e-mail address accepted (RFC 5321's path limit).
const maxEmail = 254

// Contact checks the form and returns the contact it gives at now, or an error per field:
// a phone number or an e-mail address (at least one) and the consent tick are required.
func (f ContactForm) Contact(now time.Time) (*Contact, survey.FieldErrors) {
	var errs survey.FieldErrors
	phone, email := strings.TrimSpace(f.Phone), strings.TrimSpace(f.Email)
	c := &Contact{Lang: f.Lang, ConsentAt: now.UTC()}
	if phone == "" && email == "" {
		errs = append(errs, survey.NewFieldError(FieldPhone, "required", "contact.error.required"))
	}
	if phone != "" {
		if c.Phone = NormalizePhone(phone); c.Phone == "" {
			errs = append(errs, survey.NewFieldError(FieldPhone, "format", "contact.error.phone"))
		}
	}
	if email != "" {
		if c.Email = NormalizeEmail(email); c.Email == "" {
			errs = append(errs, survey.NewFieldError(FieldEmail, "format", "contact.error.email"))
		}
	}
	if !f.Consent {
		errs = append(errs, survey.NewFieldError(FieldConsent, "required", "contact.error.consent"))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// NormalizePhone returns a Vietnamese phone number as 0 followed by 9 or 10 digits (mobiles
// have 9, landlines 10), accepting spaces, dots and hyphens between digits and the +84 form;
// "" when s is not such a number.
func NormalizePhone(s string) string {
	s = strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "").Replace(s)
	if rest, ok := strings.CutPrefix(s, "+84"); ok {
		s = "0" + rest
	}
	if len(s) < 10 || len(s) > 11 || s[0] != '0' || s[1] == '0' {
		return ""
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return s
}

// NormalizeEmail returns s when it is a bare e-mail address (name@domain.tld), else "".
func NormalizeEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > maxEmail {
		return ""
	}
	at := strings.LastIndexByte(s, '@')
	if domain := s[at+1:]; !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return ""
	}
	return s
}

// Sealer encrypts contact details at rest with AES-256-GCM, a fresh random nonce per value.
type Sealer struct {
	aead cipher.AEAD
	mac  []byte // the key of Digest, derived from the sealing key
}

// KeySize is the length of a sealing key: 32 bytes, for AES-256.
const KeySize = 32

// NewSealer returns a sealer with key, which must be KeySize random bytes.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("cases: a sealing key is %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("cases: sealing key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("cases: sealing key: %w", err)
	}
	derive := hmac.New(sha256.New, key)
	derive.Write([]byte("hailong digest"))
	return &Sealer{aead: aead, mac: derive.Sum(nil)}, nil
}

// Digest is a keyed hash of value, starting with '#': it stands in for a dossier code past
// the retention, equal for equal values, unreadable, and not computable without the key.
func (s *Sealer) Digest(value string) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(value))
	return "#" + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// Seal encrypts plain bound to label (the document it belongs to, so a sealed value moved to
// another document does not open): the nonce followed by the ciphertext.
func (s *Sealer) Seal(plain []byte, label string) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	_, _ = rand.Read(nonce) // crypto/rand.Read never fails (Go 1.24+)
	return s.aead.Seal(nonce, nonce, plain, []byte(label))
}

// ErrSealBroken is the error of a sealed value that another key sealed, that was sealed for
// another label, or that was altered.
var ErrSealBroken = errors.New("cases: sealed value does not open with this key")

// Open decrypts what Seal returned for label.
func (s *Sealer) Open(sealed []byte, label string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, ErrSealBroken
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(label))
	if err != nil {
		return nil, ErrSealBroken
	}
	return plain, nil
}

// SealedContact is a contact as stored: under its response token, only the sealed details and
// the times, never the details in clear.
type SealedContact struct {
	Token     string    `bson:"_id"`
	Sealed    []byte    `bson:"sealed"`
	ConsentAt time.Time `bson:"consent_at"`
}

// ContactStore keeps the sealed contacts, one per response token.
type ContactStore interface {
	// SaveContact stores c, replacing the contact of its token.
	SaveContact(ctx context.Context, c *SealedContact) error
	// SealedContact returns the contact of token, or ErrNoContact.
	SealedContact(ctx context.Context, token string) (*SealedContact, error)
	// EachContact calls fn with every stored contact's token and consent time.
	EachContact(ctx context.Context, fn func(token string, consentAt time.Time)) error
	// DeleteContacts erases the contacts of tokens.
	DeleteContacts(ctx context.Context, tokens []string) error
}

// ResponseReader reads a stored response.
type ResponseReader interface {
	// Response returns the response of token, or nil when there is none.
	Response(ctx context.Context, token string) (*survey.Response, error)
}

// AuditTrail records who did what (account.AuditStore does).
type AuditTrail interface {
	Record(ctx context.Context, e account.AuditEntry) error
}

// Errors of contact handling.
var (
	ErrNoResponse = survey.Errorf(survey.CodeNotFound, "contact.error.no_response")
	ErrNoCaseFor  = survey.Errorf(survey.CodeInvalid, "contact.error.no_case")
	ErrCaseEnded  = survey.Errorf(survey.CodeConflict, "contact.error.case_ended")
	ErrNoContact  = survey.Errorf(survey.CodeNotFound, "contact.error.none")
)

// AuditContactView is the audit action of a staff member reading a citizen's contact.
const AuditContactView = "case.contact.view"

// SaveContact seals and stores the contact the citizen gave for the case of response token.
// The case may not be open yet (the rollup worker opens it a moment after the response), but
// the response must call for one, and a case that has ended takes no new contact.
func (s *Service) SaveContact(ctx context.Context, token string, f ContactForm) error {
	r, err := s.Responses.Response(ctx, token)
	if err != nil {
		return err
	}
	if r == nil {
		return ErrNoResponse
	}
	if _, ok := KindOf(r); !ok {
		return ErrNoCaseFor
	}
	c, errs := f.Contact(s.Now())
	if len(errs) > 0 {
		return errs
	}
	switch existing, err := s.Store.Case(ctx, token); {
	case err == nil && !existing.Open():
		return ErrCaseEnded
	case err != nil && !errors.Is(err, ErrNotFound):
		return err
	}
	plain, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("cases: encode contact: %w", err)
	}
	return s.Contacts.SaveContact(ctx, &SealedContact{Token: token, Sealed: s.Sealer.Seal(plain, token), ConsentAt: c.ConsentAt})
}

// Contact opens the contact of case id for staff member viewer. The view is recorded in the
// audit trail first: a view that could not be recorded is refused. Whether viewer may see it
// (the assignee and the unit's managers) is for the caller to decide.
func (s *Service) Contact(ctx context.Context, id, viewer string) (*Contact, error) {
	sc, err := s.Contacts.SealedContact(ctx, id)
	if err != nil {
		return nil, err
	}
	e := account.AuditEntry{At: s.Now().UTC(), User: viewer, Action: AuditContactView, Target: Ref(id)}
	if err := s.Audit.Record(ctx, e); err != nil {
		return nil, err
	}
	plain, err := s.Sealer.Open(sc.Sealed, id)
	if err != nil {
		return nil, survey.Wrap(err)
	}
	var c Contact
	if err := json.Unmarshal(plain, &c); err != nil {
		return nil, survey.Wrap(fmt.Errorf("cases: decode contact: %w", err))
	}
	c.ConsentAt = sc.ConsentAt
	return &c, nil
}

// EraseContacts erases the contacts whose case ended (was resolved or closed) more than
// Settings.ContactDays ago, and those whose case never opened within that time. A reopened
// case is open again, so its contact stays. It returns how many it erased.
func (s *Service) EraseContacts(ctx context.Context) (int, error) {
	set, err := s.Store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	days := set.ContactDays
	if days <= 0 {
		days = DefaultSettings().ContactDays
	}
	cutoff := s.Now().UTC().AddDate(0, 0, -days)
	var stale []string
	var firstErr error
	err = s.Contacts.EachContact(ctx, func(token string, consentAt time.Time) {
		c, err := s.Store.Case(ctx, token)
		switch {
		case errors.Is(err, ErrNotFound):
			if consentAt.Before(cutoff) {
				stale = append(stale, token)
			}
		case err != nil:
			if firstErr == nil {
				firstErr = err
			}
		case !c.Open() && c.SettledAt != nil && c.SettledAt.Before(cutoff):
			stale = append(stale, token)
		}
	})
	if err != nil {
		return 0, err
	}
	if len(stale) > 0 {
		if err := s.Contacts.DeleteContacts(ctx, stale); err != nil {
			return 0, err
		}
	}
	return len(stale), firstErr
}

// CitizenView is what the citizen's status page may show of a case: never its notes, its
// assignee, the officer or the dossier code.
type CitizenView struct {
	Ref        string
	Status     Status
	Receiving  bool // the response calls for a case that is being opened (a second or two)
	ReceivedAt time.Time
	DueAt      time.Time
	SettledAt  *time.Time
	Reply      string
}

// CitizenView is the status of the case of response token, or ErrNoResponse when that
// response does not exist or calls for no case.
func (s *Service) CitizenView(ctx context.Context, token string) (*CitizenView, error) {
	c, err := s.Store.Case(ctx, token)
	if err == nil {
		return &CitizenView{Ref: c.Ref, Status: c.Status, ReceivedAt: c.CreatedAt, DueAt: c.DueAt, SettledAt: c.SettledAt, Reply: c.Reply}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	r, err := s.Responses.Response(ctx, token)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, ErrNoResponse
	}
	if _, ok := KindOf(r); !ok {
		return nil, ErrNoCaseFor
	}
	return &CitizenView{Ref: Ref(token), Status: StatusOpen, Receiving: true, ReceivedAt: r.SubmittedAt}, nil
}
