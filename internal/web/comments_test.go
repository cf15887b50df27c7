package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/stats"
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

// A comment stored before masking existed still shows masked: the dashboard and the printable
// report mask whatever they show.
func TestCommentsStoredBeforeMaskingAreMaskedWhenShown(t *testing.T) {
	e := newEnv(t)
	old := stats.Comment{At: time.Date(2026, 3, 20, 3, 0, 0, 0, time.UTC), Field: "land", Agency: "000.00.53.H48",
		Counter: "000.00.53.H48/c1", Overall: 2, Text: "Chậm, liên hệ 0912 345 678 hoặc a.b@gmail.com"}
	if err := e.db.LoadDemo(context.Background(), nil, nil, stats.Buckets{}, []stats.Comment{old}); err != nil {
		t.Fatal(err)
	}
	if err := e.view.Reload(context.Background()); err != nil { // stored behind the rollups' back
		t.Fatal(err)
	}
	e.settle()
	name := e.addUser("quanly", account.RoleManager, "mật-khẩu-quản-lý-9")
	cookie := "hl_session=" + e.mustSignIn(name, "mật-khẩu-quản-lý-9")
	for _, path := range []string{"/dashboard", "/dashboard/report"} {
		_, _, page := e.get(path+"?period=custom&from=2026-03-01&to=2026-03-31", "Cookie", cookie)
		if strings.Contains(page, "345 678") || strings.Contains(page, "a.b@gmail.com") || !strings.Contains(page, "Chậm, liên hệ [***] hoặc [***]") {
			t.Errorf("%s does not mask the old comment", path)
		}
	}
}
