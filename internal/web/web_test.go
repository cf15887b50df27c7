package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/app"
	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/outbox"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/testkit"
)

// env is a running app on real parts, with an API key and a clock the test can move.
type env struct {
	t     *testing.T
	app   *fiber.App
	key   string
	mu    sync.Mutex
	now   time.Time
	db    *mongodb.DB
	store *mongodb.ResponseStore
	base  string
	// worker and view are the rollups behind the stats; tests drain and refresh them.
	worker *rollup.Worker
	view   *rollup.View
	// rdb is the test's Redis, which a second instance shares, under the same prefix.
	rdb         *redis.Client
	redisPrefix string
	// cases is the app's follow-up case service.
	cases *cases.Service
	// outbox delivers the events; tests step it.
	outbox *outbox.Outbox
	// dataDir holds the key file sealing contacts, which a second instance shares.
	dataDir string
}

// logSink, when set, also receives every log line of the next env (for tests that read logs).
var logSink io.Writer

type testkitWriter struct{ t *testing.T }

func (w testkitWriter) Write(p []byte) (int, error) { return len(p), nil }

// client does not follow redirects, so tests see them.
var client = &http.Client{
	Timeout:       30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newEnv(t *testing.T, tweak ...func(*config.Config)) *env {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load(testkit.Env("HAILONG_BASE_URL=https://hailong.test"))
	if err != nil {
		t.Fatal(err)
	}
	db := testkit.Store(t)
	log := testkit.Logger(t)
	if logSink != nil { // a test that reads the logs
		log = slog.New(slog.NewJSONHandler(io.MultiWriter(logSink, testkitWriter{t}), nil))
	}
	e := &env{t: t, now: time.Date(2026, 3, 31, 2, 0, 0, 0, time.UTC), db: db, dataDir: t.TempDir()}
	cfg.IPHashSalt = t.Name() + time.Now().String()
	cfg.DataDir = e.dataDir
	// Its own Redis namespace, so test runs sharing a Redis never hear each other's kiosk events.
	e.redisPrefix = "hltest:" + strconv.FormatInt(time.Now().UnixNano(), 36) + ":"
	cfg.RedisPrefix = e.redisPrefix
	for _, f := range tweak {
		f(cfg)
	}
	rdb := testkit.RedisClient(t, testkit.RedisURL(t))
	a := startApp(t, cfg, db, rdb, log, e.clock)
	secret, _, err := mongodb.NewAPIKeyStore(db).CreateAPIKey(ctx, "test", []string{account.ScopeTicketsWrite}, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	e.key, e.store, e.worker, e.view, e.rdb, e.cases, e.outbox = secret, a.Responses, a.Rollups, a.View, rdb, a.Cases, a.Outbox
	app := a.HTTP
	e.app = app
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	e.base = "http://" + ln.Addr().String()
	return e
}

// startApp builds a server on real parts as serve does, with the test's clock; it stops when
// t ends. Its kiosk hub is subscribed to Redis before it returns.
func startApp(t *testing.T, cfg *config.Config, db *mongodb.DB, rdb *redis.Client, log *slog.Logger, now func() time.Time) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), app.Options{Config: cfg, Log: log, DB: db, Redis: rdb, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	// A budget for set-up, not a timed assertion: loading the figures of a fresh store may wait
	// for the next rollup lease window (up to 3 s) before it builds the month sums.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Hub.Ready(ctx); err != nil {
		t.Fatalf("kiosk hub not ready: %v", err)
	}
	if err := a.LoadFigures(ctx); err != nil { // as Start does in the background
		t.Fatalf("load figures: %v", err)
	}
	return a
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// do sends a request through the app and returns status, headers and body.
func (e *env) do(req *http.Request) (int, http.Header, string) {
	e.t.Helper()
	req.URL, _ = url.Parse(e.base + req.URL.RequestURI())
	req.RequestURI = ""
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (e *env) post(path, contentType, body string, headers ...string) (int, http.Header, string) {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

func (e *env) get(path string, headers ...string) (int, http.Header, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.do(req)
}

type ticketJSON struct {
	Token, ShortCode, SurveyURL, QRPNGURL, QRSVGURL, ExpiresAt string
}

func (t *ticketJSON) UnmarshalJSON(b []byte) error {
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*t = ticketJSON{m["token"], m["short_code"], m["survey_url"], m["qr_png_url"], m["qr_svg_url"], m["expires_at"]}
	return nil
}

// issue asks for a ticket for dossier and expects status.
func (e *env) issue(dossier string, wantStatus int) ticketJSON {
	e.t.Helper()
	body := `{"dossier_code":"` + dossier + `","field":"land","agency":"000.00.53.H48","counter":"c1","procedure_name":"Cấp giấy chứng nhận quyền sử dụng đất","on_time":true}`
	status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
	if status != wantStatus {
		e.t.Fatalf("issue %s: status %d, want %d: %s", dossier, status, wantStatus, resp)
	}
	var t ticketJSON
	if err := json.Unmarshal([]byte(resp), &t); err != nil {
		e.t.Fatalf("issue: decode %q: %v", resp, err)
	}
	return t
}

func (e *env) submitJSON(body string) (int, string) {
	status, _, resp := e.post("/api/v1/responses", "application/json", body)
	return status, resp
}

func TestIssueTicketIsIdempotentPerDossier(t *testing.T) {
	e := newEnv(t)
	a := e.issue("000.00.53.H48-220921-0099", http.StatusCreated)
	b := e.issue("000.00.53.H48-220921-0099", http.StatusOK)
	if a.Token != b.Token || a.ShortCode != b.ShortCode {
		t.Fatalf("second issue returned another ticket: %+v vs %+v", a, b)
	}
	if len(a.Token) != 32 || a.SurveyURL != "https://hailong.test/s/"+a.Token {
		t.Fatalf("unexpected token or survey URL: %+v", a)
	}
	if strings.ContainsAny(a.ShortCode, "0O1I") || len(a.ShortCode) != 8 {
		t.Fatalf("short code %q is ambiguous or the wrong length", a.ShortCode)
	}
	if a.QRPNGURL != "https://hailong.test/api/v1/tickets/"+a.Token+"/qr.png" || !strings.HasSuffix(a.QRSVGURL, "/qr.svg") {
		t.Fatalf("QR URLs: %+v", a)
	}
	exp, err := time.Parse(time.RFC3339, a.ExpiresAt)
	if err != nil || !exp.Equal(e.clock().Add(30*24*time.Hour)) {
		t.Fatalf("expires_at %q, want 30 days after issue", a.ExpiresAt)
	}
}

func TestConcurrentIssueOfOneDossierGivesOneTicket(t *testing.T) {
	e := newEnv(t)
	tokens := make(chan string, 10)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"dossier_code":"H48-260331-0001","field":"justice"}`
			status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
			if status != http.StatusCreated && status != http.StatusOK {
				t.Errorf("status %d: %s", status, resp)
				return
			}
			var tk ticketJSON
			_ = json.Unmarshal([]byte(resp), &tk)
			tokens <- tk.Token
		}()
	}
	wg.Wait()
	close(tokens)
	seen := map[string]bool{}
	for tok := range tokens {
		seen[tok] = true
	}
	if len(seen) != 1 {
		t.Fatalf("one dossier got %d different tickets", len(seen))
	}
}

func TestIssueTicketRejections(t *testing.T) {
	e := newEnv(t)
	auth := []string{"Authorization", "Bearer " + e.key}
	cases := []struct {
		name, body string
		headers    []string
		status     int
		contains   string
	}{
		{"no key", `{"dossier_code":"A-1","field":"land"}`, nil, 401, "khóa"},
		{"wrong key", `{"dossier_code":"A-1","field":"land"}`, []string{"Authorization", "Bearer hl_nope"}, 401, "khóa"},
		{"unknown field", `{"dossier_code":"A-1","field":"fishing"}`, auth, 422, `fishing`},
		{"missing dossier", `{"field":"land"}`, auth, 422, `dossier_code`},
		{"operator in dossier", `{"dossier_code":{"$gt":""},"field":"land"}`, auth, 422, `dossier_code`},
		{"bad channel", `{"dossier_code":"A-1","field":"land","channel":"fax"}`, auth, 422, `channel`},
		{"bad completed_at", `{"dossier_code":"A-1","field":"land","completed_at":"31/03/2026"}`, auth, 422, `completed_at`},
		{"malformed json", `{"dossier_code":`, auth, 400, "JSON"},
		{"unknown property", `{"dossier_code":"A-1","field":"land","x":1}`, auth, 400, "JSON"},
		{"invalid utf-8", "{\"dossier_code\":\"A-1\",\"field\":\"land\",\"procedure_name\":\"\xff\xfe\"}", auth, 400, "UTF-8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, body := e.post("/api/v1/tickets", "application/json", c.body, c.headers...)
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Fatalf("status %d body %s; want %d containing %q", status, body, c.status, c.contains)
			}
		})
	}
}

func TestResponseIsStoredOnceAndLaterScansSeeAlreadyRated(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0002", http.StatusCreated)
	status, resp := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5,"staff_polite":4,"returns":"0","extra_payment":false},"comment":"Cán bộ nhiệt tình"}`)
	if status != http.StatusCreated {
		t.Fatalf("first submit: %d %s", status, resp)
	}
	status, resp = e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1}}`)
	if status != http.StatusConflict || !strings.Contains(resp, "đã được đánh giá") {
		t.Fatalf("second submit: %d %s", status, resp)
	}
	status, _, page := e.get("/s/" + tk.Token)
	if status != http.StatusConflict || !strings.Contains(page, "Hồ sơ này đã được đánh giá") {
		t.Fatalf("scan after rating: %d %s", status, page)
	}
}

func TestTwentyConcurrentSubmissionsStoreExactlyOne(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0003", http.StatusCreated)
	var wg sync.WaitGroup
	codes := make(chan int, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rating := 1 + i%5
			status, _ := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":` + string(rune('0'+rating)) + `}}`)
			codes <- status
		}()
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[201] != 1 || count[409] != 19 {
		t.Fatalf("statuses %v, want exactly one 201 and nineteen 409", count)
	}
}

func TestSubmissionAnswers(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0004", http.StatusCreated)
	long := strings.Repeat("ạ", 2001)
	cases := []struct {
		name, body string
		status     int
		contains   string
	}{
		{"unknown token", `{"token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","answers":{"overall":5}}`, 404, "Không tìm thấy"},
		{"forged short token", `{"token":"abc","answers":{"overall":5}}`, 404, "Không tìm thấy"},
		{"operator as token", `{"token":{"$gt":""},"answers":{"overall":5}}`, 400, "token"},
		{"operator in answer", `{"token":"` + tk.Token + `","answers":{"overall":{"$gt":0}}}`, 422, `"operator"`},
		{"operator as key", `{"token":"` + tk.Token + `","answers":{"$where":"1","overall":5}}`, 422, `"operator"`},
		{"out of range", `{"token":"` + tk.Token + `","answers":{"overall":6}}`, 422, `"range"`},
		{"fraction", `{"token":"` + tk.Token + `","answers":{"overall":4.5}}`, 422, `"range"`},
		{"wrong type", `{"token":"` + tk.Token + `","answers":{"overall":true}}`, 422, `"type"`},
		{"unknown question", `{"token":"` + tk.Token + `","answers":{"overall":5,"favourite_colour":"blue"}}`, 422, `"unknown"`},
		{"missing overall", `{"token":"` + tk.Token + `","answers":{"staff_polite":4}}`, 422, `"required"`},
		{"comment too long", `{"token":"` + tk.Token + `","answers":{"overall":2},"comment":"` + long + `"}`, 422, `"too_long"`},
		{"answers not an object", `{"token":"` + tk.Token + `","answers":[5]}`, 422, `answers`},
		{"malformed", `{"token":`, 400, "JSON"},
		{"trailing data", `{"token":"x"} {}`, 400, "JSON"},
		{"invalid utf-8", "{\"token\":\"" + tk.Token + "\",\"answers\":{\"overall\":2},\"comment\":\"\xc3\x28\"}", 400, "UTF-8"},
		// An oversized body: TestOversizedBodyIsRefused, over a raw connection.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := e.submitJSON(c.body)
			if status != c.status || !strings.Contains(body, c.contains) {
				t.Fatalf("status %d body %.300s; want %d containing %q", status, body, c.status, c.contains)
			}
		})
	}
	// Nothing above was stored: the ticket can still be answered.
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":4}}`); status != 201 {
		t.Fatalf("valid answer after rejected ones: %d %s", status, body)
	}
}

func TestEnglishErrorMessages(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0005", http.StatusCreated)
	status, _, body := e.post("/api/v1/responses", "application/json", `{"token":"`+tk.Token+`","answers":{}}`, "Accept-Language", "en-US,en;q=0.9")
	if status != 422 || !strings.Contains(body, "Some answers are not valid") {
		t.Fatalf("%d %s", status, body)
	}
}

func TestExpiredTicketIsGone(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0006", http.StatusCreated)
	e.advance(30*24*time.Hour + time.Second)
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5}}`); status != http.StatusGone {
		t.Fatalf("submit to expired ticket: %d %s", status, body)
	}
	if status, _, page := e.get("/s/" + tk.Token); status != http.StatusGone || !strings.Contains(page, "hết hạn") {
		t.Fatalf("expired page: %d %s", status, page)
	}
}

func TestSurveyDefinitionJSON(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0007", http.StatusCreated)
	status, _, body := e.get("/api/v1/tickets/" + tk.Token + "/survey")
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var def struct {
		ID        string `json:"id"`
		Version   int    `json:"version"`
		Questions []struct {
			ID       string `json:"id"`
			Type     string `json:"type"`
			Required bool   `json:"required"`
			Options  []struct {
				Value any               `json:"value"`
				Label map[string]string `json:"label"`
			} `json:"options"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(body), &def); err != nil {
		t.Fatal(err)
	}
	if def.ID != "sipas-full" || def.Version < 1 {
		t.Fatalf("survey %q v%d", def.ID, def.Version)
	}
	for _, q := range def.Questions {
		if q.ID == "overall" {
			if !q.Required || q.Type != "rating" || len(q.Options) != 5 || q.Options[4].Label["vi"] != "Rất hài lòng" || q.Options[4].Value != float64(5) {
				t.Fatalf("overall question: %+v", q)
			}
			return
		}
	}
	t.Fatal("no overall question")
}

func TestFormSubmissionWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0008", http.StatusCreated)
	status, hdr, page := e.get("/s/" + tk.Token)
	if status != 200 || hdr.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(page, `lang="vi"`) || !strings.Contains(page, "Rất không hài lòng") {
		t.Fatalf("survey page: %d %v", status, hdr)
	}
	// The form is plain HTML; its one script, deferred, only enhances it (the browser tests
	// submit it with JavaScript switched off).
	if strings.Count(page, "<script") != 1 || !strings.Contains(page, `<script src="/static/survey.js" defer></script>`) {
		t.Fatal("the survey page may load only its deferred enhancement script, nothing inline")
	}
	// A missing overall rating re-renders the form with the error and keeps the answers.
	form := url.Values{"staff_polite": {"4"}, "comment": {"Chờ lâu"}}
	status, _, page = e.post("/s/"+tk.Token, "application/x-www-form-urlencoded", form.Encode())
	if status != 422 || !strings.Contains(page, "Chờ lâu") || !strings.Contains(page, `aria-invalid="true"`) {
		t.Fatalf("invalid form: %d", status)
	}
	form.Set("overall", "2")
	status, hdr, _ = e.post("/s/"+tk.Token, "application/x-www-form-urlencoded", form.Encode())
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/s/"+tk.Token+"?thanks=1") {
		t.Fatalf("valid form: %d %v", status, hdr)
	}
	status, _, page = e.get(hdr.Get("Location"))
	if status != 200 || !strings.Contains(page, "Cảm ơn") {
		t.Fatalf("thank-you page: %d", status)
	}
	status, _, _ = e.post("/s/"+tk.Token, "application/x-www-form-urlencoded", form.Encode())
	if status != http.StatusConflict {
		t.Fatalf("second form post: %d, want 409", status)
	}
}

// The survey is Vietnamese whatever the phone's language, like the slip; English only when
// chosen with the switch (?lang=en).
func TestEnglishSurveyPage(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0009", http.StatusCreated)
	status, _, page := e.get("/s/"+tk.Token+"?lang=en", "Accept-Language", "vi-VN")
	if status != 200 || !strings.Contains(page, `lang="en"`) || !strings.Contains(page, "Very satisfied") {
		t.Fatalf("english page via ?lang=en: %d", status)
	}
	status, _, page = e.get("/s/"+tk.Token, "Accept-Language", "en-GB,en;q=0.8")
	if status != 200 || !strings.Contains(page, `lang="vi"`) || !strings.Contains(page, "Rất hài lòng") {
		t.Fatalf("a phone set to English got %d without the Vietnamese page", status)
	}
}

func TestShortCodeLeadsToSurveyAndIsRateLimited(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.ShortCode = 5 })
	tk := e.issue("H48-260331-0010", http.StatusCreated)
	typed := strings.ToLower(tk.ShortCode[:4] + "-" + tk.ShortCode[4:])
	status, hdr, _ := e.post("/s", "application/x-www-form-urlencoded", url.Values{"code": {typed}}.Encode())
	if status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/s/"+tk.Token) {
		t.Fatalf("short code: %d %v", status, hdr)
	}
	status, _, page := e.post("/s", "application/x-www-form-urlencoded", url.Values{"code": {"O0I1-AAAA"}}.Encode())
	if status != 422 || !strings.Contains(page, "Mã không hợp lệ") {
		t.Fatalf("ambiguous code: %d", status)
	}
	var last int
	var retry string
	for range 5 {
		last, hdr, _ = e.post("/s", "application/x-www-form-urlencoded", url.Values{"code": {"ZZZZ-ZZZZ"}}.Encode())
		retry = hdr.Get("Retry-After")
	}
	if last != http.StatusTooManyRequests || retry == "" {
		t.Fatalf("guessing codes: last status %d Retry-After %q, want 429 with Retry-After", last, retry)
	}
}

func TestQRImagesEncodeTheSurveyURL(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0011", http.StatusCreated)
	path := strings.TrimPrefix(tk.QRPNGURL, "https://hailong.test")
	status, hdr, png := e.get(path + "?size=512")
	if status != 200 || hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("png: %d %v", status, hdr)
	}
	if got := testkit.DecodeQR(t, []byte(png)); got != tk.SurveyURL {
		t.Fatalf("PNG QR decodes to %q, want %q", got, tk.SurveyURL)
	}
	if status, _, _ := e.get(path + "?size=5000"); status != 422 {
		t.Fatalf("oversized QR: %d", status)
	}
	status, hdr, svg := e.get(strings.TrimPrefix(tk.QRSVGURL, "https://hailong.test"))
	if status != 200 || hdr.Get("Content-Type") != "image/svg+xml" || !bytes.Contains([]byte(svg), []byte("<svg")) {
		t.Fatalf("svg: %d %v", status, hdr)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _, body := e.get(p); status != 200 {
			t.Fatalf("%s: %d %s", p, status, body)
		}
	}
}

// A client that accepts gzip gets pages and figures compressed, which is what a phone on a weak
// network notices; an answer that fits in one packet anyway, such as a ticket, comes as it is.
func TestLargeAnswersAreCompressedSmallOnesNot(t *testing.T) {
	e := newEnv(t)

	// Asking for gzip explicitly keeps the client from unpacking the answer itself.
	for _, path := range []string{"/s", "/api/v1/openapi.json"} {
		status, h, body := e.get(path, "Accept-Encoding", "gzip")
		if status != http.StatusOK || h.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: status %d, Content-Encoding %q; want 200, gzip", path, status, h.Get("Content-Encoding"))
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("GET %s: unpack: %v", path, err)
		}
		if len(body) >= len(plain) {
			t.Errorf("GET %s: %d bytes compressed from %d", path, len(body), len(plain))
		}
	}

	body := `{"dossier_code":"H48.99-260331-0001","field":"land","agency":"000.00.53.H48","counter":"c1","on_time":true}`
	status, h, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key, "Accept-Encoding", "gzip")
	if status != http.StatusCreated {
		t.Fatalf("issue: status %d: %s", status, resp)
	}
	if enc := h.Get("Content-Encoding"); enc != "" {
		t.Errorf("a %d-byte ticket answer came with Content-Encoding %q", len(resp), enc)
	}
	var tk ticketJSON
	if err := json.Unmarshal([]byte(resp), &tk); err != nil || tk.Token == "" {
		t.Errorf("ticket answer %q: %v", resp, err)
	}
}
