package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/testkit"
)

// screenshot keeps a full-page picture of the tab when HAILONG_SCREENSHOTS names a folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("HAILONG_SCREENSHOTS")
	if dir == "" {
		return
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644)
	}
}

// pressEnter presses Enter on the focused button and waits for the page the form leads to.
func pressEnter(t *testing.T, ctx context.Context) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err != nil || resp.Status != 200 {
		t.Fatalf("submit by keyboard: %v (response %v)", err, resp)
	}
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
}

// accessible fails the test on any serious or critical axe-core violation of the open page.
func accessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	if found := testkit.Axe(t, ctx); len(found) > 0 {
		t.Errorf("%s: axe finds %d serious or critical violations:\n%s", page, len(found), strings.Join(found, "\n"))
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth - window.innerWidth`); w > 0 {
		t.Errorf("%s scrolls sideways by %d px", page, w)
	}
}

func TestCaseQueueAndCasePageOnAPhoneAndByKeyboard(t *testing.T) {
	e := newEnv(t)
	admin := e.signInAdmin()
	admin.post("/admin/units", url.Values{"code": {"000.00.53.H48"}, "name": {"UBND phường Thử"}}, http.StatusSeeOther)
	admin.post("/admin/counters", url.Values{"agency": {"000.00.53.H48"}, "code": {"c1"}, "name": {"Quầy Đất đai"}}, http.StatusSeeOther)
	tk := e.issue("000.00.53.H48-261130-0101", http.StatusCreated)
	if status, body := e.submitJSON(`{"token":"` + tk.Token + `","answers":{"overall":1,"staff_polite":2,"extra_payment":false},"comment":"Chờ cả buổi sáng."}`); status != http.StatusCreated {
		t.Fatalf("submit: %d %s", status, body)
	}
	first := tk.Token
	e.rateAndRollUp("000.00.53.H48-261130-0102", 2)
	password := "mật-khẩu-quản-lý-2"
	name := e.addUser("quanly", account.RoleManager, password)

	ctx := browse(t)
	do(t, ctx, testkit.Viewport(phoneWidth, phoneHeight), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/cases"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
	)
	if status := submit(t, ctx); status != 200 {
		t.Fatalf("sign in and land on the queue: status %d", status)
	}
	if h := text(t, ctx, `h1`); h != "Phản ánh, kiến nghị" {
		t.Fatalf("heading %q", h)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('table.cases tbody tr th a').length`); n != 2 {
		t.Fatalf("the queue lists %d cases, want 2", n)
	}
	if row := text(t, ctx, `table.cases tbody tr`); !strings.Contains(row, "Không hài lòng") || !strings.Contains(row, "Đang xử lý") {
		t.Fatalf("first row %q should say the kind and that it is open", row)
	}
	accessible(t, ctx, "queue at 360 px")
	screenshot(t, ctx, "cases-360")

	// Open the first case and work it by keyboard: assign it to oneself, then resolve it.
	do(t, ctx, chromedp.Navigate(e.base+"/cases/"+first), chromedp.WaitVisible(chromedp.CSS(`#a-user`)))
	if answers := text(t, ctx, `dl.answers`); !strings.Contains(answers, "2 – Không hài lòng") || !strings.Contains(answers, "Không") {
		t.Fatalf("the case page shows the answers as %q", answers)
	}
	if facts := text(t, ctx, `dl.facts`); !strings.Contains(facts, "Quầy Đất đai") || strings.Contains(facts, "· c1") {
		t.Errorf("the case page names the counter as %q, want its name, not the code c1", facts)
	}
	accessible(t, ctx, "case page at 360 px")
	screenshot(t, ctx, "case-360")
	do(t, ctx, chromedp.SetValue(chromedp.CSS(`#a-user`), name), chromedp.Focus(chromedp.CSS(`#a-user`)), chromedp.KeyEvent(kb.Tab))
	pressEnter(t, ctx)
	if facts := text(t, ctx, `dl.facts`); !strings.Contains(facts, name) {
		t.Fatalf("after assigning, the facts %q do not name %s", facts, name)
	}
	do(t, ctx, chromedp.Focus(chromedp.CSS(`#r-text`)), chromedp.KeyEvent("Đã hướng dẫn lại công dân."),
		chromedp.Focus(chromedp.CSS(`#r-reply`)), chromedp.KeyEvent("Cơ quan xin lỗi và đã chấn chỉnh."), chromedp.KeyEvent(kb.Tab))
	pressEnter(t, ctx)
	facts := text(t, ctx, `dl.facts`)
	if !strings.Contains(facts, "Đã giải quyết") || !strings.Contains(facts, "Cơ quan xin lỗi") {
		t.Fatalf("after resolving, the facts say %q", facts)
	}
	if tl := text(t, ctx, `ol.timeline`); !strings.Contains(tl, "Giao xử lý") || !strings.Contains(tl, "Đã hướng dẫn lại công dân.") {
		t.Fatalf("timeline %q", tl)
	}

	do(t, ctx, testkit.Viewport(1280, 900), chromedp.Navigate(e.base+"/cases?status=open"), chromedp.WaitVisible(chromedp.CSS(`table.cases`)))
	if n := eval[int](t, ctx, `document.querySelectorAll('table.cases tbody tr th a').length`); n != 1 {
		t.Fatalf("open cases after resolving one: %d, want 1", n)
	}
	accessible(t, ctx, "queue on a desktop")
	screenshot(t, ctx, "cases-desktop")
}
