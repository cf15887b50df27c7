package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
)

// Personal data typed into a comment is masked when stored, so the dashboard's latest comments
// and the printable report never show it.
func TestCommentPersonalDataIsMaskedOnTheDashboardAndReport(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0911", http.StatusCreated)
	comment := "Trễ hẹn, gọi 0912 345 678 hoặc nguyen.van.a@gmail.com, CCCD 001203012345"
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1},"comment":"` + comment + `"}`); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	e.settle()
	name := e.addUser("quanly", account.RoleManager, "mật-khẩu-quản-lý-9")
	cookie := "hl_session=" + e.mustSignIn(name, "mật-khẩu-quản-lý-9")
	masked := "Trễ hẹn, gọi [***] hoặc [***], CCCD [***]"
	for _, path := range []string{"/dashboard", "/dashboard/report"} {
		status, _, page := e.get(path+"?period=custom&from=2026-03-01&to=2026-03-31", "Cookie", cookie)
		if status != 200 {
			t.Fatalf("%s: %d", path, status)
		}
		for _, secret := range []string{"345 678", "nguyen.van.a", "001203012345"} {
			if strings.Contains(page, secret) {
				t.Errorf("%s shows %q from the comment", path, secret)
			}
		}
		if !strings.Contains(page, masked) {
			t.Errorf("%s does not show the masked comment %q", path, masked)
		}
	}
}
