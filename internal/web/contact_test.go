package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/cases"
)

const formType = "application/x-www-form-urlencoded"

// rateByForm answers dossier's survey with the plain form and returns its token and the thank-you
// page the redirect leads to.
func (e *env) rateByForm(dossier string, form url.Values) (string, string) {
	e.t.Helper()
	tk := e.issue(dossier, http.StatusCreated)
	status, hdr, body := e.post("/s/"+tk.Token, formType, form.Encode())
	if status != http.StatusSeeOther {
		e.t.Fatalf("rate %s: %d %s", dossier, status, body)
	}
	_, _, page := e.get(hdr.Get("Location"))
	return tk.Token, page
}

func TestThankYouPageOffersContactOnlyWhenACaseOpens(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name  string
		form  url.Values
		offer bool
	}{
		{"rated 1", url.Values{"overall": {"1"}}, true},
		{"rated 2", url.Values{"overall": {"2"}}, true},
		{"payment asked, rated 5", url.Values{"overall": {"5"}, "extra_payment": {"yes"}}, true},
		{"asked to be contacted, rated 4", url.Values{"overall": {"4"}, "contact_request": {"yes"}}, true},
		{"rated 3", url.Values{"overall": {"3"}}, false},
		{"rated 5", url.Values{"overall": {"5"}}, false},
	} {
		token, page := e.rateByForm("H48-260331-01"+tc.form.Get("overall")+strconv.Itoa(len(tc.form)), tc.form)
		hasOffer := strings.Contains(page, `action="/s/`+token+`/contact"`)
		hasRef := strings.Contains(page, cases.Ref(token)) && strings.Contains(page, "https://hailong.test/s/"+token+"/case")
		if hasOffer != tc.offer || hasRef != tc.offer {
			t.Errorf("%s: contact form %v, reference and status link %v; want %v", tc.name, hasOffer, hasRef, tc.offer)
		}
		if !strings.Contains(page, "Cảm ơn Ông/Bà đã đánh giá!") {
			t.Errorf("%s: no thanks on the page", tc.name)
		}
	}
}

func TestContactFormRefusesBadInputNextToTheField(t *testing.T) {
	e := newEnv(t)
	token, _ := e.rateByForm("H48-260331-0201", url.Values{"overall": {"1"}})
	satisfied, _ := e.rateByForm("H48-260331-0202", url.Values{"overall": {"5"}})
	for _, tc := range []struct {
		name, token, lang string
		form              url.Values
		status            int
		want, field       string // the message, and the id of the field it stands next to ("" for a page)
	}{
		{"no consent", token, "vi", url.Values{"phone": {"0912345678"}}, 422, "Vui lòng đánh dấu đồng ý", "err-consent"},
		{"bad phone", token, "vi", url.Values{"phone": {"12345"}, "consent": {"yes"}}, 422, "Số điện thoại không hợp lệ", "err-phone"},
		{"bad e-mail", token, "vi", url.Values{"email": {"lan@"}, "consent": {"yes"}}, 422, "Địa chỉ email không hợp lệ", "err-email"},
		{"nothing, in English", token, "en", url.Values{"consent": {"yes"}}, 422, "Please enter a phone number or an e-mail address.", "err-phone"},
		{"a response that calls for no case", satisfied, "vi", url.Values{"phone": {"0912345678"}, "consent": {"yes"}}, 422, "không có phản ánh cần xử lý", ""},
		{"an unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "vi", url.Values{"phone": {"0912345678"}, "consent": {"yes"}}, 404, "Không tìm thấy phiếu đánh giá này.", ""},
		{"a forged token", "x", "en", url.Values{"phone": {"0912345678"}, "consent": {"yes"}}, 404, "", ""},
	} {
		tc.form.Set("lang", tc.lang)
		status, _, body := e.post("/s/"+tc.token+"/contact", formType, tc.form.Encode())
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d, want %d with %q:\n%s", tc.name, status, tc.status, tc.want, body)
			continue
		}
		if tc.field != "" && !strings.Contains(body, `id="`+tc.field+`">`+tc.want) && !strings.Contains(body, `<p class="err" id="`+tc.field+`">`) {
			t.Errorf("%s: the message is not next to %s", tc.name, tc.field)
		}
		if tc.field != "" && tc.form.Get("phone") != "" && !strings.Contains(body, `value="`+tc.form.Get("phone")+`"`) {
			t.Errorf("%s: what the citizen typed is not shown again", tc.name)
		}
	}
	n, err := e.db.DB.Collection("contacts").CountDocuments(context.Background(), map[string]any{})
	if err != nil || n != 0 {
		t.Fatalf("%d contacts stored after refusals (%v), want none", n, err)
	}
}

func TestStatusPageShowsTheReplyNeverTheNotes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	token, _ := e.rateByForm("H48-260331-0301", url.Values{"overall": {"1"}, "comment": {"Phải chờ quá lâu"}})

	// Saved before the worker opened the case: the status page says it is being received.
	form := url.Values{"phone": {"0912 345 678"}, "consent": {"yes"}, "lang": {"vi"}}
	status, hdr, _ := e.post("/s/"+token+"/contact", formType, form.Encode())
	if status != http.StatusSeeOther || hdr.Get("Location") != "/s/"+token+"/case?saved=1&lang=vi" {
		t.Fatalf("contact: %d to %q", status, hdr.Get("Location"))
	}
	status, _, page := e.get(hdr.Get("Location"))
	for _, want := range []string{"Đã lưu thông tin liên hệ.", cases.Ref(token), "Đang tiếp nhận"} {
		if status != http.StatusOK || !strings.Contains(page, want) {
			t.Errorf("status page before the case opens: %d, lacks %q", status, want)
		}
	}

	e.settle()
	c, err := e.cases.Store.Case(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.Act(ctx, token, c.Version, "truong.phong", cases.Action{Name: cases.ActNote, Text: "Ghi chú nội bộ: công chức Trần Văn B"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.Act(ctx, token, c.Version+1, "truong.phong", cases.Action{Name: cases.ActAssign, User: "pho.phong"}); err != nil {
		t.Fatal(err)
	}
	_, _, page = e.get("/s/" + token + "/case")
	for _, want := range []string{"Đang xử lý", "Ngày tiếp nhận", "31/03/2026", "Hạn xử lý", "Chưa có trả lời."} {
		if !strings.Contains(page, want) {
			t.Errorf("open case: status page lacks %q", want)
		}
	}

	c, _ = e.cases.Store.Case(ctx, token)
	c.Reply = "Cơ quan đã rút ngắn thời gian chờ tại quầy đất đai."
	c.Version++
	if err := e.cases.Store.Update(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.Act(ctx, token, c.Version, "truong.phong", cases.Action{Name: cases.ActResolve, Text: "Đã xử lý nội bộ với công chức"}); err != nil {
		t.Fatal(err)
	}
	_, _, page = e.get("/s/" + token + "/case")
	for _, want := range []string{"Đã giải quyết", "Ngày kết thúc", c.Reply} {
		if !strings.Contains(page, want) {
			t.Errorf("resolved case: status page lacks %q", want)
		}
	}
	for _, secret := range []string{"Ghi chú nội bộ", "Trần Văn B", "pho.phong", "truong.phong", "Đã xử lý nội bộ", "H48-260331-0301", "Phải chờ quá lâu", "0912"} {
		if strings.Contains(page, secret) {
			t.Errorf("the citizen's status page shows %q", secret)
		}
	}
	_, _, page = e.get("/s/" + token + "/case?lang=en")
	if !strings.Contains(page, "Resolved") || !strings.Contains(page, "The agency&#39;s reply") {
		t.Errorf("English status page lacks its words")
	}

	// A resolved case takes no new contact; a status link that leads to no case is a 404.
	status, _, body := e.post("/s/"+token+"/contact", formType, form.Encode())
	if status != http.StatusConflict || !strings.Contains(body, "đã được xử lý xong") {
		t.Errorf("contact for a resolved case: %d", status)
	}
	satisfied, _ := e.rateByForm("H48-260331-0302", url.Values{"overall": {"5"}})
	for _, path := range []string{"/s/" + satisfied + "/case", "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/case", "/s/x/case"} {
		if status, _, body := e.get(path); status != http.StatusNotFound || !strings.Contains(body, "Không có phản ánh nào") {
			t.Errorf("%s: %d, want 404 saying there is no case", path, status)
		}
	}
}
