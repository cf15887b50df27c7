package cases_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/cases"
)

func TestContactFormAcceptsVietnamesePhonesAndEmails(t *testing.T) {
	now := time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC)
	tests := []struct {
		name         string
		form         cases.ContactForm
		phone, email string
		errs         string // the fields in error, in order
	}{
		{name: "mobile with spaces", form: cases.ContactForm{Phone: "0912 345 678", Consent: true}, phone: "0912345678"},
		{name: "mobile with dots", form: cases.ContactForm{Phone: "0912.345.678", Consent: true}, phone: "0912345678"},
		{name: "+84 form", form: cases.ContactForm{Phone: "+84 912 345 678", Consent: true}, phone: "0912345678"},
		{name: "landline, 11 digits", form: cases.ContactForm{Phone: "0234 3822 123", Consent: true}, phone: "02343822123"},
		{name: "e-mail only", form: cases.ContactForm{Email: " lan.nguyen@example.vn ", Consent: true}, email: "lan.nguyen@example.vn"},
		{name: "both", form: cases.ContactForm{Phone: "0912345678", Email: "a@b.vn", Consent: true}, phone: "0912345678", email: "a@b.vn"},
		{name: "nothing", form: cases.ContactForm{Consent: true}, errs: "phone"},
		{name: "no consent", form: cases.ContactForm{Phone: "0912345678"}, errs: "consent"},
		{name: "too short", form: cases.ContactForm{Phone: "091234567", Consent: true}, errs: "phone"},
		{name: "too long", form: cases.ContactForm{Phone: "091234567890", Consent: true}, errs: "phone"},
		{name: "no leading 0", form: cases.ContactForm{Phone: "912345678", Consent: true}, errs: "phone"},
		{name: "letters", form: cases.ContactForm{Phone: "09123abc78", Consent: true}, errs: "phone"},
		{name: "international prefix 00", form: cases.ContactForm{Phone: "0084912345678", Consent: true}, errs: "phone"},
		{name: "e-mail without domain", form: cases.ContactForm{Email: "lan@", Consent: true}, errs: "email"},
		{name: "e-mail without a dot", form: cases.ContactForm{Email: "lan@localhost", Consent: true}, errs: "email"},
		{name: "e-mail with a name", form: cases.ContactForm{Email: "Lan <lan@example.vn>", Consent: true}, errs: "email"},
		{name: "everything wrong", form: cases.ContactForm{Phone: "12", Email: "x"}, errs: "phone email consent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, errs := tc.form.Contact(now)
			var got []string
			for _, e := range errs {
				got = append(got, e.Question)
				if e.Message.VI == "" || e.Message.EN == "" || strings.HasPrefix(e.Message.VI, "contact.") {
					t.Errorf("%s: message %+v is not translated", e.Question, e.Message)
				}
			}
			if strings.Join(got, " ") != tc.errs {
				t.Fatalf("fields in error %q, want %q", got, tc.errs)
			}
			if tc.errs != "" {
				return
			}
			if c.Phone != tc.phone || c.Email != tc.email || !c.ConsentAt.Equal(now) {
				t.Errorf("contact %+v, want phone %q, e-mail %q, consent at %v", c, tc.phone, tc.email, now)
			}
		})
	}
}

func TestSealerOpensOnlyWithItsKeyAndLabel(t *testing.T) {
	key, other := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(key)
	_, _ = rand.Read(other)
	s, err := cases.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"phone":"0912345678"}`)
	a, b := s.Seal(plain, "token-1"), s.Seal(plain, "token-1")
	if bytes.Equal(a, b) {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if bytes.Contains(a, []byte("0912345678")) {
		t.Error("the sealed value holds the phone number in clear")
	}
	if got, err := s.Open(a, "token-1"); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("open: %q, %v", got, err)
	}
	wrong, _ := cases.NewSealer(other)
	if _, err := wrong.Open(a, "token-1"); !errors.Is(err, cases.ErrSealBroken) {
		t.Errorf("another key opened it: %v", err)
	}
	if _, err := s.Open(a, "token-2"); !errors.Is(err, cases.ErrSealBroken) {
		t.Errorf("it opened for another document: %v", err)
	}
	a[len(a)-1] ^= 1
	if _, err := s.Open(a, "token-1"); !errors.Is(err, cases.ErrSealBroken) {
		t.Errorf("an altered value opened: %v", err)
	}
	if _, err := cases.NewSealer(key[:16]); err == nil {
		t.Error("a 16-byte key was taken for AES-256")
	}
}

// A digest stands in for a dossier code: the same under one key, another under another key,
// and the code cannot be read from it.
func TestDigestHidesTheValueAndNeedsTheKey(t *testing.T) {
	a, _ := cases.NewSealer(make([]byte, cases.KeySize))
	other := make([]byte, cases.KeySize)
	other[0] = 1
	b, _ := cases.NewSealer(other)
	d := a.Digest("H48-260331-0001|tok")
	if d != a.Digest("H48-260331-0001|tok") || d == b.Digest("H48-260331-0001|tok") || d == a.Digest("H48-260331-0002|tok") {
		t.Errorf("digests not keyed or not stable: %s", d)
	}
	if !strings.HasPrefix(d, "#") || strings.Contains(d, "H48") || len(d) != 33 {
		t.Errorf("digest %q", d)
	}
}
