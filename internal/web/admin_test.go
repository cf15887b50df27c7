package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/stats"
)

const adminPassword = "mật khẩu quản trị"

// admin is a signed-in administrator: the session cookie and the page's CSRF token.
type admin struct {
	e            *env
	cookie, csrf string
}

func (e *env) signInAdmin() *admin {
	e.t.Helper()
	name := e.addUser("adm", account.RoleAdmin, adminPassword)
	a := &admin{e: e, cookie: "hl_session=" + e.mustSignIn(name, adminPassword)}
	status, _, page := a.get("/admin")
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		e.t.Fatalf("admin page: %d %.300s", status, page)
	}
	a.csrf = m[1]
	return a
}

func (a *admin) get(path string) (int, http.Header, string) {
	return a.e.get(path, "Cookie", a.cookie)
}

// post submits an admin form with the CSRF token and expects status.
func (a *admin) post(path string, form url.Values, want int) string {
	a.e.t.Helper()
	form.Set("csrf", a.csrf)
	status, hdr, body := a.e.post(path, "application/x-www-form-urlencoded", form.Encode(), "Cookie", a.cookie)
	if status != want {
		a.e.t.Fatalf("POST %s %v: %d, want %d: %.400s", path, form, status, want, body)
	}
	return hdr.Get("Location") + body
}

// respond issues a ticket at agency through the API and answers it.
func (e *env) respond(dossier, agency string) {
	e.t.Helper()
	body := `{"dossier_code":"` + dossier + `","field":"land","agency":"` + agency + `","counter":"c1","procedure_name":"Cấp giấy chứng nhận","on_time":true}`
	status, _, resp := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+e.key)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(resp)
	if status != http.StatusCreated || m == nil {
		e.t.Fatalf("issue at %s: %d %s", agency, status, resp)
	}
	if status, resp := e.submitJSON(`{"token":"` + m[1] + `","answers":{"overall":5}}`); status != http.StatusCreated {
		e.t.Fatalf("submit: %d %s", status, resp)
	}
}

// settle rolls the responses up and loads them into the stats view.
func (e *env) settle() {
	e.t.Helper()
	ctx := context.Background()
	// Writers confirm their journal entries just after answering: wait until all are rolled up.
	for i := 0; i < 100; i++ {
		if err := e.worker.Drain(ctx); err != nil {
			e.t.Fatal(err)
		}
		if n, err := e.worker.Pending(ctx); err != nil || n == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e.view.Refresh(ctx); err != nil {
		e.t.Fatal(err)
	}
	if err := e.view.LoadDays(ctx); err != nil {
		e.t.Fatal(err)
	}
}

func TestAdminPagesAreForAdminsWithTheFormToken(t *testing.T) {
	e := newEnv(t)
	manager := e.addUser("mgr", account.RoleManager, adminPassword)
	cookie := "hl_session=" + e.mustSignIn(manager, adminPassword)
	if status, _, _ := e.get("/admin", "Cookie", cookie); status != http.StatusForbidden {
		t.Fatalf("manager on /admin: %d, want 403", status)
	}
	form := url.Values{"code": {"X1"}, "name": {"Xã Một"}}
	if status, _, _ := e.post("/admin/units", "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie); status != http.StatusForbidden {
		t.Fatalf("manager posting a unit: %d, want 403", status)
	}
	a := e.signInAdmin()
	if status, _, _ := e.post("/admin/units", "application/x-www-form-urlencoded", form.Encode(), "Cookie", a.cookie); status != http.StatusForbidden {
		t.Fatalf("admin posting without the CSRF token: %d, want 403", status)
	}
	if _, _, page := a.get("/admin"); strings.Contains(page, "<code>X1</code>") {
		t.Fatal("a unit was created without the CSRF token")
	}
}

func TestAdminHierarchyScopesManagersAndRefusesCycles(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	loc := a.post("/admin/units", url.Values{"code": {"PROV"}, "name": {"Tỉnh Thử"}}, http.StatusSeeOther)
	if !strings.HasPrefix(loc, "/admin?done=units&act=unit.save&") || !strings.HasSuffix(loc, "#units") {
		t.Fatalf("after saving a unit: %q", loc)
	}
	a.post("/admin/units", url.Values{"code": {"COMM"}, "name": {"Xã Thử"}, "parent": {"PROV"}}, http.StatusSeeOther)
	a.post("/admin/units", url.Values{"code": {"WARD"}, "name": {"Phường Thử"}, "parent": {"COMM"}}, http.StatusSeeOther)
	_, _, page := a.get("/admin?done=units")
	if !strings.Contains(page, "Đã lưu thay đổi.") {
		t.Fatal("no success notice after saving")
	}
	if _, _, edit := a.get("/admin?unit=COMM"); !strings.Contains(edit, `id="unit-code" name="code" required maxlength="64" autocomplete="off" value="COMM" readonly`) ||
		!strings.Contains(edit, `<option value="PROV" selected>`) || !strings.Contains(edit, `value="Xã Thử"`) {
		t.Fatal("the unit's edit form is not filled in with its code, name and parent")
	}
	nested := regexp.MustCompile(`(?s)<code>PROV</code>\s*·?[^<]*(?:<a [^>]*>[^<]*</a>)?<ul><li><strong>Xã Thử</strong> <code>COMM</code>.*?<ul><li><strong>Phường Thử</strong> <code>WARD</code>`)
	if !nested.MatchString(page) {
		t.Fatalf("tree does not nest WARD under COMM under PROV:\n%s", page)
	}
	body := a.post("/admin/units", url.Values{"code": {"PROV"}, "name": {"Tỉnh Thử"}, "parent": {"WARD"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "vòng lặp") {
		t.Fatalf("cycle refused without the message: %.300s", body)
	}
	body = a.post("/admin/units", url.Values{"code": {"PROV"}, "name": {"Province"}, "parent": {"PROV"}, "lang": {"en"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "loop back") {
		t.Fatalf("self-parent refused without the English message: %.300s", body)
	}

	e.respond("COMM-260331-0001", "COMM")
	e.respond("H48-260331-0001", "000.00.53.H48")
	e.settle()
	hash, _ := account.Hash(adminPassword)
	if err := mongodb.NewUserStore(e.db).CreateUser(context.Background(), account.User{Name: "mgr.prov", Role: account.RoleManager, Agency: "PROV", PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	mgr := "hl_session=" + e.mustSignIn("mgr.prov", adminPassword)
	status, _, res := e.get("/api/v1/stats?group_by=agency&from=2026-01-01&to=2026-03-31", "Cookie", mgr)
	if status != http.StatusOK || !strings.Contains(res, `"key":"COMM"`) || strings.Contains(res, "000.00.53.H48") {
		t.Fatalf("manager of PROV: %d %s; want COMM and not 000.00.53.H48", status, res)
	}

	_, _, page = a.get("/admin")
	if !strings.Contains(page, `value="000.00.53.H48" readonly`) {
		t.Fatal("the agency seen in responses but not placed is not offered for placing")
	}
	a.post("/admin/units", url.Values{"code": {"000.00.53.H48"}, "name": {"Huyện Thử"}, "parent": {"PROV"}}, http.StatusSeeOther)
	_, _, page = a.get("/admin")
	if strings.Contains(page, `value="000.00.53.H48" readonly`) || !strings.Contains(page, "<td>Lưu đơn vị</td>") {
		t.Fatal("placed agency still unplaced, or the change is not in the audit trail")
	}
}

func TestAdminAPIKeySecretShownOnceAndRevocable(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	page := a.post("/admin/keys", url.Values{"name": {"Một cửa điện tử"}, "scope": {account.ScopeTicketsWrite}}, http.StatusOK)
	m := regexp.MustCompile(`<code id="secret">(hl_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, "không được hiển thị lại") {
		t.Fatalf("no one-time secret on the result page:\n%.2000s", page)
	}
	secret := m[1]
	if _, _, again := a.get("/admin"); strings.Contains(again, secret) {
		t.Fatal("the secret is shown again")
	}
	e.key = secret
	e.issue("KEY-260331-0001", http.StatusCreated)
	// The key is listed with the time it was made, by the server's clock.
	if _, _, list := a.get("/admin"); !regexp.MustCompile(`<td>Một cửa điện tử</td><td>[^<]*</td><td>` + regexp.QuoteMeta(stats.FormatDateTime(e.clock())) + `</td>`).MatchString(list) {
		t.Errorf("the key's row does not say it was made %s:\n%.3000s", stats.FormatDateTime(e.clock()), list)
	}

	keys, err := mongodb.NewAPIKeyStore(e.db).APIKeys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := ""
	for _, k := range keys {
		if k.Name == "Một cửa điện tử" {
			id = k.ID
		}
	}
	a.post("/admin/keys/revoke", url.Values{"id": {id}}, http.StatusSeeOther)
	time.Sleep(6 * time.Second)
	body := `{"dossier_code":"KEY-260331-0002","field":"land","agency":"000.00.53.H48","counter":"c1","procedure_name":"Thủ tục","on_time":true}`
	if status, _, _ := e.post("/api/v1/tickets", "application/json", body, "Authorization", "Bearer "+secret); status != http.StatusUnauthorized {
		t.Fatalf("revoked key after the cache: %d, want 401", status)
	}
	a.post("/admin/keys", url.Values{"name": {"không quyền"}}, http.StatusUnprocessableEntity)
}

func TestAdminTargetsFieldsAndUsers(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	a.post("/admin/targets", url.Values{"group": {stats.GroupLandConstructionInvestment}, "from_year": {"2026"}, "target": {"87"}}, http.StatusSeeOther)
	tt, err := mongodb.NewTargetStore(e.db).Targets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := tt.FieldTarget("land", 2026); v != 0.87 {
		t.Fatalf("land 2026 target %v, want 0.87", v)
	}
	// The stats answer uses the edited target.
	e.respond("LAND-260331-0001", "000.00.53.H48")
	e.settle()
	if _, _, res := a.get("/api/v1/stats?group_by=field&from=2026-03-31&to=2026-03-31"); !regexp.MustCompile(`"key":"land"[^}]*"target":0\.87`).MatchString(res) {
		t.Fatalf("land target in stats: %s", res)
	}
	if v, _ := tt.FieldTarget("land", 2025); v != 0.85 {
		t.Fatalf("land 2025 target %v, want the default 0.85 kept", v)
	}
	a.post("/admin/targets", url.Values{"group": {stats.GroupOverall}, "from_year": {"2027"}, "target": {"87,5"}}, http.StatusSeeOther)
	if _, _, page := a.get("/admin"); !strings.Contains(page, stats.Percent(0.875)) {
		t.Fatal("87,5 % target not listed")
	}
	a.post("/admin/targets", url.Values{"group": {stats.GroupOverall}, "from_year": {"2027"}, "target": {"150"}}, http.StatusUnprocessableEntity)

	a.post("/admin/fields", url.Values{"code": {"land"}, "name_vi": {"Đất đai (sửa)"}, "name_en": {"Land"}, "group": {stats.GroupLandConstructionInvestment}, "active": {"1"}}, http.StatusSeeOther)
	if _, _, page := a.get("/admin"); !strings.Contains(page, "Đất đai (sửa)") {
		t.Fatal("field update not listed")
	}

	a.post("/admin/users", url.Values{"name": {"can.bo"}, "role": {account.RoleOfficer}, "password": {"0123456789"}}, http.StatusUnprocessableEntity)
	a.post("/admin/users", url.Values{"name": {"nguoi.xem"}, "role": {account.RoleViewer}, "password": {"ngắn"}}, http.StatusUnprocessableEntity)
	a.post("/admin/users", url.Values{"name": {"nguoi.xem"}, "role": {account.RoleViewer}, "password": {"0123456789"}}, http.StatusSeeOther)
	e.mustSignIn("nguoi.xem", "0123456789")
	a.post("/admin/users/toggle", url.Values{"name": {"nguoi.xem"}, "disabled": {"true"}}, http.StatusSeeOther)
	if status, _, _ := e.signIn("nguoi.xem", "0123456789", ""); status != http.StatusUnauthorized {
		t.Fatalf("disabled account signed in: %d", status)
	}
	_, _, page := a.get("/admin")
	for _, want := range []string{"Lưu chỉ tiêu", "Lưu lĩnh vực", "Tạo tài khoản", "Khóa tài khoản"} { // the actions in words
		if !strings.Contains(page, want) {
			t.Errorf("audit trail lacks %s", want)
		}
	}
}

func TestAdminKioskTablets(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	a.post("/admin/units", url.Values{"code": {testAgency}, "name": {"Trung tâm Phục vụ hành chính công"}}, http.StatusSeeOther)
	a.post("/admin/counters", url.Values{"agency": {testAgency}, "code": {"c1"}, "name": {"Quầy tiếp nhận 1"}}, http.StatusSeeOther)
	k, code := e.newTablet()
	_, _, page := a.get("/admin")
	section := regexp.MustCompile(`(?s)<section id="kiosks".*?</section>`).FindString(page)
	if !strings.Contains(section, `data-device="`+k.id()+`"`) || !strings.Contains(section, "Đang chờ ghép nối") || strings.Contains(page, code) {
		t.Fatalf("the waiting tablet should be listed, without its pairing code:\n%s", section)
	}
	if !strings.Contains(section, `<optgroup label="Trung tâm Phục vụ hành chính công"><option value="`+testAgency+`/c1">Quầy tiếp nhận 1</option></optgroup>`) ||
		strings.Contains(section, `name="counter"`) {
		t.Fatal("the pairing form does not offer the counter by name from a list")
	}

	body := a.post("/admin/kiosks/pair", url.Values{"code": {"ZZZ-ZZZ"}, "agency": {testAgency}, "counter": {"c1"}}, http.StatusNotFound)
	if !strings.Contains(body, "Mã ghép nối không đúng hoặc đã hết hạn") {
		t.Fatalf("a wrong code: %.300s", body)
	}
	a.post("/admin/kiosks/pair", url.Values{"code": {"12"}, "agency": {testAgency}, "counter": {"c1"}}, http.StatusUnprocessableEntity)
	if body := a.post("/admin/kiosks/pair", url.Values{"code": {code}, "counter_id": {testAgency + "/c9"}}, http.StatusUnprocessableEntity); !strings.Contains(body, "Hãy chọn một quầy có trong danh sách.") {
		t.Fatalf("pairing with a counter not in the list: %.300s", body)
	}
	form := url.Values{"code": {code}, "agency": {testAgency}, "counter": {"c1"}, "name": {"Máy quầy 1"}}
	if status, _, _ := e.post("/admin/kiosks/pair", "application/x-www-form-urlencoded", form.Encode(), "Cookie", a.cookie); status != http.StatusForbidden {
		t.Fatalf("pairing without the CSRF token: %d, want 403", status)
	}
	if loc := a.post("/admin/kiosks/pair", form, http.StatusSeeOther); !strings.HasPrefix(loc, "/admin?done=kiosks&act=kiosk.pair&") || !strings.HasSuffix(loc, "#kiosks") {
		t.Fatalf("after pairing: %q", loc)
	}
	if st, m := k.status(); st != http.StatusOK || m["state"] != "paired" || m["counter"] != "c1" || m["name"] != "Máy quầy 1" {
		t.Fatalf("the tablet after pairing on /admin: %d %v", st, m)
	}
	e.advance(time.Minute)
	stream := k.stream(e) // records when the tablet was last seen
	_, _, page = a.get("/admin")
	row := regexp.MustCompile(`(?s)<tr data-device="` + k.id() + `">.*?</tr>`).FindString(page)
	for _, want := range []string{"Máy quầy 1", "<td>Trung tâm Phục vụ hành chính công</td>", "<td>Quầy tiếp nhận 1</td>", "Đã ghép nối", "31/03/2026 09:01", `action="/admin/kiosks/revoke#kiosks"`} {
		if !strings.Contains(row, want) {
			t.Errorf("tablet row lacks %q: %s", want, row)
		}
	}

	// A newer tablet paired with the same counter: the first is shown as the older one.
	e.advance(time.Minute)
	k2, code2 := e.newTablet()
	a.post("/admin/kiosks/pair", url.Values{"code": {code2}, "counter_id": {testAgency + "/c1"}, "name": {"Máy quầy 1 mới"}}, http.StatusSeeOther)
	_, _, page = a.get("/admin")
	older := regexp.MustCompile(`(?s)<tr data-device="` + k.id() + `">.*?</tr>`).FindString(page)
	newer := regexp.MustCompile(`(?s)<tr data-device="` + k2.id() + `">.*?</tr>`).FindString(page)
	if !strings.Contains(older, "máy cũ: quầy này đã có máy mới hơn") || strings.Contains(newer, "máy cũ") {
		t.Errorf("the older tablet of c1 is not shown as such:\n%s\n%s", older, newer)
	}

	a.post("/admin/kiosks/revoke", url.Values{"id": {k.id()}}, http.StatusSeeOther)
	if ev, ok := stream.next(time.Second); !ok || ev.Type != "revoked" {
		t.Fatalf("the revoked tablet's stream got %+v (ok=%v)", ev, ok)
	}
	if st, m := k.status(); st != http.StatusUnauthorized || m["state"] != "revoked" {
		t.Fatalf("the tablet after revoking on /admin: %d %v", st, m)
	}
	a.post("/admin/kiosks/revoke", url.Values{"id": {"not-a-device"}}, http.StatusNotFound)

	// A tablet whose code expired unused is counted, not listed.
	e.newTablet()
	e.advance(11 * time.Minute)
	_, _, page = a.get("/admin")
	row = regexp.MustCompile(`(?s)<tr data-device="` + k.id() + `">.*?</tr>`).FindString(page)
	if !strings.Contains(row, "Đã thu hồi") || strings.Contains(row, "/admin/kiosks/revoke") {
		t.Fatalf("revoked tablet row: %s", row)
	}
	if !strings.Contains(page, "Số máy có mã ghép nối đã hết hạn (không liệt kê): 1") || !strings.Contains(page, "Ghép nối máy tính bảng") || !strings.Contains(page, "Thu hồi máy tính bảng") {
		t.Fatal("the page should count the expired tablet and the audit trail name both actions")
	}
}
