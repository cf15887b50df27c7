package mongodb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/survey"
)

// contactDesk is a case service with the contact parts on f's store, a clock the test moves
// and a key of its own.
type contactDesk struct {
	*cases.Service
	mu  sync.Mutex
	now time.Time
}

func (f *fixture) contactDesk(key []byte) *contactDesk {
	f.t.Helper()
	if key == nil {
		key = make([]byte, cases.KeySize)
		_, _ = rand.Read(key)
	}
	sealer, err := cases.NewSealer(key)
	if err != nil {
		f.t.Fatal(err)
	}
	d := &contactDesk{now: day.Add(2 * time.Hour)}
	d.Service = &cases.Service{Store: mongodb.NewCaseStore(f.db), Log: f.cases.Log, Now: d.clock,
		Contacts: mongodb.NewContactStore(f.db), Sealer: sealer, Responses: f.responses, Audit: mongodb.NewAuditStore(f.db)}
	return d
}

func (d *contactDesk) clock() time.Time { d.mu.Lock(); defer d.mu.Unlock(); return d.now }

func (d *contactDesk) advance(by time.Duration) { d.mu.Lock(); d.now = d.now.Add(by); d.mu.Unlock() }

// rawContacts reads the contacts collection as stored.
func (f *fixture) rawContacts() []bson.Raw {
	f.t.Helper()
	cur, err := f.db.DB.Collection("contacts").Find(context.Background(), bson.D{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []bson.Raw
	if err := cur.All(context.Background(), &out); err != nil {
		f.t.Fatal(err)
	}
	return out
}

func TestContactIsStoredSealedAndEachViewAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	key := make([]byte, cases.KeySize)
	_, _ = rand.Read(key)
	desk := f.contactDesk(key)
	r := response(f.ticket(1, "land"), 1)
	f.store(r)
	// The case is not open yet (the worker has not run): the contact is taken all the same.
	form := cases.ContactForm{Phone: "0912 345 678", Email: "lan.nguyen@example.vn", Consent: true, Lang: "vi"}
	if err := desk.SaveContact(ctx, r.Token, form); err != nil {
		t.Fatal(err)
	}

	raw := f.rawContacts()
	if len(raw) != 1 {
		t.Fatalf("%d contact documents, want 1", len(raw))
	}
	for _, clear := range []string{"0912345678", "0912 345 678", "lan.nguyen", "example.vn"} {
		if bytes.Contains(raw[0], []byte(clear)) {
			t.Errorf("the stored contact holds %q in clear: %s", clear, raw[0])
		}
	}
	elems, _ := raw[0].Elements()
	var names []string
	for _, e := range elems {
		names = append(names, e.Key())
	}
	if len(names) != 3 || names[0] != "_id" || names[1] != "sealed" || names[2] != "consent_at" {
		t.Errorf("stored fields %v, want only _id, sealed and consent_at", names)
	}
	if id, _ := raw[0].Lookup("_id").StringValueOK(); id != r.Token {
		t.Errorf("_id %q, want the response token", id)
	}

	f.exact() // the case opens
	c, err := desk.Contact(ctx, r.Token, "truong.phong")
	if err != nil {
		t.Fatal(err)
	}
	if c.Phone != "0912345678" || c.Email != "lan.nguyen@example.vn" || c.Lang != "vi" || !c.ConsentAt.Equal(day.Add(2*time.Hour)) {
		t.Errorf("contact read back as %+v", c)
	}
	entries, err := mongodb.NewAuditStore(f.db).Recent(ctx, 10)
	if err != nil || len(entries) != 1 || entries[0].Action != cases.AuditContactView || entries[0].User != "truong.phong" || entries[0].Target != cases.Ref(r.Token) {
		t.Fatalf("audit trail %+v, %v; want one %s by truong.phong on %s", entries, err, cases.AuditContactView, cases.Ref(r.Token))
	}

	// A server with another key cannot open it.
	if _, err := f.contactDesk(nil).Contact(ctx, r.Token, "truong.phong"); err == nil || survey.ErrorCode(err) != survey.CodeUnavailable {
		t.Errorf("another key opened the contact: %v", err)
	}
}

func TestContactRefusalsStoreNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	desk := f.contactDesk(nil)
	rated1 := response(f.ticket(1, "land"), 1)
	rated5 := response(f.ticket(2, "land"), 5)
	f.store(rated1)
	f.store(rated5)
	good := cases.ContactForm{Phone: "0912345678", Consent: true, Lang: "vi"}
	tests := []struct {
		name  string
		token string
		form  cases.ContactForm
		want  error  // a domain error, or nil for field errors
		field string // the field in error
	}{
		{"no consent", rated1.Token, cases.ContactForm{Phone: "0912345678"}, nil, cases.FieldConsent},
		{"bad phone", rated1.Token, cases.ContactForm{Phone: "12345", Consent: true}, nil, cases.FieldPhone},
		{"bad e-mail", rated1.Token, cases.ContactForm{Email: "lan@@example", Consent: true}, nil, cases.FieldEmail},
		{"neither", rated1.Token, cases.ContactForm{Consent: true}, nil, cases.FieldPhone},
		{"a response that calls for no case", rated5.Token, good, cases.ErrNoCaseFor, ""},
		{"an unknown token", survey.NewToken(), good, cases.ErrNoResponse, ""},
	}
	for _, tc := range tests {
		err := desk.SaveContact(ctx, tc.token, tc.form)
		var fields survey.FieldErrors
		switch {
		case tc.want != nil && !errors.Is(err, tc.want):
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		case tc.want == nil && (!errors.As(err, &fields) || fields[0].Question != tc.field):
			t.Errorf("%s: %v, want an error on %s", tc.name, err, tc.field)
		}
	}
	if raw := f.rawContacts(); len(raw) != 0 {
		t.Fatalf("refused contacts were stored: %d documents", len(raw))
	}
}

func TestContactsAreErasedContactDaysAfterTheCaseEnds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	desk := f.contactDesk(nil)
	resolved, reopened, open := response(f.ticket(1, "land"), 1), response(f.ticket(2, "land"), 2), response(f.ticket(3, "land"), 1)
	for _, r := range []*survey.Response{resolved, reopened, open} {
		f.store(r)
		if err := desk.SaveContact(ctx, r.Token, cases.ContactForm{Phone: "0912345678", Consent: true}); err != nil {
			t.Fatal(err)
		}
	}
	f.exact()
	act := func(token, name string) {
		t.Helper()
		c, err := desk.Store.Case(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := desk.Act(ctx, token, c.Version, "truong.phong", cases.Action{Name: name, Text: "Đã gọi điện trao đổi"}); err != nil {
			t.Fatal(err)
		}
	}
	act(resolved.Token, cases.ActResolve)
	act(reopened.Token, cases.ActResolve)
	act(reopened.Token, cases.ActReopen)
	// A case that has ended takes no new contact.
	if err := desk.SaveContact(ctx, resolved.Token, cases.ContactForm{Phone: "0987654321", Consent: true}); !errors.Is(err, cases.ErrCaseEnded) {
		t.Errorf("contact for an ended case: %v, want %v", err, cases.ErrCaseEnded)
	}

	remaining := func() map[string]bool {
		out := map[string]bool{}
		for _, raw := range f.rawContacts() {
			out[raw.Lookup("_id").StringValue()] = true
		}
		return out
	}
	desk.advance(89 * 24 * time.Hour)
	if n, err := desk.EraseContacts(ctx); err != nil || n != 0 || len(remaining()) != 3 {
		t.Fatalf("89 days after: erased %d (%v), %d left; want none erased", n, err, len(remaining()))
	}
	desk.advance(2 * 24 * time.Hour)
	if n, err := desk.EraseContacts(ctx); err != nil || n != 1 {
		t.Fatalf("91 days after: erased %d, %v; want 1", n, err)
	}
	if left := remaining(); len(left) != 2 || left[resolved.Token] || !left[reopened.Token] || !left[open.Token] {
		t.Errorf("left %v: want the reopened and the open cases' contacts, not the resolved one's", left)
	}
	if _, err := desk.Contact(ctx, resolved.Token, "truong.phong"); !errors.Is(err, cases.ErrNoContact) {
		t.Errorf("erased contact read back: %v", err)
	}

	// The keeping time is a setting.
	set, _ := desk.Store.Settings(ctx)
	set.ContactDays = 10
	if err := desk.Store.SaveSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	act(open.Token, cases.ActClose)
	desk.advance(11 * 24 * time.Hour)
	if n, err := desk.EraseContacts(ctx); err != nil || n != 1 || remaining()[open.Token] {
		t.Errorf("11 days after closing with ContactDays 10: erased %d, %v; left %v", n, err, remaining())
	}
}
