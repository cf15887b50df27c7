package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
)

// apiChecker sits under the test client: every /api/v1 request and its answer are checked
// against the OpenAPI document the server serves. A request the document refuses must be
// refused by the server too, and every answer must be one the document describes.
type apiChecker struct {
	t      *testing.T
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options

	mu       sync.Mutex
	answered map[string][]int // operation id → statuses seen
}

func init() {
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("image/svg+xml", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.wordprocessingml.document", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.FileBodyDecoder)
}

// checkAPI loads and validates the document e serves, then checks every API call of the test
// against it until the test ends.
func checkAPI(e *env) *apiChecker {
	t := e.t
	t.Helper()
	status, hdr, body := e.get("/api/v1/openapi.json")
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", status, hdr.Get("Content-Type"))
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(body))
	if err != nil {
		t.Fatalf("load the document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("document is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	c := &apiChecker{t: t, doc: doc, router: router, answered: map[string][]int{},
		opts: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}}
	for _, cl := range []*http.Client{client, streamClient} {
		prev := cl.Transport
		next := prev
		if next == nil {
			next = http.DefaultTransport
		}
		cl.Transport = checkedTransport{c, next}
		t.Cleanup(func() { cl.Transport = prev })
	}
	e.get("/api/v1/openapi.json") // the document describes itself too
	return c
}

// checkedTransport checks the API calls it carries to next.
type checkedTransport struct {
	*apiChecker
	next http.RoundTripper
}

func (ct checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := ct.apiChecker
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return ct.next.RoundTrip(req)
	}
	what := req.Method + " " + req.URL.Path
	reqBody, err := readAll(&req.Body)
	if err != nil {
		return nil, err
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		c.t.Errorf("%s: no such operation in the document: %v", what, err)
		return ct.next.RoundTrip(req)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: c.opts}
	refused := openapi3filter.ValidateRequest(req.Context(), in)
	req.Body = io.NopCloser(bytes.NewReader(reqBody)) // as sent: the validator may have filled in defaults
	req.ContentLength = int64(len(reqBody))
	resp, err := ct.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if refused != nil && resp.StatusCode < 400 {
		c.t.Errorf("%s: the document refuses the request (%v) but the server answered %d", what, refused, resp.StatusCode)
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header, Options: c.opts}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		out.Options = &openapi3filter.Options{AuthenticationFunc: c.opts.AuthenticationFunc, IncludeResponseStatus: true, ExcludeResponseBody: true}
	} else {
		body, err := readAll(&resp.Body)
		if err != nil {
			return nil, err
		}
		out.SetBodyBytes(body)
	}
	if err := openapi3filter.ValidateResponse(req.Context(), out); err != nil {
		c.t.Errorf("%s: answer %d does not match the document: %v", what, resp.StatusCode, err)
	}
	c.mu.Lock()
	c.answered[route.Operation.OperationID] = append(c.answered[route.Operation.OperationID], resp.StatusCode)
	c.mu.Unlock()
	return resp, nil
}

// readAll reads *rc whole and puts back a reader of the same bytes.
func readAll(rc *io.ReadCloser) ([]byte, error) {
	if *rc == nil || *rc == http.NoBody {
		return nil, nil
	}
	b, err := io.ReadAll(*rc)
	_ = (*rc).Close()
	*rc = io.NopCloser(bytes.NewReader(b))
	return b, err
}

// everyOperationAnswered fails unless each operation of the document was called, and each
// status in want was answered by some operation.
func (c *apiChecker) everyOperationAnswered(want ...int) {
	c.t.Helper()
	seen := map[int]bool{}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			statuses, ok := c.answered[op.OperationID]
			if !ok {
				c.t.Errorf("%s %s (%s) was never called", method, path, op.OperationID)
			}
			for _, s := range statuses {
				seen[s] = true
			}
		}
	}
	for _, s := range want {
		if !seen[s] {
			c.t.Errorf("no call was answered %d", s)
		}
	}
}

var fiberParam = regexp.MustCompile(`:([a-z]+)`)

// TestOpenAPIDescribesEveryRouteAndRealAnswer walks the whole /api/v1 surface through the
// checker: the successes and the errors of each route.
func TestOpenAPIDescribesEveryRouteAndRealAnswer(t *testing.T) {
	e := newEnv(t)
	api := checkAPI(e)
	ctx := context.Background()

	// Every /api/v1 route the server has is in the document.
	for _, r := range e.app.GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == http.MethodHead {
			continue
		}
		path := fiberParam.ReplaceAllString(r.Path, "{$1}")
		if item := api.doc.Paths.Value(path); item == nil || item.GetOperation(r.Method) == nil {
			t.Errorf("route %s %s is not in the document", r.Method, r.Path)
		}
	}

	keys := mongodb.NewAPIKeyStore(e.db)
	newKey := func(scopes ...string) []string {
		secret, _, err := keys.CreateAPIKey(ctx, strings.Join(scopes, ","), scopes, e.clock())
		if err != nil {
			t.Fatal(err)
		}
		return []string{"Authorization", "Bearer " + secret}
	}
	statsKey, casesRead, casesWrite := newKey(account.ScopeStatsRead), newKey(account.ScopeCasesRead), newKey(account.ScopeCasesRead, account.ScopeCasesWrite)
	bearer := []string{"Authorization", "Bearer " + e.key}
	expect := func(what string, status, want int, body string) {
		t.Helper()
		if status != want {
			t.Errorf("%s: %d, want %d: %.300s", what, status, want, body)
		}
	}

	// Tickets and the batch import.
	tk := e.issue("OAS-0001", http.StatusCreated)
	e.issue("OAS-0001", http.StatusOK)
	for _, c := range []struct {
		path, body string
		headers    []string
		want       int
	}{
		{"/api/v1/tickets", `{"dossier_code":"OAS-0002","field":"astrology"}`, bearer, http.StatusUnprocessableEntity},
		{"/api/v1/tickets", `{"dossier_code":`, bearer, http.StatusBadRequest},
		{"/api/v1/tickets", `{"dossier_code":"OAS-0002","field":"land"}`, nil, http.StatusUnauthorized},
		{"/api/v1/tickets", `{"dossier_code":"OAS-0002","field":"land"}`, statsKey, http.StatusForbidden},
		{"/api/v1/tickets", `{"dossier_code":"OAS-0002","field":"land","procedure_name":"` + strings.Repeat("x", 70_000) + `"}`, bearer, http.StatusRequestEntityTooLarge},
		{"/api/v1/tickets/batch", "[" + batchItem("OAS-0001", "land") + "," + batchItem("OAS-0003", "land") + "," + batchItem("OAS-0004", "astrology") + "]", bearer, http.StatusOK},
		{"/api/v1/tickets/batch", `{"tickets":[]}`, bearer, http.StatusBadRequest},
		{"/api/v1/tickets/batch", "[" + strings.Repeat(batchItem("OAS-0005", "land")+",", 500) + "1]", bearer, http.StatusUnprocessableEntity},
	} {
		status, _, body := e.post(c.path, "application/json", c.body, c.headers...)
		expect("POST "+c.path, status, c.want, body)
	}

	// The citizen's side: survey, QR images, the response.
	for _, c := range []struct {
		path string
		want int
	}{
		{"/api/v1/tickets/" + tk.Token + "/survey", http.StatusOK},
		{"/api/v1/tickets/" + strings.Repeat("A", 32) + "/survey", http.StatusNotFound},
		{"/api/v1/tickets/" + tk.Token + "/qr.png?size=300", http.StatusOK},
		{"/api/v1/tickets/" + tk.Token + "/qr.png?size=5", http.StatusUnprocessableEntity},
		{"/api/v1/tickets/" + tk.Token + "/qr.svg", http.StatusOK},
	} {
		status, _, body := e.get(c.path)
		expect("GET "+c.path, status, c.want, body)
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{fmt.Sprintf(`{"token":%q,"answers":{"overall":9}}`, tk.Token), http.StatusUnprocessableEntity},
		{fmt.Sprintf(`{"token":%q,"answers":{"overall":5,"staff_polite":4},"comment":"Nhanh gọn."}`, tk.Token), http.StatusCreated},
		{fmt.Sprintf(`{"token":%q,"answers":{"overall":5}}`, tk.Token), http.StatusConflict},
		{`{"token":"` + strings.Repeat("A", 32) + `","answers":{"overall":5}}`, http.StatusNotFound},
		{`{"token":5,"answers":{"overall":5}}`, http.StatusBadRequest},
	} {
		status, body := e.submitJSON(c.body)
		expect("POST /api/v1/responses "+c.body, status, c.want, body)
	}
	// Step 2 of a response sent through the API.
	tk2 := e.issue("OAS-0006", http.StatusCreated)
	step2 := "/api/v1/responses/" + tk2.Token + "/step2"
	for _, c := range []struct {
		path, body string
		want       int
	}{
		{step2, `{"answers":{"staff_polite":5}}`, http.StatusNotFound},
		{"/api/v1/responses", fmt.Sprintf(`{"token":%q,"answers":{"overall":4}}`, tk2.Token), http.StatusCreated},
		{step2, `{"answers":{"overall":5}}`, http.StatusUnprocessableEntity},
		{step2, `{"answers":`, http.StatusBadRequest},
		{step2, `{"answers":{"staff_polite":5,"returns":"0"}}`, http.StatusCreated},
		{step2, `{"answers":{"result_accurate":5}}`, http.StatusConflict},
	} {
		status, _, body := e.post(c.path, "application/json", c.body)
		expect("POST "+c.path+" "+c.body, status, c.want, body)
	}

	// Figures.
	thisYear := strconv.Itoa(e.clock().Year()) // the year of the test's data
	for _, c := range []struct {
		query   string
		headers []string
		want    int
	}{
		{"?from=2026-03-01&to=2026-03-31&group_by=agency", statsKey, http.StatusOK},
		{"?from=2026-03-01&to=2026-03-31&group_by=month", statsKey, http.StatusOK},
		{"?from=" + thisYear + "-01-01&to=" + thisYear + "-12-31&group_by=procedure&compare=true", statsKey, http.StatusOK},
		{"?from=" + thisYear + "-01-01&to=" + thisYear + "-12-31&group_by=criterion&compare=true", statsKey, http.StatusOK},
		{"?from=" + thisYear + "-01-01&to=" + thisYear + "-12-31&group_by=channel", statsKey, http.StatusOK},
		{"?from=2026-03-31&to=2026-03-01", statsKey, http.StatusUnprocessableEntity},
		{"?from=2026-03-01&to=2026-03-31", []string{"Authorization", "Bearer nope"}, http.StatusUnauthorized},
		{"?from=2026-03-01&to=2026-03-31", bearer, http.StatusForbidden},
	} {
		status, _, body := e.get("/api/v1/stats"+c.query, c.headers...)
		expect("GET /api/v1/stats"+c.query, status, c.want, body)
	}

	// The periodic report in each format, and its refusals.
	for _, c := range []struct {
		query   string
		headers []string
		want    int
	}{
		{"?period=quarter&from=2026-03-01&format=docx", statsKey, http.StatusOK},
		{"?period=nine_months&format=xlsx", statsKey, http.StatusOK},
		{"?from=2026-03-01&to=2026-03-31&format=html", statsKey, http.StatusOK},
		{"?period=week", statsKey, http.StatusUnprocessableEntity},
		{"?period=year", nil, http.StatusUnauthorized},
		{"?period=year", bearer, http.StatusForbidden},
	} {
		status, _, body := e.get("/api/v1/reports"+c.query, c.headers...)
		expect("GET /api/v1/reports"+c.query, status, c.want, body)
	}

	// Follow-up cases: list, read, every action, the figures and the refusals.
	id := e.rateAndRollUp("OAS-0100", 1)
	manager := e.addUser("manager", account.RoleManager, adminPassword)
	caseURL := "/api/v1/cases/" + id
	for _, c := range []struct {
		method, path, body string
		headers            []string
		want               int
	}{
		{http.MethodGet, "/api/v1/cases?status=open&kind=dissatisfied", "", casesRead, http.StatusOK},
		{http.MethodGet, "/api/v1/cases?kind=angry", "", casesRead, http.StatusUnprocessableEntity},
		{http.MethodGet, "/api/v1/cases", "", nil, http.StatusUnauthorized},
		{http.MethodGet, caseURL, "", casesRead, http.StatusOK},
		{http.MethodGet, "/api/v1/cases/" + strings.Repeat("A", 32), "", casesRead, http.StatusNotFound},
		{http.MethodGet, "/api/v1/cases/stats?from=2026-03-01&to=2026-03-31&group_by=kind", "", casesRead, http.StatusOK},
		{http.MethodPost, caseURL + "/notes", `{"text":"Đã gọi điện."}`, casesRead, http.StatusForbidden},
		{http.MethodPost, caseURL + "/notes", `{"text":"Đã gọi điện."}`, casesWrite, http.StatusUnprocessableEntity},
		{http.MethodPost, caseURL + "/assign", fmt.Sprintf(`{"user":%q,"version":1}`, manager), casesWrite, http.StatusOK},
		{http.MethodPost, caseURL + "/notes", `{"text":"Đã gọi điện.","version":1}`, casesWrite, http.StatusConflict},
		{http.MethodPost, caseURL + "/notes", `{"text":"Đã gọi điện."}`, append(slices.Clone(casesWrite), "If-Match", "2"), http.StatusOK},
		{http.MethodPost, caseURL + "/resolve", `{"summary":"Đã giải thích.","reply":"Cảm ơn ông/bà.","version":3}`, casesWrite, http.StatusOK},
		{http.MethodPost, caseURL + "/reopen", `{"reason":"Công dân chưa đồng ý.","version":4}`, casesWrite, http.StatusOK},
		{http.MethodPost, caseURL + "/close", `{"reason":"Không liên lạc được.","reply":"Xin lỗi ông/bà.","version":5}`, casesWrite, http.StatusOK},
	} {
		status, body := e.caseAPI(c.method, c.path, c.body, c.headers...)
		expect(c.method+" "+c.path+" "+c.body, status, c.want, body)
	}

	// Kiosk tablets: pairing, status, ratings, the push stream, the admins' API.
	k, code := e.newTablet()
	if status, body := e.adminPair(code, "c1"); status != http.StatusOK {
		t.Fatalf("pair: %d %s", status, body)
	}
	adm := e.kioskAdmin()
	kt := e.issueAt("OAS-0200", "c1")
	status, _ := k.status()
	expect("kiosk status", status, http.StatusOK, "")
	status, _, body := e.get("/api/v1/kiosk/status")
	expect("kiosk status without a device", status, http.StatusUnauthorized, body)
	status, _, body = e.post("/api/v1/kiosk/pair", "application/json", "", k.headers()...)
	expect("pair again", status, http.StatusOK, body)
	status, _, body = e.post("/api/v1/kiosk/pair", "application/json", "")
	expect("pair without the kiosk header", status, http.StatusForbidden, body)
	status, body = k.rate(kt.Token, "oas-key-0001", 5, "")
	expect("kiosk rating", status, http.StatusCreated, body)
	status, body = k.rate(kt.Token, "oas-key-0001", 5, "")
	expect("the same kiosk rating again", status, http.StatusOK, body)
	status, body = k.rate("", "oas-key-0002", 7, "")
	expect("a kiosk rating out of range", status, http.StatusUnprocessableEntity, body)
	legacy := func(token, key string, age time.Duration) (int, string) {
		at := e.clock().Add(-age).Format(time.RFC3339)
		return k.post("/api/v1/kiosk/responses", fmt.Sprintf(`{"token":%q,"idempotency_key":%q,"answers":{"overall":4},"rated_at":%q,"replayed":true}`, token, key, at))
	}
	status, body = legacy(e.issueAt("OAS-0201", "c1").Token, "oas-key-0003", time.Hour)
	expect("a kiosk rating queued before the upgrade, with its token", status, http.StatusCreated, body)
	status, body = legacy(e.issueAt("OAS-0202", "c1").Token, "oas-key-0004", 48*time.Hour)
	expect("a token rating queued too long ago", status, http.StatusGone, body)
	status, _, body = e.get("/api/v1/kiosk/events")
	expect("events without a device", status, http.StatusUnauthorized, body)
	k.stream(e).cancel() // the stream's status and headers are checked; its events are not JSON bodies
	status, _, body = e.get("/api/v1/kiosk/devices", "Cookie", adm.cookie, "X-CSRF-Token", adm.csrf)
	expect("devices", status, http.StatusOK, body)
	status, _, body = e.get("/api/v1/kiosk/devices")
	expect("devices without a session", status, http.StatusUnauthorized, body)
	status, body = adm.postJSON("/api/v1/kiosk/devices/pair", `{"code":"ZZZZZZ","agency":"`+testAgency+`","counter":"c1"}`)
	expect("pair an unknown code", status, http.StatusNotFound, body)
	status, body = adm.postJSON("/api/v1/kiosk/devices/"+k.id()+"/revoke", "")
	expect("revoke", status, http.StatusOK, body)
	status, body = k.rate(kt.Token, "oas-key-0003", 5, "")
	expect("a rating from a revoked tablet", status, http.StatusUnauthorized, body)

	// Webhooks and the delivery log.
	hooksKey := newKey(account.ScopeWebhooks)
	call := func(method, path, body string, headers ...string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		status, _, resp := e.do(req)
		return status, resp
	}
	status, body = call(http.MethodPost, "/api/v1/webhooks", `{"url":"https://he-thong.example.gov.vn/hooks","events":["case.opened","target.below"],"description":"Cổng phản ánh"}`, hooksKey...)
	expect("create a webhook", status, http.StatusCreated, body)
	var hook struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	_ = json.Unmarshal([]byte(body), &hook)
	if !strings.HasPrefix(hook.Secret, "whsec_") {
		t.Fatalf("the new webhook's answer shows no secret: %s", body)
	}
	hookURL := "/api/v1/webhooks/" + hook.ID
	for _, c := range []struct {
		method, path, body string
		headers            []string
		want               int
	}{
		{http.MethodGet, "/api/v1/webhooks", "", hooksKey, http.StatusOK},
		{http.MethodGet, "/api/v1/webhooks", "", nil, http.StatusUnauthorized},
		{http.MethodGet, "/api/v1/webhooks", "", statsKey, http.StatusForbidden},
		{http.MethodPost, "/api/v1/webhooks", `{"url":"http://169.254.169.254/latest","events":["case.opened"]}`, hooksKey, http.StatusUnprocessableEntity},
		{http.MethodPost, "/api/v1/webhooks", `{"url":`, hooksKey, http.StatusBadRequest},
		{http.MethodGet, hookURL, "", hooksKey, http.StatusOK},
		{http.MethodGet, "/api/v1/webhooks/wh_nope", "", hooksKey, http.StatusNotFound},
		{http.MethodPut, hookURL, `{"url":"https://he-thong.example.gov.vn/hooks/v2","events":["case.opened"],"active":true}`, hooksKey, http.StatusOK},
		{http.MethodPut, hookURL, `{"url":"https://he-thong.example.gov.vn/hooks/v2","events":[]}`, hooksKey, http.StatusUnprocessableEntity},
		{http.MethodPut, hookURL, `[]`, hooksKey, http.StatusBadRequest},
		{http.MethodPut, "/api/v1/webhooks/wh_nope", `{"url":"https://he-thong.example.gov.vn/x","events":["case.opened"]}`, hooksKey, http.StatusNotFound},
		{http.MethodPost, hookURL + "/rotate", "", hooksKey, http.StatusOK},
		{http.MethodPost, "/api/v1/webhooks/wh_nope/rotate", "", hooksKey, http.StatusNotFound},
		{http.MethodGet, "/api/v1/deliveries?status=bogus", "", hooksKey, http.StatusUnprocessableEntity},
		{http.MethodPost, "/api/v1/deliveries/nope/resend", "", hooksKey, http.StatusNotFound},
	} {
		status, body := call(c.method, c.path, c.body, c.headers...)
		expect(c.method+" "+c.path+" "+c.body, status, c.want, body)
	}
	e.rateAndRollUp("OAS-0300", 1) // opens a case: case.opened goes to the endpoint, whose name does not resolve here
	if _, err := e.outbox.Step(ctx); err != nil {
		t.Fatal(err)
	}
	status, body = call(http.MethodGet, "/api/v1/deliveries?status=pending", "", hooksKey...)
	expect("deliveries", status, http.StatusOK, body)
	var log struct {
		Deliveries []struct {
			ID        string `json:"id"`
			Type      string `json:"type"`
			LastError string `json:"last_error"`
		} `json:"deliveries"`
	}
	_ = json.Unmarshal([]byte(body), &log)
	if len(log.Deliveries) == 0 || log.Deliveries[0].Type != "case.opened" || log.Deliveries[0].LastError == "" {
		t.Fatalf("delivery log %s: want the failed case.opened delivery, pending", body)
	}
	status, body = call(http.MethodPost, "/api/v1/deliveries/"+log.Deliveries[0].ID+"/resend", "", hooksKey...)
	expect("resend", status, http.StatusAccepted, body)
	status, body = call(http.MethodDelete, hookURL, "", hooksKey...)
	expect("delete a webhook", status, http.StatusNoContent, body)
	status, body = call(http.MethodDelete, hookURL, "", hooksKey...)
	expect("delete it again", status, http.StatusNotFound, body)

	api.everyOperationAnswered(http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
}
