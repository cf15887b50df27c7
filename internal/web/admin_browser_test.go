package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/testkit"
)

// adminBrowser signs a new admin in through the sign-in form, in Vietnamese.
func adminBrowser(t *testing.T, e *env) context.Context {
	t.Helper()
	name := e.addUser("qtv", account.RoleAdmin, adminPassword)
	ctx := browse(t)
	do(t, ctx, testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name), chromedp.SendKeys(chromedp.CSS(`#password`), adminPassword))
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	return ctx
}

// TestAdminPageFitsAPhone opens /admin with units, counters, fields, a tablet and an audit trail
// at a phone's and a desktop's width: nothing scrolls sideways, axe finds no violation, and every
// scrollable table can be reached by keyboard under the name of its section.
func TestAdminPageFitsAPhone(t *testing.T) {
	e := newEnv(t)
	seedAdmin(e)
	ctx := adminBrowser(t, e)
	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#audit`)))
		regions := eval[[]string](t, ctx, `[...document.querySelectorAll('.scroll')].map(d => d.tabIndex + ' ' + (document.getElementById(d.getAttribute('aria-labelledby')) || {}).textContent)`)
		for _, r := range regions {
			if !strings.HasPrefix(r, "0 ") || strings.HasSuffix(r, "undefined") {
				t.Errorf("at %d px a scrollable table is %q, want tabindex 0 and its section's name", width, r)
			}
		}
		fitsAndPasses(t, ctx, "admin", width)
	}
}

// seedAdmin gives e an office with a long name, a counter and a tablet waiting to be paired,
// whose code it returns.
func seedAdmin(e *env) string {
	a := e.signInAdmin()
	a.post("/admin/units", url.Values{"code": {testAgency}, "name": {"Trung tâm Phục vụ hành chính công phường Thử nghiệm Hương Trà"}}, http.StatusSeeOther)
	a.post("/admin/counters", url.Values{"agency": {testAgency}, "code": {"c1"}, "name": {"Quầy tiếp nhận 1"}}, http.StatusSeeOther)
	_, code := e.newTablet()
	return code
}

// TestAdminSavesSayWhatWasSaved: at a phone's and a desktop's width, an admin edits a counter
// through its edit link and pairs a tablet by choosing its counter from a list; after each the
// page shows, in the section saved and on screen, a notice in the success colour naming what was
// saved.
func TestAdminSavesSayWhatWasSaved(t *testing.T) {
	e := newEnv(t)
	ctx := adminBrowser(t, e)
	for _, width := range staffWidths {
		code := seedAdmin(e)
		do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+"/admin"), chromedp.WaitVisible(chromedp.CSS(`#counters`)))
		if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`#counters a[href*="counter="]`))); err != nil {
			t.Fatal(err)
		}
		if name := eval[string](t, ctx, `document.querySelector('#ct-name').value`); name != "Quầy tiếp nhận 1" {
			t.Fatalf("the counter's edit form shows the name %q", name)
		}
		name := "Quầy một cửa số " + strconv.Itoa(width)
		do(t, ctx, chromedp.SetValue(chromedp.CSS(`#ct-name`), name))
		savedNotice(t, ctx, width, `form[action^="/admin/counters"] button[type=submit]`, "#counters",
			"Đã lưu quầy: "+name+" (Trung tâm Phục vụ hành chính công phường Thử nghiệm Hương Trà).")

		options := eval[[]string](t, ctx, `[...document.querySelectorAll('select#kd-counter optgroup option')].map(o => o.parentElement.label + ' / ' + o.textContent)`)
		if want := "Trung tâm Phục vụ hành chính công phường Thử nghiệm Hương Trà / " + name; !slices.Equal(options, []string{want}) {
			t.Fatalf("the pairing form offers the counters %q, want [%q]", options, want)
		}
		do(t, ctx, chromedp.SetValue(chromedp.CSS(`#kd-counter`), testAgency+"/c1"), chromedp.SendKeys(chromedp.CSS(`#kd-code`), code))
		savedNotice(t, ctx, width, `form[action^="/admin/kiosks/pair"] button[type=submit]`, "#kiosks",
			"Đã ghép máy tính bảng: "+name+", Trung tâm Phục vụ hành chính công phường Thử nghiệm Hương Trà.")
	}
}

// savedNotice submits with the button at css and expects the notice want inside section,
// on screen, in the success colour rather than the error one.
func savedNotice(t *testing.T, ctx context.Context, width int, button, section, want string) {
	t.Helper()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.Fatal(err)
	}
	got := text(t, ctx, section+` [role=status]`)
	if got != want {
		t.Errorf("at %d px the notice in %s reads %q, want %q", width, section, got, want)
	}
	box := eval[struct{ Top, Bottom float64 }](t, ctx, `(() => { const r = document.querySelector('`+section+` [role=status]').getBoundingClientRect(); return {Top: r.top, Bottom: r.bottom}; })()`)
	if box.Top < 0 || box.Bottom > 800 {
		t.Errorf("at %d px the notice in %s is off screen: %+v", width, section, box)
	}
	if c := eval[string](t, ctx, `getComputedStyle(document.querySelector('`+section+` [role=status]')).borderTopColor`); c != "rgb(30, 107, 46)" {
		t.Errorf("at %d px the notice in %s has the border colour %s, want the success green", width, section, c)
	}
}
