package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/report"
	"github.com/hailong/hailong/internal/testkit/pdftext"
)

// postIdentity sends the agency identity form as the browser does (multipart, with an emblem
// file when logo is not nil) and returns the status and the page or redirect.
func (a *admin) postIdentity(fields map[string]string, logoName string, logo []byte) (int, string) {
	a.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", a.csrf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if logo != nil {
		fw, _ := w.CreateFormFile("logo", logoName)
		_, _ = fw.Write(logo)
	}
	_ = w.Close()
	status, hdr, page := a.e.post("/admin/identity", w.FormDataContentType(), body.String(), "Cookie", a.cookie)
	return status, hdr.Get("Location") + page
}

var huongTra = map[string]string{
	"name": "Trung tâm Phục vụ hành chính công", "parent": "UBND thị xã Hương Trà", "place": "Hương Trà",
	"hotline": "0234 3557 555", "number_prefix": "TTPVHCC", "signer_title": "Giám đốc", "signer_name": "Lê Thị Hoa",
	"recipients": "Phòng Nội vụ\nUBND thị xã (b/c)",
}

func pngOf(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An admin sets the centre's identity once; citizens see its name and emblem on the survey,
// and the report is issued in its name, numbered with its symbol and signed by its signer.
func TestAgencyIdentityHeadsPagesAndTheReport(t *testing.T) {
	e := newEnv(t)
	a := e.signInAdmin()
	if status, page := a.postIdentity(map[string]string{"name": "x", "cutoff_day": "31"}, "", nil); status != http.StatusUnprocessableEntity || !strings.Contains(page, "Ngày chốt số liệu") {
		t.Fatalf("cut-off 31: %d, want 422 naming the cut-off: %.300s", status, page)
	}
	big := append(pngOf(t), make([]byte, 210*1024)...)
	if status, page := a.postIdentity(huongTra, "logo.png", big); status != http.StatusUnprocessableEntity || !strings.Contains(page, "200 KB") {
		t.Fatalf("a 210 KB emblem: %d, want 422 saying 200 KB: %.300s", status, page)
	}
	if status, page := a.postIdentity(huongTra, "logo.png", pngOf(t)); status != http.StatusSeeOther {
		t.Fatalf("save identity: %d %.300s", status, page)
	}
	tk := e.issue("H48-260331-0001", http.StatusCreated)
	_, _, survey := e.get("/s/" + tk.Token)
	if !strings.Contains(survey, "Trung tâm Phục vụ hành chính công") || !strings.Contains(survey, `src="/emblem?v=`) {
		t.Fatalf("the survey page lacks the centre's name or emblem: %.600s", survey)
	}
	status, hdr, logo := e.get("/emblem")
	if status != 200 || hdr.Get("Content-Type") != "image/png" || logo != string(pngOf(t)) {
		t.Fatalf("/emblem: %d %s", status, hdr.Get("Content-Type"))
	}

	// An SVG emblem loses its script; the browser gets it with a sandboxing policy.
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script><circle cx="5" cy="5" r="4" fill="#c00" onclick="alert(2)"/></svg>`
	if status, page := a.postIdentity(huongTra, "logo.svg", []byte(svg)); status != http.StatusSeeOther {
		t.Fatalf("save SVG: %d %.300s", status, page)
	}
	_, hdr, logo = e.get("/emblem")
	if strings.Contains(logo, "alert") || !strings.Contains(logo, `<circle cx="5" cy="5" r="4" fill="#c00">`) ||
		hdr.Get("Content-Type") != "image/svg+xml" || !strings.Contains(hdr.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("SVG emblem served as %s (%s): %s", hdr.Get("Content-Type"), hdr.Get("Content-Security-Policy"), logo)
	}

	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":5}}`); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.settle()
	status, hdr, docx := a.get("/dashboard/report.docx?period=quarter&year=2026&index=1")
	if status != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/vnd.openxmlformats-officedocument.wordprocessingml") {
		t.Fatalf("report.docx: %d %s %.200s", status, hdr.Get("Content-Type"), docx)
	}
	pdf := pdftext.FromDOCX(t, []byte(docx))
	for _, want := range []string{"UBND THỊ XÃ HƯƠNG TRÀ", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
		"Số:", "/BC-TTPVHCC", "Hương Trà, ngày 31 tháng 3 năm 2026", "quý I năm 2026", "- Phòng Nội vụ;", "GIÁM ĐỐC", "Lê Thị Hoa"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the downloaded report lacks %q:\n%s", want, pdf)
		}
	}
}

// A manager writes sections II–IV and the number for one period; the report of that period shows
// them, another period does not, and a viewer cannot write them.
func TestReportDraftIsKeptPerPeriod(t *testing.T) {
	e := newEnv(t)
	name := e.addUser("quanly", account.RoleManager, "mật-khẩu-quản-lý-9")
	cookie := "hl_session=" + e.mustSignIn(name, "mật-khẩu-quản-lý-9")
	const q1 = "/dashboard/report?period=quarter&year=2026&index=1"
	_, _, page := e.get(q1, "Cookie", cookie)
	m := csrfField.FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `name="shortcomings"`) {
		t.Fatalf("the report page has no draft form: %.500s", page)
	}
	form := url.Values{"csrf": {m[1]}, "number": {"07"}, "shortcomings": {"Lĩnh vực đất đai còn trễ hẹn."},
		"causes": {"Thiếu cán bộ."}, "solutions": {"Bổ sung 02 công chức."}}
	status, hdr, body := e.post(q1, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie)
	if status != http.StatusSeeOther || !strings.Contains(hdr.Get("Location"), "index=1") {
		t.Fatalf("save draft: %d %s %.300s", status, hdr.Get("Location"), body)
	}
	_, _, page = e.get(q1, "Cookie", cookie)
	for _, want := range []string{"Số: 07/BC", "Lĩnh vực đất đai còn trễ hẹn.", "Thiếu cán bộ.", "Bổ sung 02 công chức.", "II. TỒN TẠI, HẠN CHẾ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"} {
		if !strings.Contains(page, want) {
			t.Errorf("the first quarter's report lacks %q", want)
		}
	}
	if _, _, q2 := e.get("/dashboard/report?period=quarter&year=2026&index=2", "Cookie", cookie); strings.Contains(q2, "Thiếu cán bộ.") {
		t.Error("the second quarter's report shows the first quarter's draft")
	}
	form.Set("solutions", strings.Repeat("x", report.MaxDraftSection+1))
	if status, _, _ := e.post(q1, "application/x-www-form-urlencoded", form.Encode(), "Cookie", cookie); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
		t.Errorf("an oversized section: %d, want it refused", status)
	}
	viewer := e.addUser("xem", account.RoleViewer, "mật-khẩu-người-xem-9")
	vc := "hl_session=" + e.mustSignIn(viewer, "mật-khẩu-người-xem-9")
	_, _, vpage := e.get(q1, "Cookie", vc)
	if strings.Contains(vpage, `name="shortcomings"`) || !strings.Contains(vpage, "Thiếu cán bộ.") {
		t.Error("a viewer sees the draft form, or not the saved text")
	}
	vm := csrfField.FindStringSubmatch(vpage)
	if vm == nil {
		vm = []string{"", ""}
	}
	form.Set("csrf", vm[1])
	form.Set("solutions", "xoá")
	if status, _, _ := e.post(q1, "application/x-www-form-urlencoded", form.Encode(), "Cookie", vc); status != http.StatusForbidden {
		t.Errorf("a viewer saving the draft: %d, want 403", status)
	}
}

// Scripts with a stats:read key fetch the report in each format; others may not.
func TestReportsAPI(t *testing.T) {
	e := newEnv(t)
	e.respond("H48-260331-0101", "000.00.53.H48")
	e.settle()
	statsKey, _, err := mongodb.NewAPIKeyStore(e.db).CreateAPIKey(context.Background(), "stats", []string{account.ScopeStatsRead}, e.clock())
	if err != nil {
		t.Fatal(err)
	}
	auth := []string{"Authorization", "Bearer " + statsKey}
	for format, ctype := range map[string]string{"docx": "wordprocessingml", "xlsx": "spreadsheetml", "html": "text/html"} {
		status, hdr, body := e.get("/api/v1/reports?period=quarter&from=2026-02-10&format="+format, auth...)
		if status != 200 || !strings.Contains(hdr.Get("Content-Type"), ctype) {
			t.Errorf("format %s: %d %s %.200s", format, status, hdr.Get("Content-Type"), body)
		}
		if format == "html" && (!strings.Contains(body, "quý I năm 2026") || strings.Contains(body, `name="shortcomings"`)) {
			t.Errorf("the HTML report does not name quarter I of 2026 or offers the draft form")
		}
	}
	if status, _, body := e.get("/api/v1/reports?from=2026-01-01&to=2026-03-31&format=docx", auth...); status != 200 || !strings.HasPrefix(body, "PK") {
		t.Errorf("custom range: %d", status)
	}
	for what, c := range map[string]struct {
		path    string
		headers []string
		want    int
	}{
		"no key":        {"/api/v1/reports?period=year&format=docx", nil, http.StatusUnauthorized},
		"tickets key":   {"/api/v1/reports?period=year&format=docx", []string{"Authorization", "Bearer " + e.key}, http.StatusForbidden},
		"bad format":    {"/api/v1/reports?period=year&format=pdf", auth, http.StatusUnprocessableEntity},
		"bad period":    {"/api/v1/reports?period=week&format=docx", auth, http.StatusUnprocessableEntity},
		"no date range": {"/api/v1/reports?format=docx", auth, http.StatusUnprocessableEntity},
	} {
		if status, _, body := e.get(c.path, c.headers...); status != c.want {
			t.Errorf("%s: %d, want %d: %.200s", what, status, c.want, body)
		}
	}
}
