package alerts_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/alerts"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mail"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/testkit"
	"github.com/hailong/hailong/internal/webhook"
)

var ctx = context.Background()

func sealer(t *testing.T) *cases.Sealer {
	s, err := cases.NewSealer(make([]byte, cases.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// receiver is a webhook receiver that checks each request's signature the way the README tells
// receivers to, and answers from a script of status codes (200 once the script runs out).
type receiver struct {
	t       *testing.T
	mu      sync.Mutex
	secret  string
	script  []int
	byID    map[string]int // requests per webhook-id
	bodies  map[string]map[string]any
	delay   time.Duration
	badSigs int
	srv     *httptest.Server
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{t: t, script: script, byID: map[string]int{}, bodies: map[string]map[string]any{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts, sig := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.secret, "whsec_"))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !strings.Contains(" "+sig+" ", " "+want+" ") {
		r.badSigs++
	}
	r.byID[id]++
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	r.bodies[id] = m
	status := http.StatusOK
	if len(r.script) > 0 {
		status, r.script = r.script[0], r.script[1:]
	}
	w.WriteHeader(status)
}

func (r *receiver) seen() (map[string]int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.byID {
		out[k] = v
	}
	return out, r.badSigs
}

type rig struct {
	db       *mongodb.DB
	store    *mongodb.OutboxStore
	webhooks *webhook.Service
	box      *outbox.Outbox
	cases    *alerts.Cases
}

func newRig(t *testing.T, db *mongodb.DB) *rig {
	r := &rig{db: db, store: mongodb.NewOutboxStore(db)}
	r.webhooks = &webhook.Service{Store: mongodb.NewWebhookStore(db), Sealer: sealer(t), Now: time.Now, Client: webhook.NewClient(true, "test")}
	r.box = outbox.New(r.store, []outbox.Router{r.webhooks}, map[string]outbox.Sender{outbox.KindWebhook: r.webhooks}, testkit.Logger(t), time.Now)
	r.box.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	r.cases = &alerts.Cases{Outbox: r.box, BaseURL: "https://hailong.example.gov.vn"}
	return r
}

// integrityCase is a case opened an hour ago: its deliveries are retried for the rest of the
// day (a fixed date would leave that day, and the retries with it, once the tests run later).
func integrityCase(token string) *cases.Case {
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	return cases.New(&cases.Seed{Token: token, Kind: cases.KindIntegrity, Rating: 2, DossierCode: "H48-1", Field: "land",
		Agency: "H48", Counter: "c1", Officer: "o1", Comment: "gọi 0912345678", Channel: "qr", SubmittedAt: at}, cases.DefaultCalendar(), 5)
}

// drain steps the outbox until nothing is pending, or fails after a while.
func drain(t *testing.T, boxes ...*outbox.Outbox) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var wg sync.WaitGroup
		for _, b := range boxes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := b.Step(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		pending, err := boxes[0].Store.Deliveries(ctx, outbox.Filter{Status: outbox.StatusPending})
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("deliveries still pending after 30 s")
}

// A receiver that fails three times gets the event on the fourth attempt, signed with its
// secret every time under the same webhook-id, and announcing the event again changes nothing.
func TestWebhookRetriedUntilTheReceiverRecovers(t *testing.T) {
	r := newRig(t, testkit.Store(t))
	rcv := newReceiver(t, 503, 500, 502)
	e, secret, err := r.webhooks.Register(ctx, webhook.Form{URL: rcv.srv.URL + "/hook", Events: []string{outbox.CaseOpened}}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	if !strings.HasPrefix(secret, "whsec_") || e.Secret == nil || strings.Contains(string(e.Secret), secret[6:]) {
		t.Fatalf("secret %q must be whsec_… and stored sealed", secret)
	}
	c := integrityCase("tok-1")
	if err := r.cases.CasesOpened(ctx, []*cases.Case{c}); err != nil {
		t.Fatal(err)
	}
	drain(t, r.box)
	if err := r.cases.CasesOpened(ctx, []*cases.Case{c}); err != nil { // a crash repeats the opening
		t.Fatal(err)
	}
	drain(t, r.box)
	seen, bad := rcv.seen()
	if len(seen) != 1 || bad != 0 {
		t.Fatalf("receiver saw %v with %d bad signatures; want one webhook-id, all signed", seen, bad)
	}
	for id, n := range seen {
		if n != 4 {
			t.Fatalf("webhook-id %s came %d times; want 3 failures then 1 success = 4", id, n)
		}
		body := rcv.bodies[id]
		data, _ := body["data"].(map[string]any)
		if body["type"] != "case.opened" || data["ref"] != c.Ref || data["kind"] != "integrity" {
			t.Fatalf("body %v", body)
		}
		if _, leak := data["comment"]; leak || strings.Contains(mustJSON(body), "0912345678") || strings.Contains(mustJSON(body), "o1") {
			t.Fatalf("the event must carry no comment and no officer: %v", body)
		}
	}
	ds, _ := r.store.Deliveries(ctx, outbox.Filter{})
	if len(ds) != 1 || ds[0].Status != outbox.StatusDelivered || ds[0].Attempts != 4 || ds[0].LastStatus != 200 {
		t.Fatalf("deliveries %+v; want one delivered after 4 attempts", ds)
	}
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// Two instances on one store deliver twenty events to a slow receiver: each attempt is made by
// one of them only, so the receiver sees every event exactly once.
func TestTwoInstancesNeverMakeTheSameAttempt(t *testing.T) {
	db := testkit.Store(t)
	a, b := newRig(t, db), newRig(t, db)
	rcv := newReceiver(t)
	rcv.delay = 30 * time.Millisecond
	_, secret, err := a.webhooks.Register(ctx, webhook.Form{URL: rcv.srv.URL, Events: []string{outbox.CaseOpened}}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	var cs []*cases.Case
	for i := range 20 {
		cs = append(cs, integrityCase("tok-"+string(rune('a'+i))))
	}
	if err := a.cases.CasesOpened(ctx, cs); err != nil {
		t.Fatal(err)
	}
	drain(t, a.box, b.box)
	seen, bad := rcv.seen()
	if len(seen) != 20 || bad != 0 {
		t.Fatalf("receiver saw %d events (%d bad signatures); want 20", len(seen), bad)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("event %s was sent %d times", id, n)
		}
	}
}

// A private or loopback address is refused when the endpoint is registered (naming the URL)
// and again when it is dialled, after DNS, unless private addresses are allowed.
func TestWebhookRefusesPrivateAddresses(t *testing.T) {
	db := testkit.Store(t)
	s := &webhook.Service{Store: mongodb.NewWebhookStore(db), Sealer: sealer(t), Now: time.Now, Client: webhook.NewClient(false, "test")}
	for _, u := range []string{"http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "http://169.254.169.254/latest", "http://localhost/x", "ftp://example.gov.vn/x", "https://user:pw@example.gov.vn/x", "not a url"} {
		_, _, err := s.Register(ctx, webhook.Form{URL: u, Events: []string{outbox.CaseOpened}}, "admin")
		if err == nil || !strings.Contains(err.Error(), "url") {
			t.Errorf("%s: %v; want refused naming the url", u, err)
		}
	}
	if _, _, err := s.Register(ctx, webhook.Form{URL: "https://he-thong.example.gov.vn/hooks", Events: []string{"case.exploded"}}, "admin"); err == nil {
		t.Error("an unknown event was accepted")
	}
	// A public-looking name that resolves to loopback is refused when dialled.
	rcv := newReceiver(t)
	port := rcv.srv.URL[strings.LastIndex(rcv.srv.URL, ":"):]
	out := webhook.NewClient(false, "test").Post(ctx, "http://localtest.me.example"+port, "evt_1", time.Now(), []byte("{}"), nil)
	if out.Err == nil {
		t.Fatal("posting to an unresolvable name succeeded")
	}
	c := webhook.NewClient(false, "test")
	if o := c.Post(ctx, rcv.srv.URL, "evt_1", time.Now(), []byte("{}"), nil); o.Err == nil || !o.Permanent {
		t.Fatalf("posting to %s: %+v; want refused for good", rcv.srv.URL, o)
	}
	if seen, _ := rcv.seen(); len(seen) != 0 {
		t.Fatal("a request reached the loopback receiver")
	}
}

// Redirects are not followed and a long answer is not read past 64 KB.
func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	target := newReceiver(t)
	redirect := httptest.NewServer(http.RedirectHandler(target.srv.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	o := webhook.NewClient(true, "test").Post(ctx, redirect.URL, "evt_1", time.Now(), []byte("{}"), nil)
	if o.Err == nil || o.Status != http.StatusTemporaryRedirect || !strings.Contains(o.Err.Error(), "redirect") {
		t.Fatalf("%+v; want a failure naming the redirect", o)
	}
	if seen, _ := target.seen(); len(seen) != 0 {
		t.Fatal("the redirect was followed")
	}
}

// A manager's integrity alert reaches their mailbox in Vietnamese (English for a user who chose
// it) even when the SMTP server refused it at first; users who did not ask get nothing.
func TestMailAlertsSurviveARefusingServer(t *testing.T) {
	db := testkit.Store(t)
	mp := testkit.StartMailpit(t)
	users := mongodb.NewUserStore(db)
	for _, u := range []account.User{
		{Name: "quanly", Role: account.RoleManager, Email: "quanly@donvi.gov.vn"},
		{Name: "manager-en", Role: account.RoleManager, Email: "en@donvi.gov.vn", Lang: "en"},
		{Name: "xa-khac", Role: account.RoleManager, Agency: "X99", Email: "khac@donvi.gov.vn"},
		{Name: "canbo", Role: account.RoleOfficer, Agency: "H48", Counter: "c1", Email: "canbo@donvi.gov.vn"},
		{Name: "tat", Role: account.RoleManager, Email: "tat@donvi.gov.vn", Notify: &account.Notify{}},
	} {
		u.PasswordHash, u.CreatedAt = "x", time.Now()
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	m, err := mail.New(mp.SMTPURL, "Hài Lòng <khaosat@donvi.gov.vn>")
	if err != nil {
		t.Fatal(err)
	}
	m.Users, m.BaseURL = users, "https://hailong.example.gov.vn"
	m.Scope = func(own, agency string) bool { return own == "" || own == agency }
	store := mongodb.NewOutboxStore(db)
	box := outbox.New(store, []outbox.Router{m}, map[string]outbox.Sender{outbox.KindMail: m}, testkit.Logger(t), time.Now)
	box.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	mp.Refuse(451)
	c := integrityCase("tok-mail")
	if err := (&alerts.Cases{Outbox: box, BaseURL: m.BaseURL}).CasesOpened(ctx, []*cases.Case{c}); err != nil {
		t.Fatal(err)
	}
	if _, err := box.Step(ctx); err != nil {
		t.Fatal(err)
	}
	ds, _ := store.Deliveries(ctx, outbox.Filter{})
	if len(ds) != 2 {
		t.Fatalf("%d deliveries; want the two managers of the whole centre", len(ds))
	}
	for _, d := range ds {
		if d.Status != outbox.StatusPending || d.Attempts != 1 || d.LastStatus != 451 {
			t.Fatalf("after a refusal: %+v; want pending, 1 attempt, SMTP 451", d)
		}
	}
	mp.Accept()
	drain(t, box)
	got := mp.Messages()
	if len(got) != 2 {
		t.Fatalf("%d messages arrived; want 2", len(got))
	}
	for _, msg := range got {
		switch msg.To[0].Address {
		case "quanly@donvi.gov.vn":
			if !strings.Contains(msg.Subject, "Phản ánh mới "+c.Ref) || !strings.Contains(msg.Text, "đòi tiền") ||
				!strings.Contains(msg.HTML, "https://hailong.example.gov.vn/cases/"+c.ID) {
				t.Errorf("Vietnamese alert: %q\n%s", msg.Subject, msg.Text)
			}
		case "en@donvi.gov.vn":
			if !strings.Contains(msg.Subject, "New case "+c.Ref) || !strings.Contains(msg.Text, "unofficial payment") {
				t.Errorf("English alert: %q\n%s", msg.Subject, msg.Text)
			}
		default:
			t.Errorf("mail to %s, who did not ask for it", msg.To[0].Address)
		}
		if strings.Contains(msg.Text, "0912345678") {
			t.Error("the citizen's comment leaked into the mail")
		}
	}
}

// A case's life reaches the outbox: opened, due soon (the reminder), overdue (the escalation)
// and resolved, each once; a change stored but cut off before the case document followed is
// announced by the reader that rolls it forward.
func TestCaseEventsFollowTheCase(t *testing.T) {
	db := testkit.Store(t)
	store := mongodb.NewOutboxStore(db)
	box := outbox.New(store, nil, nil, testkit.Logger(t), time.Now)
	announce := &alerts.Cases{Outbox: box, BaseURL: "https://hailong.example.gov.vn"}
	caseStore := mongodb.NewCaseStore(db)
	caseStore.Announce = announce.CaseChanged
	tz := stats.TimeZone()
	clock := time.Date(2026, 11, 30, 9, 0, 0, 0, tz)
	svc := &cases.Service{Store: caseStore, Log: testkit.Logger(t), Now: func() time.Time { return clock }, Announce: announce}
	c := integrityCase("tok-life") // opened Monday 30/11 09:00, five working days: due Monday 7/12
	seed := cases.Seed{Token: c.ID, Kind: c.Kind, Rating: c.Rating, Field: c.Field, Agency: c.Agency, Channel: c.Channel, SubmittedAt: clock}
	if err := svc.OpenCases(ctx, []cases.Seed{seed, seed}); err != nil {
		t.Fatal(err)
	}
	d := cases.NewDeadlines(svc, mongodb.NewLeaseStore(db), func(string) string { return "H00" }, testkit.Logger(t))
	for _, at := range []time.Time{
		time.Date(2026, 12, 4, 9, 0, 0, 0, tz), // Friday: one working day left, reminded
		time.Date(2026, 12, 4, 9, 5, 0, 0, tz), // again: nothing new
		time.Date(2026, 12, 8, 9, 0, 0, 0, tz), // Tuesday: past due, escalated
	} {
		clock = at
		if _, _, err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	current, err := caseStore.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Act(ctx, c.ID, current.Version, "quanly", cases.Action{Name: cases.ActResolve, Text: "Đã xác minh, xử lý cán bộ."}); err != nil {
		t.Fatal(err)
	}
	counts, evs := recorded(t, store)
	want := eventCount{outbox.CaseOpened: 1, outbox.CaseDueSoon: 1, outbox.CaseOverdue: 1, outbox.CaseResolved: 1}
	if len(counts) != len(want) {
		t.Fatalf("recorded %v; want %v", counts, want)
	}
	for k, n := range want {
		if counts[k] != n {
			t.Fatalf("recorded %v; want %v", counts, want)
		}
	}
	for _, ev := range evs {
		if ev.Type == outbox.CaseOverdue && ev.Fields()["escalated_to"] != "H00" {
			t.Errorf("overdue event %s does not say where it was escalated", ev.Data)
		}
		if ev.Type == outbox.CaseResolved && ev.Fields()["status"] != "resolved" {
			t.Errorf("resolved event %s", ev.Data)
		}
	}

	// A change stored as a change but cut off before the case document followed: whoever reads
	// the case next rolls it forward and announces it.
	c2 := integrityCase("tok-cut")
	if err := svc.OpenCases(ctx, []cases.Seed{{Token: c2.ID, Kind: c2.Kind, Field: c2.Field, Agency: c2.Agency, SubmittedAt: clock.Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	opened, _ := caseStore.Case(ctx, c2.ID)
	next := *opened
	now := clock
	next.Status, next.Outcome, next.SettledAt, next.Version = cases.StatusResolved, "Đã trả lời.", &now, opened.Version+1
	next.Notes = append(next.Notes, cases.Note{At: now, By: "quanly", Action: cases.ActResolve, Text: "Đã trả lời."})
	if _, err := db.DB.Collection("case_changes").InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("%s@%d", next.ID, next.Version)}, {Key: "case", Value: &next}}); err != nil {
		t.Fatal(err)
	}
	if got, err := caseStore.Case(ctx, c2.ID); err != nil || got.Status != cases.StatusResolved {
		t.Fatalf("rolled forward: %+v %v", got, err)
	}
	if counts, _ := recorded(t, store); counts[outbox.CaseResolved] != 2 {
		t.Fatalf("recorded %v; want the rolled-forward change announced too", counts)
	}
}

// Delivered events and their log go after the keeping time; one an admin resent and still
// pending stays, and so do recent ones.
func TestOutboxForgetsOldDeliveredEvents(t *testing.T) {
	r := newRig(t, testkit.Store(t))
	rcv := newReceiver(t)
	_, secret, err := r.webhooks.Register(ctx, webhook.Form{URL: rcv.srv.URL, Events: []string{outbox.CaseOpened}}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = secret
	old1, old2, recent := integrityCase("tok-old-1"), integrityCase("tok-old-2"), integrityCase("tok-new")
	now := time.Now()
	old1.CreatedAt, old2.CreatedAt, recent.CreatedAt = now.Add(-40*24*time.Hour), now.Add(-40*24*time.Hour), now
	if err := r.cases.CasesOpened(ctx, []*cases.Case{old1, old2, recent}); err != nil {
		t.Fatal(err)
	}
	drain(t, r.box)
	ds, _ := r.store.Deliveries(ctx, outbox.Filter{})
	var resend string
	for _, d := range ds {
		if d.Event == outbox.ID(outbox.CaseOpened, old2.ID) {
			resend = d.ID
		}
	}
	if err := r.store.Resend(ctx, resend, time.Now()); err != nil { // pending again
		t.Fatal(err)
	}
	if _, err := r.store.PurgeBefore(ctx, now.Add(-30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	left, _ := r.store.Deliveries(ctx, outbox.Filter{})
	kept := map[string]bool{}
	for _, d := range left {
		kept[d.Event] = true
	}
	if len(left) != 2 || !kept[outbox.ID(outbox.CaseOpened, old2.ID)] || !kept[outbox.ID(outbox.CaseOpened, recent.ID)] {
		t.Fatalf("left %+v; want the resent one and the recent one", left)
	}
	if _, err := r.store.Event(ctx, outbox.ID(outbox.CaseOpened, old1.ID)); err != outbox.ErrNotFound {
		t.Fatalf("the old delivered event is still kept: %v", err)
	}
	if _, err := r.store.Event(ctx, outbox.ID(outbox.CaseOpened, old2.ID)); err != nil {
		t.Fatalf("the resent event was forgotten: %v", err)
	}
}
