package web_test

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
	"github.com/redis/go-redis/v9"
)

const testAgency = "000.00.53.H48"

// twin starts a second server instance sharing e's store and Redis, as a second replica
// behind a load balancer would.
func (e *env) twin() *env {
	t := e.t
	t.Helper()
	rdb := redis.NewClient(e.rdb.Options())
	t.Cleanup(func() { _ = rdb.Close() })
	cfg, err := config.Load(testkit.Env("HAILONG_BASE_URL=https://hailong.test"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.IPHashSalt, cfg.DataDir, cfg.RedisPrefix = "twin", e.dataDir, e.redisPrefix
	a := startApp(t, cfg, e.db, rdb, testkit.Logger(t), e.clock)
	app := a.HTTP
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return &env{t: t, app: app, key: e.key, now: e.now, db: e.db, store: a.Responses, rdb: rdb, redisPrefix: e.redisPrefix, dataDir: e.dataDir, base: "http://" + ln.Addr().String()}
}

// issueAt issues a ticket for a dossier completed at counter of the test agency.
func (e *env) issueAt(dossier, counter string) ticketJSON {
	e.t.Helper()
	body := fmt.Sprintf(`{"dossier_code":%q,"field":"civil-status","agency":%q,"counter":%q,"procedure_name":"Đăng ký khai sinh"}`, dossier, testAgency, counter)
	status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
	if status != http.StatusCreated {
		e.t.Fatalf("issue %s at %s: %d %s", dossier, counter, status, resp)
	}
	var t ticketJSON
	if err := json.Unmarshal([]byte(resp), &t); err != nil {
		e.t.Fatal(err)
	}
	return t
}

// kioskClient is a tablet: its device cookie, and the server it talks to.
type kioskClient struct {
	e     *env
	token string
}

func (k *kioskClient) headers(extra ...string) []string {
	return append([]string{"Cookie", "hl_kiosk=" + k.token, "X-Hailong-Kiosk", "1"}, extra...)
}

func (k *kioskClient) post(path, body string) (int, string) {
	status, _, resp := k.e.post(path, "application/json", body, k.headers()...)
	return status, resp
}

func (k *kioskClient) status() (int, map[string]any) {
	status, _, body := k.e.get("/api/v1/kiosk/status", "Cookie", "hl_kiosk="+k.token)
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return status, m
}

// rate sends a rating of the dossier with token ("" for none) under an idempotency key, by the
// reference the tablets of its counter were pushed.
func (k *kioskClient) rate(token, key string, overall int, extra string) (int, string) {
	ref := ""
	if token != "" {
		ref = k.e.kioskRef(token)
	}
	return k.post("/api/v1/kiosk/responses", fmt.Sprintf(`{"ref":%q,"idempotency_key":%q,"answers":{"overall":%d}%s}`, ref, key, overall, extra))
}

// kioskRef is the reference the tablets were pushed for the dossier with token: sealed from
// the stored ticket with the key kept in the store, as the server seals it.
func (e *env) kioskRef(token string) string {
	e.t.Helper()
	var key struct{ Value string }
	if err := e.db.DB.Collection("settings").FindOne(context.Background(), bson.D{{Key: "_id", Value: "kiosk_ref_key"}}).Decode(&key); err != nil {
		e.t.Fatalf("kiosk reference key: %v", err)
	}
	raw, err := hex.DecodeString(key.Value)
	if err != nil {
		e.t.Fatal(err)
	}
	refs, err := kiosk.NewRefs(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	tk := e.storedTicket(token)
	return refs.Seal(&kiosk.CurrentDossier{Counter: kiosk.CounterKey(tk.Agency, tk.Counter), Token: tk.Token, IssuedAt: tk.IssuedAt})
}

var cookiePattern = regexp.MustCompile(`^hl_kiosk=([^;]+);`)

// newTablet asks for a pairing code as a fresh tablet does.
func (e *env) newTablet() (*kioskClient, string) {
	e.t.Helper()
	status, hdr, body := e.post("/api/v1/kiosk/pair", "application/json", "", "X-Hailong-Kiosk", "1")
	if status != http.StatusCreated {
		e.t.Fatalf("pair: %d %s", status, body)
	}
	m := cookiePattern.FindStringSubmatch(hdr.Get("Set-Cookie"))
	if m == nil {
		e.t.Fatalf("no device cookie in %q", hdr.Get("Set-Cookie"))
	}
	var st struct{ State, PairingCode string }
	st.PairingCode = jsonField(body, "pairing_code")
	st.State = jsonField(body, "state")
	if st.State != "pending" || len(st.PairingCode) != 7 {
		e.t.Fatalf("pair answered %s", body)
	}
	return &kioskClient{e: e, token: m[1]}, st.PairingCode
}

func jsonField(body, name string) string {
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	s, _ := m[name].(string)
	return s
}

// kioskAdmins remembers the admin signed in on each test server.
var kioskAdmins sync.Map // *env → *admin

// kioskAdmin is an admin signed in on e, who pairs and revokes tablets through the JSON API.
func (e *env) kioskAdmin() *admin {
	e.t.Helper()
	if a, ok := kioskAdmins.Load(e); ok {
		return a.(*admin)
	}
	a := e.signInAdmin()
	kioskAdmins.Store(e, a)
	e.t.Cleanup(func() { kioskAdmins.Delete(e) })
	return a
}

// postJSON posts body as a signed-in admin's script does: the session cookie, and the
// session's CSRF token in X-CSRF-Token.
func (a *admin) postJSON(path, body string) (int, string) {
	status, _, resp := a.e.post(path, "application/json", body, "Cookie", a.cookie, "X-CSRF-Token", a.csrf)
	return status, resp
}

// adminPair pairs the tablet showing code with counter, as an admin does.
func (e *env) adminPair(code, counter string) (int, string) {
	body := fmt.Sprintf(`{"code":%q,"agency":%q,"counter":%q,"name":"Quầy %s"}`, code, testAgency, counter, counter)
	return e.kioskAdmin().postJSON("/api/v1/kiosk/devices/pair", body)
}

// allowFreeRatings turns ratings without a dossier on or off, as an admin does on /admin.
func (e *env) allowFreeRatings(on bool) string {
	form := url.Values{}
	if on {
		form.Set("free", "1")
	}
	loc := e.kioskAdmin().post("/admin/kiosks/free", form, http.StatusSeeOther)
	_, _, page := e.kioskAdmin().get(loc)
	return page
}

// pairedKiosk is a tablet paired with counter.
func (e *env) pairedKiosk(counter string) *kioskClient {
	e.t.Helper()
	k, code := e.newTablet()
	if status, body := e.adminPair(code, counter); status != http.StatusOK {
		e.t.Fatalf("admin pair: %d %s", status, body)
	}
	return k
}

func (k *kioskClient) id() string { return kiosk.DeviceID(k.token) }

// sseEvent is one event read off a kiosk stream, with when it arrived.
type sseEvent struct {
	Type string
	Data kiosk.Event
	Raw  string // the data line as sent
	At   time.Time
}

// sseStream is an open kiosk event stream read by a goroutine.
type sseStream struct {
	events chan sseEvent
	cancel func()
}

var streamClient = &http.Client{} // no timeout: streams stay open

// stream opens the kiosk's event stream on e.
func (k *kioskClient) stream(e *env) *sseStream {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.base+"/api/v1/kiosk/events", nil)
	req.Header.Set("Cookie", "hl_kiosk="+k.token)
	resp, err := streamClient.Do(req)
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		e.t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sseStream{events: make(chan sseEvent, 64), cancel: func() { cancel(); _ = resp.Body.Close() }}
	e.t.Cleanup(s.cancel)
	go s.read(bufio.NewScanner(resp.Body))
	return s
}

func (s *sseStream) read(sc *bufio.Scanner) {
	defer close(s.events)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			ev.Type = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.Raw = strings.TrimPrefix(line, "data: ")
			_ = json.Unmarshal([]byte(ev.Raw), &ev.Data)
		case line == "" && ev.Type != "":
			ev.At = time.Now()
			s.events <- ev
			ev = sseEvent{}
		}
	}
}

// next waits up to d for an event; ok is false on timeout or when the stream ended.
func (s *sseStream) next(d time.Duration) (sseEvent, bool) {
	select {
	case ev, ok := <-s.events:
		return ev, ok
	case <-time.After(d):
		return sseEvent{}, false
	}
}

// storedResponse reads the response with id straight from the store.
func (e *env) storedResponse(id string) (*survey.Response, bool) {
	e.t.Helper()
	var r survey.Response
	err := e.db.DB.Collection("responses").FindOne(context.Background(), bson.D{{Key: "_id", Value: id}}).Decode(&r)
	if err != nil {
		return nil, false
	}
	return &r, true
}

func TestKioskPairing(t *testing.T) {
	e := newEnv(t)
	if status, _, body := e.post("/api/v1/kiosk/pair", "application/json", ""); status != http.StatusForbidden {
		t.Fatalf("pair without the kiosk header: %d %s", status, body)
	}
	status, hdr, _ := e.post("/api/v1/kiosk/pair", "application/json", "", "X-Hailong-Kiosk", "1")
	cookie := hdr.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", "path=/"} {
		if status != http.StatusCreated || !strings.Contains(strings.ToLower(cookie), strings.ToLower(want)) {
			t.Fatalf("pair: %d, cookie %q lacks %s", status, cookie, want)
		}
	}

	k, code := e.newTablet()
	if st, m := k.status(); st != http.StatusOK || m["state"] != "pending" || m["pairing_code"] != code {
		t.Fatalf("status of a waiting tablet: %d %v", st, m)
	}
	try := `{"code":"` + code + `","agency":"A","counter":"c1"}`
	if st, _, _ := e.post("/api/v1/kiosk/devices/pair", "application/json", try); st != http.StatusUnauthorized {
		t.Fatalf("pairing without an admin credential: %d", st)
	}
	if st, _, _ := e.post("/api/v1/kiosk/devices/pair", "application/json", try, "Authorization", "Bearer "+e.key); st != http.StatusUnauthorized {
		t.Fatalf("pairing with the e-system's API key: %d, want 401 (admins only)", st)
	}
	manager := e.addUser("mgr", account.RoleManager, adminPassword)
	if st, _, _ := e.post("/api/v1/kiosk/devices/pair", "application/json", try, "Cookie", "hl_session="+e.mustSignIn(manager, adminPassword)); st != http.StatusForbidden {
		t.Fatalf("pairing as a manager: %d, want 403", st)
	}
	if st, _, _ := e.post("/api/v1/kiosk/devices/pair", "application/json", try, "Cookie", e.kioskAdmin().cookie); st != http.StatusForbidden {
		t.Fatalf("pairing as an admin without the CSRF token: %d, want 403", st)
	}
	if st, body := e.adminPair("ZZZ-ZZZ", "c1"); st != http.StatusNotFound || !strings.Contains(body, "Mã ghép nối") {
		t.Fatalf("wrong code: %d %s", st, body)
	}
	if st, body := e.adminPair(strings.ToLower(strings.ReplaceAll(code, "-", " ")), "c1"); st != http.StatusOK || !strings.Contains(body, k.id()) {
		t.Fatalf("pairing with the code as typed: %d %s", st, body)
	}
	if st, m := k.status(); st != http.StatusOK || m["state"] != "paired" || m["counter"] != "c1" || m["name"] != "Quầy c1" {
		t.Fatalf("status once paired: %d %v", st, m)
	}
	if st, _ := e.adminPair(code, "c2"); st != http.StatusNotFound {
		t.Fatalf("the code paired a second time: %d", st)
	}
	if st, _, body := e.post("/api/v1/kiosk/pair", "application/json", "", k.headers()...); st != http.StatusOK || jsonField(body, "state") != "paired" {
		t.Fatalf("a paired tablet asking again must stay paired: %d %s", st, body)
	}

	// A code expires after 10 minutes; the tablet then gets a fresh one under the same identity.
	k2, old := e.newTablet()
	e.advance(11 * time.Minute)
	if st, _ := e.adminPair(old, "c2"); st != http.StatusNotFound {
		t.Fatalf("an expired code paired: %d", st)
	}
	if _, m := k2.status(); m["expired"] != true {
		t.Fatalf("status of an expired code: %v", m)
	}
	st, hdr, body := e.post("/api/v1/kiosk/pair", "application/json", "", k2.headers()...)
	fresh := jsonField(body, "pairing_code")
	if st != http.StatusOK || fresh == "" || fresh == old || hdr.Get("Set-Cookie") != "" {
		t.Fatalf("renewing the code: %d %s (cookie %q)", st, body, hdr.Get("Set-Cookie"))
	}
	if st, body := e.adminPair(fresh, "c2"); st != http.StatusOK {
		t.Fatalf("pairing with the renewed code: %d %s", st, body)
	}

	st, _, body = e.kioskAdmin().get("/api/v1/kiosk/devices/")
	if st != http.StatusOK || !strings.Contains(body, k.id()) || !strings.Contains(body, k2.id()) || strings.Contains(body, k.token) {
		t.Fatalf("device list: %d %s", st, body)
	}
}

func TestKioskPushReachesTheRightKioskOnly(t *testing.T) {
	e := newEnv(t)
	k1, k2 := e.pairedKiosk("c1"), e.pairedKiosk("c2")
	s1, s2 := k1.stream(e), k2.stream(e)

	var endToEnd, pushed []time.Duration
	for i := range 20 {
		start := time.Now()
		tk := e.issueAt(fmt.Sprintf("H48-260331-%04d", i), "c1")
		ev, ok := s1.next(time.Second)
		if !ok || ev.Type != "dossier" || ev.Data.Ref != e.kioskRef(tk.Token) || ev.Data.DossierCode != fmt.Sprintf("H48-260331-%04d", i) {
			t.Fatalf("kiosk c1 got %+v (ok=%v) within a second, want dossier %d", ev, ok, i)
		}
		if ev.Data.ProcedureName != "Đăng ký khai sinh" {
			t.Fatalf("procedure name %q", ev.Data.ProcedureName)
		}
		endToEnd = append(endToEnd, ev.At.Sub(start))
		pushed = append(pushed, ev.At.Sub(ev.Data.SentAt))
	}
	slices.Sort(endToEnd)
	slices.Sort(pushed)
	t.Logf("push latency over 20 dossiers: publish → SSE receipt median %v, max %v; ticket API call start → SSE receipt median %v, max %v",
		pushed[10], pushed[19], endToEnd[10], endToEnd[19])

	if ev, ok := s2.next(300 * time.Millisecond); ok {
		t.Fatalf("kiosk c2 got counter c1's dossier: %+v", ev)
	}
	tk := e.issueAt("H48-260331-0900", "c2")
	if ev, ok := s2.next(time.Second); !ok || ev.Data.Ref != e.kioskRef(tk.Token) {
		t.Fatalf("kiosk c2 got %+v (ok=%v)", ev, ok)
	}
	if ev, ok := s1.next(300 * time.Millisecond); ok {
		t.Fatalf("kiosk c1 got counter c2's dossier: %+v", ev)
	}
	for _, body := range []string{
		`{"dossier_code":"H49-260331-0901","field":"land","agency":"000.00.53.H49","counter":"c1"}`, // counter c1 of another agency
		`{"dossier_code":"H48-260331-0902","field":"land","agency":"000.00.53.H48"}`,                // no counter
	} {
		if status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key); status != http.StatusCreated {
			t.Fatalf("issue: %d %s", status, resp)
		}
	}
	if ev, ok := s1.next(300 * time.Millisecond); ok {
		t.Fatalf("a dossier of another agency or of no counter reached kiosk c1: %+v", ev)
	}
}

func TestKioskPushAcrossInstances(t *testing.T) {
	a := newEnv(t)
	b := a.twin()
	k := a.pairedKiosk("c1")
	s := k.stream(b) // the tablet's stream is on instance b

	var lat []time.Duration
	for i := range 10 {
		tk := a.issueAt(fmt.Sprintf("H48-260331-%04d", i), "c1") // the e-system calls instance a
		ev, ok := s.next(time.Second)
		if !ok || ev.Data.Ref != a.kioskRef(tk.Token) {
			t.Fatalf("kiosk on instance b got %+v (ok=%v), want the dossier issued on a", ev, ok)
		}
		lat = append(lat, ev.At.Sub(ev.Data.SentAt))
	}
	slices.Sort(lat)
	t.Logf("cross-instance push latency (publish on a → SSE receipt from b) over 10 dossiers: median %v, max %v", lat[5], lat[9])

	// The rating given through b is the dossier's one response for a as well.
	tk := a.issueAt("H48-260331-0100", "c1")
	if _, ok := s.next(time.Second); !ok {
		t.Fatal("no push")
	}
	kb := &kioskClient{e: b, token: k.token}
	if st, body := kb.rate(tk.Token, "b7c1d2e3-0000-4000-8000-000000000001", 5, ""); st != http.StatusCreated {
		t.Fatalf("rating through b: %d %s", st, body)
	}
	if st, _ := a.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1}}`); st != http.StatusConflict {
		t.Fatalf("QR submission on a after the kiosk rating on b: %d", st)
	}
}

func TestKioskReconnectGetsTheCurrentDossier(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	tk := e.issueAt("H48-260331-0001", "c1") // no kiosk connected: the push is missed

	s := k.stream(e)
	if ev, ok := s.next(time.Second); !ok || ev.Data.Ref != e.kioskRef(tk.Token) {
		t.Fatalf("on connect the kiosk got %+v (ok=%v), want the current dossier", ev, ok)
	}
	s.cancel()
	s = k.stream(e)
	if ev, ok := s.next(time.Second); !ok || ev.Data.Ref != e.kioskRef(tk.Token) {
		t.Fatalf("on reconnect the kiosk got %+v (ok=%v), want the current dossier again", ev, ok)
	}
	if st, body := k.rate(tk.Token, "c0ffee00-0000-4000-8000-000000000001", 4, ""); st != http.StatusCreated {
		t.Fatalf("rate: %d %s", st, body)
	}
	s.cancel()
	s = k.stream(e)
	if ev, ok := s.next(300 * time.Millisecond); ok {
		t.Fatalf("a rated dossier was sent again on reconnect: %+v", ev)
	}

	tk2 := e.issueAt("H48-260331-0002", "c1")
	if ev, ok := s.next(time.Second); !ok || ev.Data.Ref != e.kioskRef(tk2.Token) {
		t.Fatalf("push of the next dossier: %+v (ok=%v)", ev, ok)
	}
	s.cancel()
	e.advance(11 * time.Minute)
	s = k.stream(e)
	if ev, ok := s.next(300 * time.Millisecond); ok {
		t.Fatalf("a dossier completed 11 minutes ago was sent on reconnect: %+v", ev)
	}
}

// Issuing keeps a current dossier only for counters with a paired tablet. A tablet paired just
// now, after tickets were issued while its counter had none, gets the next dossier on connect:
// pairing makes the instance read the counters with tablets again.
func TestKioskPairedAfterIssuingGetsTheNextCurrentDossier(t *testing.T) {
	e := newEnv(t)
	e.issueAt("H48-260331-0101", "c1") // no tablet at c1 yet: nothing kept for it
	k := e.pairedKiosk("c1")
	s := k.stream(e)
	if ev, ok := s.next(300 * time.Millisecond); ok {
		t.Fatalf("a dossier issued before the tablet was paired was sent: %+v", ev)
	}
	s.cancel()
	tk := e.issueAt("H48-260331-0102", "c1") // the tablet is not connected: the push is missed
	s = k.stream(e)
	defer s.cancel()
	if ev, ok := s.next(time.Second); !ok || ev.Data.Ref != e.kioskRef(tk.Token) {
		t.Fatalf("on connect the newly paired tablet got %+v (ok=%v), want the dossier issued after pairing", ev, ok)
	}
}

// A tablet is pushed what it shows and an opaque reference, never the survey token (a live
// token lets anyone answer from anywhere); the reference stays good for a rating queued while
// later dossiers came, and only for the tablets of the dossier's counter.
func TestKioskPushCarriesAReferenceNotTheToken(t *testing.T) {
	e := newEnv(t)
	k, other := e.pairedKiosk("c1"), e.pairedKiosk("c2")
	s := k.stream(e)
	first := e.issueAt("H48-260331-0001", "c1")
	ev, ok := s.next(time.Second)
	if !ok || strings.Contains(ev.Raw, first.Token) || !kiosk.Sealed(ev.Data.Ref) || ev.Data.DossierCode != "H48-260331-0001" {
		t.Fatalf("pushed %s (ok=%v), want the dossier code and a reference, not the token %s", ev.Raw, ok, first.Token)
	}
	e.issueAt("H48-260331-0002", "c1")
	if _, ok := s.next(time.Second); !ok {
		t.Fatal("no push of the second dossier")
	}
	rate := func(k *kioskClient, key string) (int, string) {
		return k.post("/api/v1/kiosk/responses", `{"ref":"`+ev.Data.Ref+`","idempotency_key":"`+key+`","answers":{"overall":4}}`)
	}
	if st, body := rate(other, "0ther000-0000-4000-8000-000000000001"); st != http.StatusForbidden {
		t.Fatalf("another counter's tablet redeemed the reference: %d %s", st, body)
	}
	if st, body := rate(k, "f1r5t000-0000-4000-8000-000000000001"); st != http.StatusCreated {
		t.Fatalf("rating the first dossier after the second came: %d %s", st, body)
	}
	if r, ok := e.storedResponse(first.Token); !ok || r.Channel != survey.ChannelKiosk || r.Overall != 4 {
		t.Fatalf("stored %+v (ok=%v), want the kiosk rating as the first dossier's response", r, ok)
	}
}

func TestKioskRatingIsStoredExactlyOnceHoweverOftenRetried(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	tk := e.issueAt("H48-260331-0001", "c1")
	const key = "5f0e7c2a-1b3d-4e5f-8a9b-0c1d2e3f4a5b"
	body := `,"answers":{"overall":2,"reasons":["waiting","guidance"]},"comment":"Chờ gần một tiếng"`
	var statuses []int
	for range 10 {
		st, resp := k.post("/api/v1/kiosk/responses", `{"ref":"`+e.kioskRef(tk.Token)+`","idempotency_key":"`+key+`"`+body+`}`)
		statuses = append(statuses, st)
		if st == http.StatusOK && !strings.Contains(resp, "already_stored") {
			t.Fatalf("retry answered %s", resp)
		}
	}
	if statuses[0] != http.StatusCreated || slices.ContainsFunc(statuses[1:], func(s int) bool { return s != http.StatusOK }) {
		t.Fatalf("statuses of 10 tries of one submission: %v, want 201 then nine 200", statuses)
	}
	r, ok := e.storedResponse(tk.Token)
	if !ok || r.Channel != survey.ChannelKiosk || r.SurveyID != "kiosk-quick" || r.Overall != 2 || r.Comment != "Chờ gần một tiếng" ||
		kiosk.IdempotencyKeyOf(r.Nonce) != key || r.Counter != "c1" || r.Field != "civil-status" || r.Misuse {
		t.Fatalf("stored response %+v", r)
	}
	if reasons := fmt.Sprint(r.Answers["reasons"]); reasons != "[guidance waiting]" {
		t.Fatalf("stored reasons %s", reasons)
	}
	// The figures count the chips once, and no criterion: the kiosk asks none.
	e.settle()
	if _, _, js := e.get("/api/v1/stats?from=2026-03-31&to=2026-03-31&channel=kiosk", "Authorization", "Bearer "+e.statsKey()); !strings.Contains(js, `"reasons":{"guidance":1,"waiting":1}`) || !strings.Contains(js, `"sipas_respondents":0`) {
		t.Fatalf("kiosk figures: %.600s", js)
	}
	if st, resp := k.rate(tk.Token, "5f0e7c2a-1b3d-4e5f-8a9b-000000000000", 5, ""); st != http.StatusConflict || !strings.Contains(resp, "đã được đánh giá") {
		t.Fatalf("another submission for the rated dossier: %d %s", st, resp)
	}

	// Ten tries at once (a retry racing the first attempt) store one response too.
	tk2 := e.issueAt("H48-260331-0002", "c1")
	e.advance(time.Minute)
	var wg sync.WaitGroup
	got := make(chan int, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, _ := k.rate(tk2.Token, "7a7a7a7a-0000-4000-8000-000000000002", 5, "")
			got <- st
		}()
	}
	wg.Wait()
	close(got)
	count := map[int]int{}
	for st := range got {
		count[st]++
	}
	if count[http.StatusCreated] != 1 || count[http.StatusOK] != 9 {
		t.Fatalf("statuses of 10 concurrent tries: %v, want one 201 and nine 200", count)
	}

	// A rating without a dossier, once an admin allows them, is stored once per key too.
	e.allowFreeRatings(true)
	e.advance(time.Minute)
	for i := range 10 {
		st, _ := k.rate("", "9e9e9e9e-0000-4000-8000-000000000003", 5, "")
		if (i == 0 && st != http.StatusCreated) || (i > 0 && st != http.StatusOK) {
			t.Fatalf("try %d of a rating without a dossier: %d", i, st)
		}
	}
	n, err := e.db.DB.Collection("responses").CountDocuments(context.Background(), bson.D{{Key: "source", Value: "kiosk"}})
	if err != nil || n != 3 {
		t.Fatalf("%d kiosk responses stored (%v), want 3", n, err)
	}
}

func TestKioskAndQRShareTheDossiersOneResponse(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	kioskFirst := e.issueAt("H48-260331-0001", "c1")
	if st, body := k.rate(kioskFirst.Token, "aaaaaaaa-0000-4000-8000-000000000001", 4, ""); st != http.StatusCreated {
		t.Fatalf("kiosk rating: %d %s", st, body)
	}
	if st, body := e.submitJSON(`{"token":"` + kioskFirst.Token + `","answers":{"overall":5}}`); st != http.StatusConflict {
		t.Fatalf("QR submission after the kiosk: %d %s", st, body)
	}
	if st, _, page := e.get("/s/" + kioskFirst.Token); st != http.StatusConflict || !strings.Contains(page, "Hồ sơ này đã được đánh giá") {
		t.Fatalf("QR scan after the kiosk: %d", st)
	}

	qrFirst := e.issueAt("H48-260331-0002", "c1")
	if st, body := e.submitJSON(`{"token":"` + qrFirst.Token + `","answers":{"overall":5}}`); st != http.StatusCreated {
		t.Fatalf("QR submission: %d %s", st, body)
	}
	e.advance(time.Minute)
	if st, body := k.rate(qrFirst.Token, "aaaaaaaa-0000-4000-8000-000000000002", 1, ""); st != http.StatusConflict {
		t.Fatalf("kiosk rating after the QR: %d %s", st, body)
	}
	if r, _ := e.storedResponse(qrFirst.Token); r.Channel != survey.ChannelQR || r.Overall != 5 {
		t.Fatalf("the QR response was replaced: %+v", r)
	}
}

func TestKioskMisuseIsStoredButFlagged(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	var tokens []string
	for i := range 5 {
		tokens = append(tokens, e.issueAt(fmt.Sprintf("H48-260331-%04d", i), "c1").Token)
	}
	rate := func(token, key, extra string) *survey.Response {
		t.Helper()
		if st, body := k.rate(token, key, 5, extra); st != http.StatusCreated {
			t.Fatalf("rate %s: %d %s", key, st, body)
		}
		id := token
		if id == "" {
			id = kiosk.FreeRatingID(k.id(), key)
		}
		r, ok := e.storedResponse(id)
		if !ok {
			t.Fatalf("rating %s not stored", key)
		}
		return r
	}

	// Cool-down: a second rating within 5 s of the first is stored, flagged.
	if r := rate(tokens[0], "cool-0001", ""); r.Misuse {
		t.Fatal("first rating flagged")
	}
	e.advance(2 * time.Second)
	if r := rate(tokens[1], "cool-0002", ""); !r.Misuse {
		t.Fatal("a rating 2 s after the previous one was not flagged")
	}
	e.advance(6 * time.Second)
	if r := rate(tokens[2], "cool-0003", ""); r.Misuse {
		t.Fatal("a rating 6 s after the previous one was flagged")
	}
	// Ratings replayed from the offline queue arrive together; their own times, a minute apart,
	// count.
	e.advance(10 * time.Minute)
	now := e.clock()
	for i, token := range tokens[3:] {
		at := now.Add(time.Duration(i-3) * time.Minute).Format(time.RFC3339)
		if r := rate(token, fmt.Sprintf("queued-%04d", i), `,"replayed":true,"rated_at":"`+at+`"`); r.Misuse {
			t.Fatalf("queued rating %d given a minute after the previous one was flagged", i)
		}
	}

	// Without a dossier: three per 10 minutes, then flagged; stored under the device and key.
	k2 := e.pairedKiosk("c2")
	e.allowFreeRatings(true)
	for i := range 4 {
		e.advance(6 * time.Second)
		key := fmt.Sprintf("free-%04d", i)
		if st, body := k2.rate("", key, 3, `,"comment":"Hỏi thông tin"`); st != http.StatusCreated {
			t.Fatalf("free rating %d: %d %s", i, st, body)
		}
		r, ok := e.storedResponse("kiosk:" + k2.id() + ":" + key)
		if !ok {
			t.Fatalf("free rating %d not stored under kiosk:<device>:<key>", i)
		}
		if r.Misuse != (i == 3) {
			t.Fatalf("free rating %d: misuse %v, want %v", i, r.Misuse, i == 3)
		}
		if r.Field != "" || r.DossierCode != "" || r.Agency != testAgency || r.Counter != "c2" || r.Channel != survey.ChannelKiosk || r.Overall != 3 {
			t.Fatalf("free rating stored as %+v", r)
		}
	}
}

// TestKioskCoolDownGoesByTheServersClock: a tablet cannot dodge the cool-down by claiming its
// rating was given long ago; a replayed rating may not go back before the last one stored.
func TestKioskCoolDownGoesByTheServersClock(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	rate := func(i int, extra string) bool {
		t.Helper()
		tk := e.issueAt(fmt.Sprintf("H48-260331-%04d", 100+i), "c1")
		key := fmt.Sprintf("past-%04d", i)
		if st, body := k.rate(tk.Token, key, 5, extra); st != http.StatusCreated {
			t.Fatalf("rate %s: %d %s", key, st, body)
		}
		r, _ := e.storedResponse(tk.Token)
		return r.Misuse
	}
	if rate(0, "") {
		t.Fatal("first rating flagged")
	}
	hourAgo := `"rated_at":"` + e.clock().Add(-time.Hour).Format(time.RFC3339) + `"`
	e.advance(time.Second)
	if !rate(1, ","+hourAgo) {
		t.Fatal("a live rating a second after the last one, claiming an hour ago, was not flagged")
	}
	e.advance(time.Second)
	if !rate(2, `,"replayed":true,`+hourAgo) {
		t.Fatal("a replayed rating older than the last one stored was not flagged")
	}
	e.advance(time.Minute)
	if rate(3, `,"replayed":true,"rated_at":"`+e.clock().Add(-30*time.Second).Format(time.RFC3339)+`"`) {
		t.Fatal("a replayed rating half a minute after the last one was flagged")
	}
}

// TestKioskPairingHasItsOwnLimit: a flood of pairing requests from one client stops at
// HAILONG_LIMIT_PAIR, and does not use up the client's short-code guesses.
func TestKioskPairingHasItsOwnLimit(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.Pair, c.Limits.ShortCode = 3, 1 })
	for i := range 3 {
		if st, _, body := e.post("/api/v1/kiosk/pair", "application/json", "", "X-Hailong-Kiosk", "1"); st != http.StatusCreated {
			t.Fatalf("pairing request %d: %d %s", i, st, body)
		}
	}
	st, hdr, _ := e.post("/api/v1/kiosk/pair", "application/json", "", "X-Hailong-Kiosk", "1")
	if st != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("fourth pairing request in a minute: %d, want 429 with Retry-After", st)
	}
	if st, _, _ := e.post("/s", "application/x-www-form-urlencoded", "code=ZZZZ-ZZZZ"); st == http.StatusTooManyRequests {
		t.Fatal("pairing used up the short-code guesses")
	}
}

func TestRevokedKioskIsRefused(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	s := k.stream(e)
	status, body := e.kioskAdmin().postJSON("/api/v1/kiosk/devices/"+k.id()+"/revoke", "")
	if status != http.StatusOK || !strings.Contains(body, `"revoked":true`) {
		t.Fatalf("revoke: %d %s", status, body)
	}
	if ev, ok := s.next(time.Second); !ok || ev.Type != "revoked" {
		t.Fatalf("open stream got %+v (ok=%v), want revoked", ev, ok)
	}
	if _, ok := s.next(time.Second); ok {
		t.Fatal("the stream of a revoked tablet stayed open")
	}
	st, m := k.status()
	if st != http.StatusUnauthorized || m["state"] != "revoked" || !strings.Contains(fmt.Sprint(m["error"]), "ghép nối lại") {
		t.Fatalf("status of a revoked tablet: %d %v", st, m)
	}
	tk := e.issueAt("H48-260331-0001", "c1")
	if st, _ := k.rate(tk.Token, "dead0000-0000-4000-8000-000000000001", 5, ""); st != http.StatusUnauthorized {
		t.Fatalf("rating from a revoked tablet: %d", st)
	}
	if st, _, _ := e.get("/api/v1/kiosk/events", "Cookie", "hl_kiosk="+k.token); st != http.StatusUnauthorized {
		t.Fatalf("stream of a revoked tablet: %d", st)
	}
	if _, ok := e.storedResponse(tk.Token); ok {
		t.Fatal("a revoked tablet's rating was stored")
	}
	// Paired again, it is a new device.
	st, hdr, _ := e.post("/api/v1/kiosk/pair", "application/json", "", k.headers()...)
	if m := cookiePattern.FindStringSubmatch(hdr.Get("Set-Cookie")); st != http.StatusCreated || m == nil || m[1] == k.token {
		t.Fatalf("pairing a revoked tablet again: %d, cookie %q", st, hdr.Get("Set-Cookie"))
	}
}

func TestKioskRequestsThatAreRefused(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	waiting, _ := e.newTablet()
	stranger := &kioskClient{e: e, token: "hlk_forged"}
	mine := e.issueAt("H48-260331-0001", "c1")
	other := e.issueAt("H48-260331-0002", "c2")
	mineRef, otherRef := `"ref":"`+e.kioskRef(mine.Token)+`"`, `"ref":"`+e.kioskRef(other.Token)+`"`
	const key = `"idempotency_key":"e1e1e1e1-0000-4000-8000-000000000001"`
	cases := []struct {
		name   string
		k      *kioskClient
		header bool
		body   string
		status int
	}{
		{"no kiosk header", k, false, `{` + mineRef + `,` + key + `,"answers":{"overall":5}}`, 403},
		{"no device", stranger, true, `{` + mineRef + `,` + key + `,"answers":{"overall":5}}`, 401},
		{"not yet paired", waiting, true, `{` + mineRef + `,` + key + `,"answers":{"overall":5}}`, 403},
		{"no idempotency key", k, true, `{` + mineRef + `,"answers":{"overall":5}}`, 422},
		{"bad idempotency key", k, true, `{` + mineRef + `,"idempotency_key":"a b","answers":{"overall":5}}`, 422},
		{"another counter's dossier", k, true, `{` + otherRef + `,` + key + `,"answers":{"overall":5}}`, 403},
		{"unknown dossier", k, true, `{"ref":"ref_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",` + key + `,"answers":{"overall":5}}`, 404},
		{"forged reference", k, true, `{"ref":"` + mine.Token + `",` + key + `,"answers":{"overall":5}}`, 404},
		{"survey token sent live instead of a reference", k, true, `{"token":"` + mine.Token + `",` + key + `,"answers":{"overall":5}}`, 410},
		{"rating out of range", k, true, `{` + mineRef + `,` + key + `,"answers":{"overall":7}}`, 422},
		{"question of another survey", k, true, `{` + mineRef + `,` + key + `,"answers":{"overall":5,"staff_polite":4}}`, 422},
		{"not JSON", k, true, `{"ref":`, 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := []string{"Cookie", "hl_kiosk=" + c.k.token}
			if c.header {
				h = append(h, "X-Hailong-Kiosk", "1")
			}
			st, _, body := e.post("/api/v1/kiosk/responses", "application/json", c.body, h...)
			if st != c.status {
				t.Fatalf("status %d, want %d: %s", st, c.status, body)
			}
		})
	}
	if _, ok := e.storedResponse(mine.Token); ok {
		t.Fatal("a refused rating was stored")
	}
}

func TestKioskPage(t *testing.T) {
	e := newEnv(t)
	status, hdr, page := e.get("/kiosk")
	if status != http.StatusOK || !strings.Contains(hdr.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("kiosk page: %d, CSP %q", status, hdr.Get("Content-Security-Policy"))
	}
	for _, label := range []string{"Rất không hài lòng", "Không hài lòng", "Bình thường", "Hài lòng", "Rất hài lòng", "Chờ lâu", "Góp ý thêm (không bắt buộc)"} {
		if !strings.Contains(page, ">"+label+"<") {
			t.Errorf("kiosk page lacks %q", label)
		}
	}
	if n := strings.Count(page, `class="face f`); n != 5 {
		t.Errorf("%d faces, want 5", n)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, " style=") || strings.Contains(page, "<style") || regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Error("the kiosk page has inline script or style, or loads something from another origin")
	}
	_, _, en := e.get("/kiosk?lang=en")
	if !strings.Contains(en, `lang="en"`) || !strings.Contains(en, ">Very dissatisfied<") || !strings.Contains(en, ">Rất không hài lòng<") {
		t.Error("the English kiosk page should show English labels with the Vietnamese ones")
	}
}

// TestKioskCookieSecureFollowsTheBaseURL: the device cookie is Secure exactly when the service
// is served over HTTPS, whatever X-Forwarded-Proto a client sends.
func TestKioskCookieSecureFollowsTheBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, proto string
		secure      bool
	}{
		{"https://hailong.test", "", true},
		{"https://hailong.test", "http", true},
		{"http://hailong.test", "https", false},
	} {
		e := newEnv(t, func(c *config.Config) { c.BaseURL = tc.base })
		status, hdr, _ := e.post("/api/v1/kiosk/pair", "application/json", "", "X-Hailong-Kiosk", "1", "X-Forwarded-Proto", tc.proto)
		cookie := strings.ToLower(hdr.Get("Set-Cookie"))
		if status != http.StatusCreated || strings.Contains(cookie, "secure") != tc.secure {
			t.Errorf("base %s, X-Forwarded-Proto %q: %d cookie %q, want secure=%v", tc.base, tc.proto, status, cookie, tc.secure)
		}
	}
}

// TestKioskTakesRatingsQueuedWithATokenForADay: a tablet's offline queue may hold ratings from
// before the upgrade to references, carrying the survey token. Replayed within a day of the
// rating they are stored under the same ticket and idempotency rules; older, live, or naming
// the dossier twice they are refused, and another counter's token stays refused.
func TestKioskTakesRatingsQueuedWithATokenForADay(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	queued := func(token, key string, age time.Duration, extra string) (int, string) {
		at := e.clock().Add(-age).Format(time.RFC3339)
		return k.post("/api/v1/kiosk/responses", fmt.Sprintf(`{"token":%q,"idempotency_key":%q,"answers":{"overall":4},"rated_at":%q%s}`, token, key, at, extra))
	}
	tk := e.issueAt("H48-260331-0900", "c1")
	if st, body := queued(tk.Token, "queued-0001", 3*time.Hour, `,"replayed":true`); st != http.StatusCreated {
		t.Fatalf("a rating queued 3 h ago with its token: %d %s", st, body)
	}
	if r, ok := e.storedResponse(tk.Token); !ok || r.Overall != 4 {
		t.Fatalf("the queued rating is not stored under its ticket: %+v", r)
	}
	if st, body := queued(tk.Token, "queued-0001", 3*time.Hour, `,"replayed":true`); st != http.StatusOK {
		t.Errorf("the same queued rating again: %d %s, want 200", st, body)
	}
	if st, body := k.rate(tk.Token, "queued-0002", 5, ""); st != http.StatusConflict {
		t.Errorf("another rating of the dossier, by its reference: %d %s, want 409", st, body)
	}
	old := e.issueAt("H48-260331-0901", "c1")
	other := e.issueAt("H48-260331-0902", "c2")
	for _, c := range []struct {
		name, token, extra string
		age                time.Duration
		want               int
	}{
		{"queued more than a day ago", old.Token, `,"replayed":true`, 25 * time.Hour, http.StatusGone},
		{"sent live", old.Token, "", time.Minute, http.StatusGone},
		{"with a reference too", old.Token, `,"replayed":true,"ref":"` + e.kioskRef(old.Token) + `"`, time.Minute, http.StatusUnprocessableEntity},
		{"of another counter", other.Token, `,"replayed":true`, time.Minute, http.StatusForbidden},
	} {
		if st, body := queued(c.token, "queued-"+strings.ReplaceAll(c.name, " ", "-"), c.age, c.extra); st != c.want {
			t.Errorf("a token rating %s: %d %s, want %d", c.name, st, body, c.want)
		}
	}
	if _, ok := e.storedResponse(old.Token); ok {
		t.Error("a refused token rating was stored")
	}
}

// TestKioskFreeRatingsAreAnAdminSetting: a tap on the idle faces (no dossier) is refused, in the
// tablet's language, until an admin turns on ratings without a dossier on /admin, which then
// says so; turned off again, they are refused again.
func TestKioskFreeRatingsAreAnAdminSetting(t *testing.T) {
	e := newEnv(t)
	k := e.pairedKiosk("c1")
	st, body := k.rate("", "free-off-0001", 5, "")
	if st != http.StatusForbidden || !strings.Contains(body, "Máy tính bảng này chỉ nhận đánh giá cho hồ sơ vừa trả tại quầy.") {
		t.Fatalf("a rating without a dossier by default: %d %s", st, body)
	}
	if st, body := k.rate("", "free-off-0002", 5, `,"lang":"en"`); st != http.StatusForbidden || !strings.Contains(body, "This tablet only accepts ratings for a dossier just returned") {
		t.Fatalf("the refusal in English: %d %s", st, body)
	}
	if _, _, page := e.kioskAdmin().get("/admin"); !strings.Contains(page, `id="kd-free" type="checkbox" name="free" value="1" aria-describedby="kd-free-help">`) || !strings.Contains(page, "Đang tắt.") {
		t.Fatal("/admin does not show ratings without a dossier as off")
	}
	if page := e.allowFreeRatings(true); !strings.Contains(page, "Đã lưu: máy tính bảng nhận đánh giá không kèm hồ sơ.") || !strings.Contains(page, "Đang bật.") {
		t.Fatalf("/admin after turning ratings without a dossier on: %.300s", page)
	}
	if st, body := k.rate("", "free-on-0001", 5, ""); st != http.StatusCreated {
		t.Fatalf("a rating without a dossier once allowed: %d %s", st, body)
	}
	if page := e.allowFreeRatings(false); !strings.Contains(page, "Đã lưu: máy tính bảng chỉ nhận đánh giá cho hồ sơ vừa trả.") {
		t.Fatal("/admin after turning ratings without a dossier off says nothing")
	}
	e.advance(time.Minute)
	if st, _ := k.rate("", "free-off-0003", 5, ""); st != http.StatusForbidden {
		t.Fatalf("a rating without a dossier after turning them off: %d", st)
	}
}

// A reference stored when its ticket was issued, before references were sealed, still takes a
// rating from the counter's tablet, and only from it; a sealed reference altered by one
// character takes none.
func TestKioskTakesStoredReferencesFromBeforeSealing(t *testing.T) {
	e := newEnv(t)
	k, other := e.pairedKiosk("c1"), e.pairedKiosk("c2")
	tk := e.issueAt("H48-260331-0031", "c1")
	legacy := "ref_" + survey.NewToken()
	doc := bson.D{{Key: "_id", Value: legacy}, {Key: "counter", Value: kiosk.CounterKey(testAgency, "c1")},
		{Key: "token", Value: tk.Token}, {Key: "issued_at", Value: e.clock()}}
	if _, err := e.db.DB.Collection("kiosk_refs").InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	post := func(k *kioskClient, ref, key string) int {
		st, _ := k.post("/api/v1/kiosk/responses", `{"ref":"`+ref+`","idempotency_key":"`+key+`","answers":{"overall":4}}`)
		return st
	}
	if st := post(other, legacy, "k-legacy-other"); st != http.StatusForbidden {
		t.Fatalf("another counter's tablet with a stored reference: %d, want 403", st)
	}
	if st := post(k, legacy, "k-legacy"); st != http.StatusCreated {
		t.Fatalf("a stored reference: %d, want 201", st)
	}
	tk2 := e.issueAt("H48-260331-0032", "c1")
	sealed := []byte(e.kioskRef(tk2.Token))
	if mid := len(sealed) / 2; sealed[mid] == 'A' {
		sealed[mid] = 'B'
	} else {
		sealed[mid] = 'A'
	}
	if st := post(k, string(sealed), "k-tampered"); st != http.StatusNotFound {
		t.Fatalf("an altered sealed reference: %d, want 404", st)
	}
}
