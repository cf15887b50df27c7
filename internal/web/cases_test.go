package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/stats"
)

// caseJSON is a case as the API answers it.
type caseJSON struct {
	ID, Ref, Kind, Status, Agency, Assignee, DossierCode string
	Rating                                               int
	Version                                              int64
	Overdue                                              bool
	Notes                                                []struct{ By, Action, Text string }
}

func (c *caseJSON) UnmarshalJSON(b []byte) error {
	type plain caseJSON
	var raw struct {
		plain
		DossierCode string `json:"dossier_code"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = caseJSON(raw.plain)
	c.DossierCode = raw.DossierCode
	return nil
}

// rateAndRollUp issues a ticket for dossier, rates it overall, and rolls the journal up, so the
// case the rating calls for is open.
func (e *env) rateAndRollUp(dossier string, overall int) string {
	e.t.Helper()
	tk := e.issue(dossier, http.StatusCreated)
	if status, body := e.submitJSON(fmt.Sprintf(`{"token":%q,"answers":{"overall":%d}}`, tk.Token, overall)); status != http.StatusCreated {
		e.t.Fatalf("submit: %d %s", status, body)
	}
	e.settle()
	return tk.Token
}

func (e *env) caseAPI(method, path, body string, headers ...string) (int, string) {
	e.t.Helper()
	if method == http.MethodGet {
		status, _, resp := e.get(path, headers...)
		return status, resp
	}
	status, _, resp := e.post(path, "application/json", body, headers...)
	return status, resp
}

func TestCasesAPIListsActsAndRefusesWhatItShould(t *testing.T) {
	e := newEnv(t)
	token := e.rateAndRollUp("000.00.53.H48-261130-0001", 1)
	e.rateAndRollUp("000.00.53.H48-261130-0002", 5) // opens nothing
	manager := e.addUser("manager", account.RoleManager, adminPassword)
	cookie := "hl_session=" + e.mustSignIn(manager, adminPassword)
	sess, _ := e.session(strings.TrimPrefix(cookie, "hl_session="))
	csrf := []string{"Cookie", cookie, "X-CSRF-Token", sess.CSRF}

	status, body := e.caseAPI(http.MethodGet, "/api/v1/cases", "", "Cookie", cookie)
	var list struct {
		Cases    []caseJSON `json:"cases"`
		NextPage *int       `json:"next_page"`
	}
	if err := json.Unmarshal([]byte(body), &list); status != http.StatusOK || err != nil || len(list.Cases) != 1 || list.NextPage != nil {
		t.Fatalf("list: %d %s", status, body)
	}
	got := list.Cases[0]
	if got.ID != token || got.Kind != "dissatisfied" || got.Status != "open" || got.Rating != 1 || got.Version != 1 || !strings.HasPrefix(got.Ref, "PA-") {
		t.Fatalf("listed case = %+v", got)
	}
	path := "/api/v1/cases/" + token
	// Assign, then add a note with the version it was read at.
	status, body = e.caseAPI(http.MethodPost, path+"/assign", fmt.Sprintf(`{"user":%q,"version":1}`, manager), csrf...)
	if status != http.StatusOK || !strings.Contains(body, `"assignee":"`+manager+`"`) || !strings.Contains(body, `"version":2`) {
		t.Fatalf("assign: %d %s", status, body)
	}
	status, body = e.caseAPI(http.MethodPost, path+"/notes", `{"text":"Đã gọi điện cho công dân."}`, append(csrf, "If-Match", "2")...)
	if status != http.StatusOK || !strings.Contains(body, "Đã gọi điện cho công dân.") {
		t.Fatalf("note: %d %s", status, body)
	}
	// A second manager acting on version 2 finds the case moved on: 409 with the current case.
	status, body = e.caseAPI(http.MethodPost, path+"/notes", `{"text":"trễ","version":2}`, csrf...)
	var conflict struct {
		Error struct{ Code string } `json:"error"`
		Case  caseJSON              `json:"case"`
	}
	if err := json.Unmarshal([]byte(body), &conflict); status != http.StatusConflict || err != nil || conflict.Case.Version != 3 || len(conflict.Case.Notes) != 2 {
		t.Fatalf("stale note: %d %s", status, body)
	}
	bad := []struct {
		name, path, body string
		want             int
	}{
		{"text over 4,000 characters", "/notes", `{"text":"` + strings.Repeat("a", 4001) + `","version":3}`, http.StatusUnprocessableEntity},
		{"resolve without a summary", "/resolve", `{"version":3}`, http.StatusUnprocessableEntity},
		{"no version", "/notes", `{"text":"x"}`, http.StatusUnprocessableEntity},
		{"an assignee who may not handle it", "/assign", `{"user":"nobody-here","version":3}`, http.StatusUnprocessableEntity},
		{"malformed JSON", "/notes", `{"text":`, http.StatusBadRequest},
	}
	for _, tc := range bad {
		if status, body := e.caseAPI(http.MethodPost, path+tc.path, tc.body, csrf...); status != tc.want {
			t.Errorf("%s: %d, want %d: %.200s", tc.name, status, tc.want, body)
		}
	}
	status, body = e.caseAPI(http.MethodPost, path+"/resolve", `{"summary":"Đã hướng dẫn lại và xin lỗi công dân.","reply":"Cơ quan đã làm việc với công chức.","version":3}`, csrf...)
	if status != http.StatusOK || !strings.Contains(body, `"status":"resolved"`) {
		t.Fatalf("resolve: %d %s", status, body)
	}
	// The detail carries the timeline and answers.
	status, body = e.caseAPI(http.MethodGet, path, "", "Cookie", cookie)
	var one caseJSON
	if err := json.Unmarshal([]byte(body), &one); status != http.StatusOK || err != nil || len(one.Notes) != 3 || one.Status != "resolved" || one.DossierCode == "" {
		t.Fatalf("detail: %d %s", status, body)
	}

	// Without CSRF a session cannot act; an unknown id is 404; a manager of another unit gets 403.
	if status, _ := e.caseAPI(http.MethodPost, path+"/reopen", `{"version":4}`, "Cookie", cookie); status != http.StatusForbidden {
		t.Errorf("reopen without the CSRF token: %d, want 403", status)
	}
	if status, _ := e.caseAPI(http.MethodGet, "/api/v1/cases/"+strings.Repeat("x", 32), "", "Cookie", cookie); status != http.StatusNotFound {
		t.Errorf("unknown case: %d, want 404", status)
	}
	other := e.addUser("other", account.RoleManager, adminPassword)
	if err := setAgency(e, other, "000.00.99.H48"); err != nil {
		t.Fatal(err)
	}
	otherCookie := "hl_session=" + e.mustSignIn(other, adminPassword)
	if status, _ := e.caseAPI(http.MethodGet, path, "", "Cookie", otherCookie); status != http.StatusForbidden {
		t.Errorf("a manager of another unit reading the case: %d, want 403", status)
	}
	if status, body := e.caseAPI(http.MethodGet, "/api/v1/cases?agency=000.00.53.H48", "", "Cookie", otherCookie); status != http.StatusForbidden {
		t.Errorf("a manager of another unit listing this unit: %d %s, want 403", status, body)
	}
	// Officers see no cases; API keys need the scope.
	officer := e.addUser("officer", account.RoleOfficer, adminPassword)
	if status, _ := e.caseAPI(http.MethodGet, "/api/v1/cases", "", "Cookie", "hl_session="+e.mustSignIn(officer, adminPassword)); status != http.StatusForbidden {
		t.Errorf("officer listing cases: %d, want 403", status)
	}
	if status, _ := e.caseAPI(http.MethodGet, "/api/v1/cases", "", "Authorization", "Bearer "+e.key); status != http.StatusForbidden {
		t.Errorf("a tickets:write key listing cases: %d, want 403", status)
	}
	secret, _, err := mongodb.NewAPIKeyStore(e.db).CreateAPIKey(context.Background(), "complaints", []string{account.ScopeCasesRead}, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	if status, body := e.caseAPI(http.MethodGet, "/api/v1/cases?status=resolved", "", "Authorization", "Bearer "+secret); status != http.StatusOK || !strings.Contains(body, token) {
		t.Errorf("a cases:read key: %d %.200s", status, body)
	}
	if status, _ := e.caseAPI(http.MethodPost, path+"/reopen", `{"version":4}`, "Authorization", "Bearer "+secret); status != http.StatusForbidden {
		t.Errorf("a cases:read key acting: %d, want 403", status)
	}
	if status, body := e.caseAPI(http.MethodGet, "/api/v1/cases?status=pending", "", "Cookie", cookie); status != http.StatusUnprocessableEntity || !strings.Contains(body, "status") {
		t.Errorf("an unknown status filter: %d %s", status, body)
	}
}

func setAgency(e *env, name, agency string) error {
	users := mongodb.NewUserStore(e.db)
	u, err := users.UserByName(context.Background(), name)
	if err != nil {
		return err
	}
	u.Agency = agency
	return users.UpdateUser(context.Background(), *u)
}

func TestAdminSetsTheFollowUpRules(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	rules := func(integrity, holidays, contact string, saturday bool) url.Values {
		v := url.Values{"days_integrity": {integrity}, "days_complaint": {"10"}, "days_dissatisfied": {"8"}, "holidays": {holidays}, "contact_days": {contact}}
		if saturday {
			v.Set("saturday", "1")
		}
		return v
	}
	for _, bad := range []struct {
		name string
		form url.Values
		says string
	}{
		{"zero days", rules("0", "", "90", false), "từ 1 đến 60"},
		{"a holiday that is not a date", rules("5", "30/02/2026", "90", false), "mỗi dòng một ngày"},
		{"contact kept for ever", rules("5", "", "99999", false), "từ 1 đến 3650"},
	} {
		if page := a.post("/admin/cases", bad.form, http.StatusUnprocessableEntity); !strings.Contains(page, bad.says) {
			t.Errorf("%s: the page does not say %q", bad.name, bad.says)
		}
	}
	// Dissatisfied cases get 8 working days; Saturday mornings count; Thursday 2/4/2026 is off.
	a.post("/admin/cases", rules("5", "02/04/2026\n2026-04-30", "30", true), http.StatusSeeOther)
	if status, _, page := a.get("/admin"); status != http.StatusOK || !strings.Contains(page, "02/04/2026\n30/04/2026") || !strings.Contains(page, `name="saturday" value="1" checked`) {
		t.Fatalf("admin page after saving: %d, holidays or Saturday not shown", status)
	}
	// The env's clock stands at Tuesday 31/3/2026 09:00: Wed 1, Fri 3, Sat 4, Mon 6, Tue 7,
	// Wed 8, Thu 9, Fri 10 are the 8 working days: due at the end of Friday 10/4.
	token := e.rateAndRollUp("000.00.53.H48-260331-0201", 2)
	c, err := mongodb.NewCaseStore(e.db).Case(context.Background(), token)
	if err != nil || c.DueAt.In(stats.TimeZone()).Format("02/01/2006 15:04") != "10/04/2026 23:59" {
		t.Fatalf("case = %+v, %v; want it due at the end of 10/4/2026", c, err)
	}
}

func TestPaymentReportsAndFollowUpShowOnTheDashboard(t *testing.T) {
	e := newEnv(t)
	paid := e.issue("000.00.53.H48-260331-0301", http.StatusCreated)
	if status, body := e.submitJSON(`{"token":"` + paid.Token + `","answers":{"overall":4,"extra_payment":true}}`); status != http.StatusCreated {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.rateAndRollUp("000.00.53.H48-260331-0302", 5)
	e.rateAndRollUp("000.00.53.H48-260331-0303", 1) // settles the journal and the view
	manager := e.addUser("manager", account.RoleManager, adminPassword)
	cookie := "hl_session=" + e.mustSignIn(manager, adminPassword)
	status, _, body := e.get("/api/v1/stats?from=2026-03-01&to=2026-03-31&group_by=field", "Cookie", cookie)
	var res struct {
		Overall struct{ Payment, Answered int64 } `json:"overall"`
	}
	if err := json.Unmarshal([]byte(body), &res); status != http.StatusOK || err != nil || res.Overall.Payment != 1 || res.Overall.Answered != 3 {
		t.Fatalf("stats: %d %s", status, body)
	}
	// 1 of 3 respondents: 33,3%. Two cases opened (integrity, dissatisfied), none settled yet.
	status, _, page := e.get("/dashboard?period=custom&from=2026-03-01&to=2026-03-31", "Cookie", cookie)
	if status != http.StatusOK || !strings.Contains(page, "Bị đòi tiền, gây khó khăn") || !strings.Contains(page, "(33,3%)") {
		t.Fatalf("dashboard: %d, no payment figure", status)
	}
	if !strings.Contains(page, "Phản ánh được giải quyết") || !strings.Contains(page, "Tiếp nhận: 2") {
		t.Fatal("the dashboard does not show the follow-up figures of the period")
	}
	status, body = e.caseAPI(http.MethodGet, "/api/v1/cases/stats?from=2026-03-01&to=2026-03-31&group_by=kind", "", "Cookie", cookie)
	var figs struct {
		Overall struct {
			Opened, Settled int64
			Status          string
		} `json:"overall"`
		Groups []struct{ Key, Label string } `json:"groups"`
	}
	if err := json.Unmarshal([]byte(body), &figs); status != http.StatusOK || err != nil || figs.Overall.Opened != 2 || len(figs.Groups) != 2 ||
		figs.Groups[1].Key != "integrity" || figs.Groups[1].Label != "Nhũng nhiễu, đòi tiền" || figs.Overall.Status != "insufficient" {
		t.Fatalf("case stats: %d %s", status, body)
	}
}

func TestOnlyTheAssigneeAndTheUnitsManagersOpenTheContactAndEveryViewIsLogged(t *testing.T) {
	e := newEnv(t)
	token := e.rateAndRollUp("000.00.53.H48-260331-0401", 1)
	form := url.Values{"phone": {"0912 345 678"}, "consent": {"yes"}, "lang": {"vi"}}
	if status, _, body := e.post("/s/"+token+"/contact", "application/x-www-form-urlencoded", form.Encode()); status != http.StatusSeeOther {
		t.Fatalf("leave contact: %d %.300s", status, body)
	}
	manager := e.addUser("manager", account.RoleManager, adminPassword)
	cookie := "hl_session=" + e.mustSignIn(manager, adminPassword)
	status, _, page := e.get("/cases/"+token, "Cookie", cookie)
	if status != http.StatusOK || strings.Contains(page, "0912345678") || !strings.Contains(page, `action="/cases/`+token+`/contact`) {
		t.Fatalf("case page: %d; want the contact behind a button, not shown", status)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	status, _, page = e.post("/cases/"+token+"/contact", "application/x-www-form-urlencoded", url.Values{"csrf": {csrf}}.Encode(), "Cookie", cookie)
	if status != http.StatusOK || !strings.Contains(page, "0912345678") {
		t.Fatalf("open the contact: %d; the phone is not shown", status)
	}
	recent, err := mongodb.NewAuditStore(e.db).Recent(context.Background(), 5)
	if err != nil || len(recent) == 0 || recent[0].Action != "case.contact.view" || recent[0].User != manager {
		t.Fatalf("audit = %+v, %v; want the view recorded first", recent, err)
	}
	// An admin who is not the assignee sees that the details exist, not the details.
	a := e.signInAdmin()
	status, _, page = a.get("/cases/" + token)
	if status != http.StatusOK || strings.Contains(page, `/contact"`) || strings.Contains(page, "0912345678") {
		t.Fatalf("admin's case page: %d; want no way to the contact", status)
	}
	if status, _, _ := e.post("/cases/"+token+"/contact", "application/x-www-form-urlencoded", url.Values{"csrf": {a.csrf}}.Encode(), "Cookie", a.cookie); status != http.StatusForbidden {
		t.Fatalf("admin opening the contact: %d, want 403", status)
	}
}
