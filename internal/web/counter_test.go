package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/rollup"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

const officerPassword = "mật khẩu cán bộ một cửa"

// officer is a counter officer signed in: the session cookie and the counter page's CSRF token.
type officer struct {
	e                  *env
	name, cookie, csrf string
}

// signInOfficer creates an officer at counter of agency and signs them in.
func (e *env) signInOfficer(agency, counter string) *officer {
	e.t.Helper()
	name := "cb-" + counter + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.FormatInt(userSeq.Add(1), 36)
	hash, err := account.Hash(officerPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	u := account.User{Name: name, Role: account.RoleOfficer, Agency: agency, Counter: counter, PasswordHash: hash}
	if err := mongodb.NewUserStore(e.db).CreateUser(context.Background(), u); err != nil {
		e.t.Fatal(err)
	}
	o := &officer{e: e, name: name, cookie: "hl_session=" + e.mustSignIn(name, officerPassword)}
	status, _, page := o.get("/counter")
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		e.t.Fatalf("counter page of %s: %d %.300s", name, status, page)
	}
	o.csrf = m[1]
	return o
}

func (o *officer) get(path string) (int, http.Header, string) {
	return o.e.get(path, "Cookie", o.cookie)
}

// complete posts the counter form with the CSRF token.
func (o *officer) complete(form url.Values) (int, http.Header, string) {
	form.Set("csrf", o.csrf)
	return o.e.post("/counter/tickets", "application/x-www-form-urlencoded", form.Encode(), "Cookie", o.cookie)
}

// dossierForm is the counter form for dossier, as an officer fills it in.
func dossierForm(dossier string) url.Values {
	return url.Values{
		"dossier_code": {dossier}, "field": {"civil-status"}, "procedure_name": {"Đăng ký khai sinh"},
		"procedure_code": {"1.001193.000.00.00.H48"}, "channel": {"direct"}, "on_time": {"true"},
	}
}

// slipLocation matches the address of a dossier's slip, which names the dossier, never its token.
var slipLocation = regexp.MustCompile(`^/counter/slip\?dossier=([^&]+)(&|$)`)

// slipPath is the address of dossier's slip in size ("" for the default).
func slipPath(dossier, size string) string {
	q := url.Values{"dossier": {dossier}}
	if size != "" {
		q.Set("size", size)
	}
	return "/counter/slip?" + q.Encode()
}

// mustComplete completes dossier by hand, checks it leads to the dossier's slip, and returns
// the ticket's token (read from the store: no page shows it).
func (o *officer) mustComplete(dossier string) string {
	o.e.t.Helper()
	status, hdr, body := o.complete(dossierForm(dossier))
	m := slipLocation.FindStringSubmatch(hdr.Get("Location"))
	if status != http.StatusSeeOther || m == nil || m[1] != url.QueryEscape(dossier) {
		o.e.t.Fatalf("complete %s: %d to %q: %.500s", dossier, status, hdr.Get("Location"), body)
	}
	return o.e.dossierToken(dossier)
}

// dossierToken reads the token of dossier's ticket straight from the store.
func (e *env) dossierToken(dossier string) string {
	e.t.Helper()
	var d struct{ Token string }
	if err := e.db.DB.Collection("dossiers").FindOne(context.Background(), bson.D{{Key: "_id", Value: dossier}}).Decode(&d); err != nil {
		e.t.Fatalf("dossier %s: %v", dossier, err)
	}
	return d.Token
}

// storedTicket reads the ticket with token straight from the store.
func (e *env) storedTicket(token string) survey.Ticket {
	e.t.Helper()
	var t survey.Ticket
	if err := e.db.DB.Collection("tickets").FindOne(context.Background(), bson.D{{Key: "_id", Value: token}}).Decode(&t); err != nil {
		e.t.Fatalf("ticket %s: %v", token, err)
	}
	return t
}

// todayRow returns the row of the counter page's list for dossier, or "" when it is not listed.
func todayRow(page, dossier string) string {
	m := regexp.MustCompile(`(?s)<tr data-dossier="` + regexp.QuoteMeta(dossier) + `".*?</tr>`).FindString(page)
	return m
}

var (
	slipSVG = regexp.MustCompile(`(?s)<div class="slip-qr">(<svg .*?</svg>)</div>`)
	svgSize = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgRun  = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-\d+z`)
)

// scanSlipQR draws the QR code embedded in a slip page, 8 pixels a module, and scans it as a
// phone would scan the printed slip.
func scanSlipQR(t *testing.T, page string) string {
	t.Helper()
	m := slipSVG.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no inline QR <svg> on the slip:\n%.2000s", page)
	}
	size := svgSize.FindStringSubmatch(m[1])
	if size == nil {
		t.Fatalf("QR svg without a viewBox: %.200s", m[1])
	}
	const px = 8
	n, _ := strconv.Atoi(size[1])
	img := image.NewGray(image.Rect(0, 0, n*px, n*px))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	for _, r := range svgRun.FindAllStringSubmatch(m[1], -1) {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		w, _ := strconv.Atoi(r[3])
		draw.Draw(img, image.Rect(x*px, y*px, (x+w)*px, (y+1)*px), image.NewUniform(color.Black), image.Point{}, draw.Src)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return testkit.DecodeQR(t, buf.Bytes())
}

func TestCounterOfficerCompletesADossierAndPrintsItsSlip(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")
	kiosk := e.pairedKiosk("c1")
	events := kiosk.stream(e)
	if _, _, page := o.get("/counter"); !strings.Contains(page, "Hôm nay quầy chưa trả kết quả hồ sơ nào.") {
		t.Fatalf("a new counter's page does not say it has no dossier yet:\n%.3000s", page)
	}

	// Unit, counter and officer come from the account, whatever the form says.
	form := dossierForm("000.00.53.H48-260331-0042")
	form.Set("agency", "KHAC")
	form.Set("counter", "c9")
	form.Set("officer", "nguoi-khac")
	status, hdr, body := o.complete(form)
	m := slipLocation.FindStringSubmatch(hdr.Get("Location"))
	if status != http.StatusSeeOther || m == nil {
		t.Fatalf("completing a dossier: %d to %q: %.500s", status, hdr.Get("Location"), body)
	}
	token := e.dossierToken("000.00.53.H48-260331-0042")
	tk := e.storedTicket(token)
	if tk.Agency != testAgency || tk.Counter != "c1" || tk.Officer != o.name || tk.Field != "civil-status" || tk.OnTime == nil || !*tk.OnTime {
		t.Fatalf("ticket %+v: want the officer's unit, counter and name, the field and on time", tk)
	}
	if ev, ok := events.next(2 * time.Second); !ok || ev.Type != "dossier" || ev.Data.Ref != e.kioskRef(token) {
		t.Fatalf("the counter's kiosk got %+v (ok=%v), want the dossier just completed", ev, ok)
	}

	status, _, slip := o.get(hdr.Get("Location"))
	if status != http.StatusOK || strings.Contains(hdr.Get("Location"), token) {
		t.Fatalf("slip: %d %.300s", status, slip)
	}
	code := tk.ShortCode[:4] + "-" + tk.ShortCode[4:]
	for _, want := range []string{
		`<p class="slip-code">` + code + `</p>`, "000.00.53.H48-260331-0042", "Đăng ký khai sinh", "31/03/2026", "<svg ",
		"Quét mã QR hoặc nhập mã tại hailong.test/s để đánh giá mức độ hài lòng của Ông/Bà.",
		`<link rel="stylesheet" href="/static/slip.css">`, `class="slip-page size-80mm"`,
	} {
		if !strings.Contains(slip, want) {
			t.Errorf("slip lacks %q", want)
		}
	}
	surveyURL := "https://hailong.test/s/" + token
	if got := scanSlipQR(t, slip); got != surveyURL {
		t.Fatalf("the slip's QR scans as %q, want %q", got, surveyURL)
	}
	if status, _, png := e.get("/api/v1/tickets/" + token + "/qr.png?size=512"); status != http.StatusOK || testkit.DecodeQR(t, []byte(png)) != surveyURL {
		t.Fatalf("QR PNG of the same ticket: %d", status)
	}
	if _, _, a6 := o.get(slipPath("000.00.53.H48-260331-0042", "a6")); !strings.Contains(a6, `class="slip-page size-a6"`) || !strings.Contains(a6, code) {
		t.Fatal("the A6 slip is not laid out for A6")
	}

	_, _, page := o.get("/counter")
	row := todayRow(page, "000.00.53.H48-260331-0042")
	if !strings.Contains(row, "Chưa đánh giá") || !strings.Contains(row, `/counter/slip?dossier=000.00.53.H48-260331-0042&amp;size=a6`) {
		t.Fatalf("the counter page should list the dossier as not rated yet, with its slip: %q", row)
	}
	// The officer could answer a dossier whose code or token the list showed: neither is on it.
	if strings.Contains(page, code) || strings.Contains(page, token) {
		t.Fatalf("the day list shows the short code (%v) or the token (%v)", strings.Contains(page, code), strings.Contains(page, token))
	}
	if st, resp := e.submitJSON(`{"token":"` + token + `","answers":{"overall":5}}`); st != http.StatusCreated {
		t.Fatalf("rating: %d %s", st, resp)
	}
	_, _, page = o.get("/counter")
	if row := todayRow(page, "000.00.53.H48-260331-0042"); !strings.Contains(row, "Đã đánh giá") {
		t.Fatalf("after the rating the row should say rated: %q", row)
	}

	if strings.Contains(slip, `class="slip-tools slip-notice"`) {
		t.Error("a new dossier's slip says it was already issued")
	}
	// The same dossier again (a double click, a reload) shows the same slip with a notice saying
	// so, and lists it once.
	_, hdr, _ = o.complete(dossierForm("000.00.53.H48-260331-0042"))
	if m := slipLocation.FindStringSubmatch(hdr.Get("Location")); m == nil || m[1] != "000.00.53.H48-260331-0042" {
		t.Fatalf("completing the dossier again led to %q, want the dossier's slip", hdr.Get("Location"))
	}
	if _, _, again := o.get(hdr.Get("Location")); !strings.Contains(again, "Hồ sơ 000.00.53.H48-260331-0042 đã được phát phiếu đánh giá lúc 09:00 31/03/2026") || !strings.Contains(again, code) {
		t.Fatalf("the slip of a dossier completed again lacks the notice:\n%.3000s", again)
	}
	if _, _, page = o.get("/counter"); strings.Count(page, `data-dossier="000.00.53.H48-260331-0042"`) != 1 {
		t.Fatal("a dossier completed twice is listed twice")
	}
	if ev, ok := events.next(300 * time.Millisecond); ok {
		t.Fatalf("completing the same dossier again pushed %+v to the kiosk", ev)
	}
}

func TestCounterOfficersSeeOnlyTheirOwnCounter(t *testing.T) {
	e := newEnv(t)
	mine, theirs := e.signInOfficer(testAgency, "c1"), e.signInOfficer(testAgency, "c2")
	token := mine.mustComplete("H48-260331-0101")
	if status, _, _ := theirs.get(slipPath("H48-260331-0101", "")); status != http.StatusForbidden {
		t.Fatalf("an officer of another counter opening the slip: %d, want 403", status)
	}
	if _, _, page := theirs.get("/counter"); strings.Contains(page, token) || strings.Contains(page, "H48-260331-0101") {
		t.Fatal("another counter's page lists the dossier")
	}
	status, _, page := theirs.complete(dossierForm("H48-260331-0101"))
	if status != http.StatusConflict || !strings.Contains(page, "đã được phát phiếu đánh giá tại quầy khác") {
		t.Fatalf("completing a dossier another counter completed: %d", status)
	}

	// A manager of the unit sees the counter and its slips but completes nothing.
	manager := "hl_session=" + e.mustSignIn(e.addUser("mgr", account.RoleManager, adminPassword), adminPassword)
	if status, _, page := e.get("/counter", "Cookie", manager); status != http.StatusOK || !strings.Contains(page, "Chọn quầy một cửa") {
		t.Fatalf("a manager's counter page without a counter: %d", status)
	}
	status, _, page = e.get("/counter?agency="+testAgency+"&counter=c1", "Cookie", manager)
	if status != http.StatusOK || todayRow(page, "H48-260331-0101") == "" || strings.Contains(page, `action="/counter/tickets"`) {
		t.Fatalf("a manager's view of c1: %d, listed %v, form shown %v", status, todayRow(page, "H48-260331-0101") != "", strings.Contains(page, `action="/counter/tickets"`))
	}
	if status, _, _ := e.get(slipPath("H48-260331-0101", ""), "Cookie", manager); status != http.StatusOK {
		t.Fatalf("a manager of the unit opening the slip: %d", status)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	form := dossierForm("H48-260331-0102")
	form.Set("csrf", csrf)
	if status, _, _ := e.post("/counter/tickets", "application/x-www-form-urlencoded", form.Encode(), "Cookie", manager); status != http.StatusForbidden {
		t.Fatalf("a manager completing a dossier: %d, want 403", status)
	}

	// Others are kept out.
	hash, _ := account.Hash(adminPassword)
	name := "mgr.xa-khac-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := mongodb.NewUserStore(e.db).CreateUser(context.Background(), account.User{Name: name, Role: account.RoleManager, Agency: "XA-KHAC", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	elsewhere := "hl_session=" + e.mustSignIn(name, adminPassword)
	if status, _, _ := e.get(slipPath("H48-260331-0101", ""), "Cookie", elsewhere); status != http.StatusForbidden {
		t.Fatalf("a manager of another unit opening the slip: %d, want 403", status)
	}
	if status, _, _ := e.get("/counter?agency="+testAgency+"&counter=c1", "Cookie", elsewhere); status != http.StatusForbidden {
		t.Fatalf("a manager of another unit opening c1: %d, want 403", status)
	}
	viewer := "hl_session=" + e.mustSignIn(e.addUser("xem", account.RoleViewer, adminPassword), adminPassword)
	if status, _, _ := e.get("/counter", "Cookie", viewer); status != http.StatusForbidden {
		t.Fatalf("a viewer on the counter page: %d, want 403", status)
	}
	if status, hdr, _ := e.get(slipPath("H48-260331-0101", "")); status != http.StatusSeeOther || !strings.HasPrefix(hdr.Get("Location"), "/signin?next=") {
		t.Fatalf("the slip without signing in: %d %v", status, hdr)
	}
}

func TestCounterFormRefusals(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")

	form := dossierForm("H48-260331-0201")
	form.Set("field", "fishing")
	status, _, page := o.complete(form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Lĩnh vực &#34;fishing&#34; không có trong danh mục.") {
		t.Fatalf("unknown field: %d\n%.3000s", status, page)
	}
	if !strings.Contains(page, `value="H48-260331-0201"`) || !strings.Contains(page, `id="f-field" name="field" required aria-invalid="true" aria-describedby="e-field"`) {
		t.Fatal("the refused form should keep what was typed and mark the field in error")
	}
	form = dossierForm("")
	form.Set("on_time", "maybe")
	status, _, page = o.complete(form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "Thiếu mã hồ sơ.") || !strings.Contains(page, "đúng hạn hay trễ hạn") {
		t.Fatalf("missing dossier code and bad on_time: %d", status)
	}
	form = dossierForm("H48-260331-0202")
	form.Set("lang", "en")
	form.Set("field", "fishing")
	if status, _, page = o.complete(form); status != http.StatusUnprocessableEntity || !strings.Contains(page, "not in the field catalogue") {
		t.Fatalf("English refusal: %d", status)
	}

	// Without the session's CSRF token nothing is issued.
	noToken := dossierForm("H48-260331-0203").Encode()
	if status, _, _ := e.post("/counter/tickets", "application/x-www-form-urlencoded", noToken, "Cookie", o.cookie); status != http.StatusForbidden {
		t.Fatalf("POST without the CSRF token: %d, want 403", status)
	}
	if status, _, _ := e.post("/counter/tickets", "application/x-www-form-urlencoded", noToken+"&csrf=forged", "Cookie", o.cookie); status != http.StatusForbidden {
		t.Fatalf("POST with a forged CSRF token: %d, want 403", status)
	}
	if _, _, page := o.get("/counter"); strings.Contains(page, "H48-260331-0203") || !strings.Contains(page, "chưa trả kết quả hồ sơ nào") {
		t.Fatal("a refused form issued a ticket")
	}
	e.issue("H48-260331-0203", http.StatusCreated) // the dossier still has no ticket

	// An officer account without a counter cannot use the page.
	noCounter := e.signInOfficerWithoutCounter()
	if status, _, page := e.get("/counter", "Cookie", noCounter); status != http.StatusForbidden || !strings.Contains(page, "chưa được gán đơn vị và quầy") {
		t.Fatalf("an officer without a counter: %d", status)
	}
}

func (e *env) signInOfficerWithoutCounter() string {
	e.t.Helper()
	hash, _ := account.Hash(officerPassword)
	name := "cb-none-" + strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.FormatInt(userSeq.Add(1), 36)
	if err := mongodb.NewUserStore(e.db).CreateUser(context.Background(), account.User{Name: name, Role: account.RoleOfficer, Agency: testAgency, PasswordHash: hash}); err != nil {
		e.t.Fatal(err)
	}
	return "hl_session=" + e.mustSignIn(name, officerPassword)
}

func TestCounterListsDossiersIssuedThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")
	first := e.issueAt("H48-260331-0301", "c1")
	e.advance(3 * time.Minute)
	e.issueAt("H48-260331-0302", "c1")
	other := e.issueAt("H48-260331-0303", "c2")
	// A dossier completed yesterday and sent late belongs to yesterday's list.
	late := `{"dossier_code":"H48-260330-0009","field":"land","agency":"` + testAgency + `","counter":"c1","completed_at":"2026-03-30T16:00:00+07:00"}`
	if status, _, body := e.post("/api/v1/tickets", "application/json", late, "Authorization", "Bearer "+e.key); status != http.StatusCreated {
		t.Fatalf("late dossier: %d %s", status, body)
	}

	_, _, page := o.get("/counter")
	a, b := strings.Index(page, `data-dossier="H48-260331-0302"`), strings.Index(page, `data-dossier="H48-260331-0301"`)
	if a < 0 || b < 0 || a > b {
		t.Fatalf("the API's dossiers should be listed newest first (positions %d, %d)", a, b)
	}
	if row := todayRow(page, "H48-260331-0301"); !strings.Contains(row, "/counter/slip?dossier=H48-260331-0301&amp;size=80mm") || !strings.Contains(row, "Hộ tịch") || !strings.Contains(row, "09:00") {
		t.Fatalf("row of the API's dossier: %q", row)
	}
	if strings.Contains(page, other.Token) || strings.Contains(page, "H48-260330-0009") {
		t.Fatal("c1's page lists another counter's dossier or yesterday's")
	}
	if status, _, slip := o.get(slipPath("H48-260331-0301", "")); status != http.StatusOK || scanSlipQR(t, slip) != first.SurveyURL {
		t.Fatalf("the slip of the API's dossier: %d", status)
	}
}

// pdfPages returns the size in millimetres of each page of a PDF printed by Chromium.
var pdfMediaBox = regexp.MustCompile(`/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]`)

func pdfPages(t *testing.T, pdf []byte) [][2]float64 {
	t.Helper()
	var out [][2]float64
	for _, m := range pdfMediaBox.FindAllSubmatch(pdf, -1) {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		out = append(out, [2]float64{w * 25.4 / 72, h * 25.4 / 72})
	}
	if len(out) == 0 {
		t.Fatalf("no page size in the PDF (%d bytes)", len(pdf))
	}
	return out
}

// TestCounterSlipInABrowser walks an officer through the counter page in Chromium and prints the
// slip at both sizes: the Print button works under the CSP, the tools are not printed, the
// paper is the size asked for, and the printed QR code is at least 30 mm wide and scans.
func TestCounterSlipInABrowser(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")
	ctx := browse(t)
	netlog := testkit.ListenNetwork(t, ctx)
	do(t, ctx, testkit.Viewport(1024, 768), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/counter"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), o.name),
		chromedp.SendKeys(chromedp.CSS(`#password`), officerPassword),
	)
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("sign in and land on the counter page: %d", status)
	}
	small := eval[[]string](t, ctx, `[...document.querySelectorAll('main input, main select, main button, main a')].filter(el => {
		const r = el.getBoundingClientRect(); return r.width > 0 && (r.height < 48 || r.width < 48) && !el.closest('.dash-nav');
	}).map(el => el.outerHTML.slice(0, 80))`)
	if len(small) > 0 {
		t.Errorf("touch targets under 48 px on the counter page: %q", small)
	}
	unlabelled := eval[[]string](t, ctx, `[...document.querySelectorAll('main input:not([type=hidden]), main select')].filter(el => !el.labels.length).map(el => el.id || el.name)`)
	if len(unlabelled) > 0 {
		t.Errorf("form controls without a label: %q", unlabelled)
	}
	do(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-dossier_code`), "H48-260331-0401"),
		chromedp.SetValue(chromedp.CSS(`#f-field`), "civil-status"),
		chromedp.SendKeys(chromedp.CSS(`#f-procedure_name`), "Đăng ký khai sinh"),
	)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action="/counter/tickets"] button[type=submit]`)))
	if err != nil || resp.Status != http.StatusOK {
		t.Fatalf("complete the dossier: %v %v", resp, err)
	}
	m := slipLocation.FindStringSubmatch(strings.TrimPrefix(eval[string](t, ctx, `location.pathname + location.search`), e.base))
	if m == nil {
		t.Fatalf("not on a slip page: %q", eval[string](t, ctx, `location.href`))
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#print-slip`))) // slip.js ran under the CSP
	// A dossier with the longest procedure name the API takes still prints on one page.
	long := `{"dossier_code":"H48-260331-0402","field":"land","agency":"` + testAgency + `","counter":"c1","procedure_name":"` + string([]rune(strings.Repeat("Cấp giấy chứng nhận quyền sử dụng đất ", 9))[:300]) + `"}`
	status, _, body := e.post("/api/v1/tickets", "application/json", long, "Authorization", "Bearer "+e.key)
	if status != http.StatusCreated {
		t.Fatalf("issue with a long procedure name: %d %s", status, body)
	}
	first, _ := url.QueryUnescape(m[1])
	for _, dossier := range []string{first, "H48-260331-0402"} {
		token := e.dossierToken(dossier)
		for _, size := range []struct {
			name  string
			paper [2]float64 // mm; height 0: a receipt, as long as the slip
		}{{"80mm", [2]float64{80, 0}}, {"a6", [2]float64{105, 148}}} {
			printSlip(t, ctx, e.base+slipPath(dossier, size.name), "https://hailong.test/s/"+token, size.paper)
		}
	}
	sameOrigin(t, e.base, netlog.URLs())
}

// printSlip opens a slip, checks it in print media and prints it to PDF on the page size its
// stylesheet asks for, which must be paper (or for a receipt, 80 mm wide and one page long).
func printSlip(t *testing.T, ctx context.Context, slip, surveyURL string, paper [2]float64) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(slip), chromedp.WaitVisible(chromedp.CSS(`.slip-code`)))
	cdpDo(t, ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
	defer cdpDo(t, ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{})
	qrMM := eval[float64](t, ctx, `document.querySelector('.slip-qr svg').getBoundingClientRect().width * 25.4 / 96`)
	if qrMM < 30 {
		t.Errorf("%s: the printed QR code is %.1f mm wide, want at least 30 mm", slip, qrMM)
	}
	if shown := eval[bool](t, ctx, `getComputedStyle(document.querySelector('.slip-tools')).display !== 'none'`); shown {
		t.Errorf("%s: the print tools are printed", slip)
	}
	shot, err := chromedp.Run(ctx, chromedp.ScreenshotScale(chromedp.CSS(`.slip-qr svg`), 2))
	if err != nil {
		t.Fatal(err)
	}
	if got := testkit.DecodeQR(t, shot); got != surveyURL {
		t.Errorf("%s: the printed QR code scans as %q, want %q", slip, got, surveyURL)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(func(p *page.PrintToPDFParams) {
		css := true
		p.PreferCSSPageSize = &css
	}))
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, pdf)
	w, h := pages[0][0], pages[0][1]
	near := func(got, want float64) bool { return got > want-0.5 && got < want+0.5 }
	fits := near(w, paper[0]) && (near(h, paper[1]) || (paper[1] == 0 && h > 60 && h <= 160.5))
	if len(pages) != 1 || !fits {
		t.Errorf("%s: printed on %d page(s) of %.1f × %.1f mm, want one page of %v mm", slip, len(pages), w, h, paper)
	}
	t.Logf("%s: %d page(s) of %.1f × %.1f mm, QR code %.1f mm wide", slip[strings.LastIndex(slip, "/")+1:], len(pages), w, h, qrMM)
}

// An officer who completes dossiers by hand could answer them, so each hand issue is in the
// audit trail under the officer's name, and an officer completes only so many a minute,
// wherever they sign in from; other officers are not held back.
func TestCounterHandIssueIsAuditedAndLimitedPerOfficer(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.HandIssue = 3 })
	o, other := e.signInOfficer(testAgency, "c1"), e.signInOfficer(testAgency, "c2")
	for i := range 3 {
		o.mustComplete(fmt.Sprintf("H48-260331-07%02d", i))
	}
	status, hdr, _ := o.complete(dossierForm("H48-260331-0799"))
	if status != http.StatusTooManyRequests || hdr.Get("Retry-After") == "" {
		t.Fatalf("a fourth hand issue in a minute: %d, want 429 with Retry-After", status)
	}
	other.mustComplete("H48-260331-0800")

	cur, err := e.db.DB.Collection("audit").Find(context.Background(), bson.D{{Key: "action", Value: "ticket.hand_issue"}})
	if err != nil {
		t.Fatal(err)
	}
	var entries []account.AuditEntry
	if err := cur.All(context.Background(), &entries); err != nil {
		t.Fatal(err)
	}
	mine := 0
	for _, a := range entries {
		if a.User == o.name && strings.HasPrefix(a.Target, "H48-260331-07") {
			mine++
		}
	}
	if len(entries) != 4 || mine != 3 {
		t.Fatalf("audit trail of hand issues: %+v, want the officer's 3 and the other officer's 1", entries)
	}
}

// Each ticket says how it was issued, and the rollups count the hand-issued ones apart, the
// same way a full recount does.
func TestTicketsRecordHowTheyWereIssued(t *testing.T) {
	e := newEnv(t)
	api := e.issueAt("H48-260331-0901", "c1").Token
	batch := `[{"dossier_code":"H48-260331-0902","field":"civil-status","agency":"` + testAgency + `","counter":"c1"}]`
	if status, _, resp := e.post("/api/v1/tickets/batch", "application/json", batch, "Authorization", "Bearer "+e.key); status != http.StatusOK {
		t.Fatalf("batch: %d %s", status, resp)
	}
	hand := e.signInOfficer(testAgency, "c1").mustComplete("H48-260331-0903")
	for token, want := range map[string]survey.IssueMethod{api: survey.IssuedByAPI, e.dossierToken("H48-260331-0902"): survey.IssuedByBatch, hand: survey.IssuedByCounter} {
		if got := e.storedTicket(token).IssuedBy; got != want {
			t.Errorf("ticket %s issued by %q, want %q", token, got, want)
		}
	}
	e.settle()
	var issued, handIssued int64
	err := mongodb.NewRollupStore(e.db).EachCount(context.Background(), func(key string, _ int64, counts map[string]int64) {
		if strings.Contains(key, "|"+testAgency+"|c1|") {
			issued += counts[stats.CounterIssued]
			handIssued += counts[stats.CounterHand]
		}
	})
	if err != nil || issued != 3 || handIssued != 1 {
		t.Fatalf("c1's rollups count %d issued, %d by hand (%v); want 3 and 1", issued, handIssued, err)
	}
	if diffs, err := rollup.NewRecounter(e.worker, mongodb.NewRollupStore(e.db)).Verify(context.Background()); err != nil || len(diffs) > 0 {
		t.Fatalf("rollup verify: %v %+v", err, diffs)
	}
}

// An officer who answers the tickets they issued by hand shows up: each counter's hand-issued
// tickets are set beside its other tickets on the dashboard and in the stats API, and answers
// sent from the browser that issued their ticket are counted.
func TestHandIssuedTicketsAreSetBesideTheRest(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")
	var hand []string
	for _, dossier := range []string{"H48-260331-0911", "H48-260331-0912", "H48-260331-0913"} {
		hand = append(hand, o.mustComplete(dossier))
	}
	answer := func(token, overall, userAgent string) {
		t.Helper()
		form := url.Values{"overall": {overall}}
		if status, _, body := e.post("/s/"+token, formType, form.Encode(), "User-Agent", userAgent); status != http.StatusSeeOther {
			t.Fatalf("answer %s: %d %.300s", token, status, body)
		}
	}
	// The officer's own browser (the counter form went out with the client's default agent)
	// answers two of them; a citizen's phone answers the third.
	answer(hand[0], "5", "Go-http-client/1.1")
	answer(hand[1], "5", "Go-http-client/1.1")
	answer(hand[2], "1", "Mozilla/5.0 (Linux; Android 10; Redmi 9A) Mobile")
	for i, overall := range []int{5, 5, 5, 2, 2, 3, 3} { // tickets from the e-system, at the same counter
		e.rate(fmt.Sprintf("H48-260331-092%d", i), "civil-status", testAgency, overall)
	}
	for i, want := range []bool{true, true, false} {
		if r, ok := e.storedResponse(hand[i]); !ok || r.SameClient != want || r.IssuedBy != survey.IssuedByCounter {
			t.Fatalf("answer %d to a hand-issued ticket: stored %v, same client %v issued by %q; want same client %v", i, ok, r.SameClient, r.IssuedBy, want)
		}
	}
	e.settle()

	day := stats.DateOf(e.clock()).String()
	status, _, body := e.get("/api/v1/stats?group_by=counter&from="+day+"&to="+day, "Authorization", "Bearer "+e.statsKey())
	var got struct {
		Groups []struct {
			Key  string `json:"key"`
			Hand *struct {
				Tickets           int64    `json:"tickets"`
				Share             *float64 `json:"share"`
				Responses         int64    `json:"responses"`
				Satisfaction      *float64 `json:"satisfaction"`
				OtherResponses    int64    `json:"other_responses"`
				OtherSatisfaction *float64 `json:"other_satisfaction"`
				SameClient        int64    `json:"same_client"`
			} `json:"hand_issued"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(body), &got); status != http.StatusOK || err != nil || len(got.Groups) != 1 || got.Groups[0].Hand == nil {
		t.Fatalf("stats by counter: %d %v %.600s", status, err, body)
	}
	h := got.Groups[0].Hand
	if h.Tickets != 3 || !near(*h.Share, 0.3) || h.Responses != 3 || !near(*h.Satisfaction, 2.0/3) ||
		h.OtherResponses != 7 || !near(*h.OtherSatisfaction, 3.0/7) || h.SameClient != 2 {
		t.Fatalf("counter c1's hand-issued figures: %+v share %v sat %v other %v", *h, *h.Share, *h.Satisfaction, *h.OtherSatisfaction)
	}

	a := e.signInAdmin()
	_, _, page := a.get("/dashboard?period=custom&group_by=counter&from=" + day + "&to=" + day)
	i := strings.Index(page, "Phiếu phát tay tại quầy")
	if i < 0 {
		t.Fatalf("the dashboard by counter has no hand-issued section: %.3000s", page)
	}
	section := page[i:]
	section = section[:strings.Index(section, "</section>")]
	for _, want := range []string{"3 (30", "66,7", "(n=3)", "42,9", "(n=7)", "<td>2</td>"} {
		if !strings.Contains(section, want) {
			t.Errorf("hand-issued section lacks %q: %s", want, section)
		}
	}
	// The manager's CSV of that table carries the same figures as data.
	_, _, csv := a.get("/dashboard/export.csv?period=custom&group_by=counter&from=" + day + "&to=" + day)
	lines := strings.Split(strings.TrimSpace(csv), "\r\n")
	if len(lines) < 3 || !strings.Contains(lines[0], ",Bị đòi tiền,Phiếu phát tay,Tỷ lệ phiếu phát tay (%),Hài lòng – phiếu phát tay (%),Hài lòng – phiếu còn lại (%),Trả lời từ chính máy phát phiếu,Đánh giá,") ||
		!strings.Contains(lines[2], "/c1,") || !strings.Contains(lines[2], ",3,30,66.67,42.86,2,") {
		t.Errorf("the manager's CSV by counter lacks the hand-issued columns:\n%s", csv)
	}
	if diffs, err := rollup.NewRecounter(e.worker, mongodb.NewRollupStore(e.db)).Verify(context.Background()); err != nil || len(diffs) > 0 {
		t.Fatalf("rollup verify: %v %+v", err, diffs)
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
