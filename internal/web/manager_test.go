package web_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
)

// TestDashboardCSVIsData: the CSV export opens in a spreadsheet as numbers whatever its locale:
// UTF-8 with a BOM, the period as ISO dates, counts as plain digits, percentages with a dot.
func TestDashboardCSVIsData(t *testing.T) {
	e := newEnv(t)
	for i := range 12 { // land dossiers, 9 satisfied: 75%
		rating := 5
		if i%4 == 0 {
			rating = 2
		}
		e.rate(fmt.Sprintf("CSV-260331-%04d", i), "land", "000.00.53.H48", rating)
	}
	e.settle()
	adm := e.signInAdmin()
	for _, lang := range []string{"vi", "en"} {
		status, hdr, body := adm.get("/dashboard/export.csv?period=custom&from=2026-03-01&to=2026-03-31&group_by=field&lang=" + lang)
		if status != http.StatusOK || hdr.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(body, "\uFEFF") {
			t.Fatalf("%s: %d %s, BOM %v", lang, status, hdr.Get("Content-Type"), strings.HasPrefix(body, "\uFEFF"))
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF"))).ReadAll()
		if err != nil || len(rows) < 3 {
			t.Fatalf("%s: %v %q", lang, err, body)
		}
		land := map[string]string{}
		for i, h := range rows[0] {
			land[h] = rows[2][i]
		}
		heads := map[string][2]string{"vi": {"Tỷ lệ hài lòng (%)", "Số phiếu"}, "en": {"Satisfaction (%)", "Responses"}}[lang]
		if land[heads[0]] != "75" || land[heads[1]] != "12" || rows[2][1] != "2026-03-01" || rows[2][2] != "2026-03-31" {
			t.Errorf("%s: land row %q under %q, want 75 and 12 with ISO dates", lang, rows[2], rows[0])
		}
		if strings.Contains(body, "75,0") || strings.Contains(body, "%,") || strings.Contains(body, "01/03/2026") {
			t.Errorf("%s: the CSV still holds formatted text: %q", lang, body)
		}
	}
}

// TestStaffPagesNameThingsAndTellTheTimeZone: a manager limited to a unit sees it named as the
// scope and no unit outside it among the filters; /admin names API scopes and audit actions in
// words and gives times in UTC+7, labelled.
func TestStaffPagesNameThingsAndTellTheTimeZone(t *testing.T) {
	e := newEnv(t)
	adm := e.signInAdmin() // signs in at 02:00 UTC, 09:00 in Hà Nội
	adm.post("/admin/units", url.Values{"code": {"H48"}, "name": {"UBND thị xã Hương Trà"}}, http.StatusSeeOther)
	adm.post("/admin/units", url.Values{"code": {testAgency}, "name": {"UBND phường Tứ Hạ"}, "parent": {"H48"}}, http.StatusSeeOther)
	adm.post("/admin/units", url.Values{"code": {"000.00.99.H48"}, "name": {"UBND xã Hương Toàn"}, "parent": {"H48"}}, http.StatusSeeOther)

	manager := e.addUser("quanly", account.RoleManager, adminPassword)
	cookie := "hl_session=" + e.mustSignIn(manager, adminPassword)
	status, _, page := e.get("/dashboard?period=quarter&year=2026&index=1", "Cookie", cookie)
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d", status)
	}
	if !strings.Contains(page, `<p class="period"><strong>UBND phường Tứ Hạ</strong>`) {
		t.Errorf("the dashboard does not name the manager's unit as its scope: %.2000s", page)
	}
	if strings.Contains(page, "UBND xã Hương Toàn") || strings.Contains(page, ">UBND thị xã Hương Trà<") {
		t.Error("the filters offer units outside the manager's unit")
	}

	_, _, page = adm.get("/admin")
	for _, want := range []string{"Phát phiếu đánh giá (hệ thống một cửa)", "Thời điểm (UTC", "Đăng nhập", "31/03/2026 09:00"} {
		if !strings.Contains(page, want) {
			t.Errorf("/admin lacks %q", want)
		}
	}
	if strings.Contains(page, "<td>signin</td>") || strings.Contains(page, "> tickets:write</label>") {
		t.Error("/admin still shows codes for audit actions or API scopes")
	}
}
