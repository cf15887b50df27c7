package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/testkit"
)

// clickResponse clicks css and waits for the page the server answers with.
func clickResponse(t *testing.T, ctx context.Context, css string) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
	return resp.Status
}

// An admin on a phone and on a desktop: the integrations page says e-mail is off, refuses a
// webhook to a private address naming it and keeping what was typed, shows a new webhook's
// secret once; the account page refuses a bad address and keeps the user's choices.
func TestIntegrationsAndAccountPages(t *testing.T) {
	e := newEnv(t)
	admin := e.addUser("admin", account.RoleAdmin, adminPassword)
	ctx := browse(t)
	do(t, ctx, testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), admin), chromedp.SendKeys(chromedp.CSS(`#password`), adminPassword))
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+"/admin/integrations"), chromedp.WaitVisible(chromedp.ID("w-url")))
		if body := eval[string](t, ctx, `document.body.innerText`); !strings.Contains(body, "Thư điện tử đang tắt") {
			t.Errorf("the page does not say e-mail is off:\n%s", body)
		}
		fitsAndPasses(t, ctx, "integrations", width)
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("w-url"), "http://10.0.0.5/hook"), chromedp.Click(chromedp.ID("w-ev-0")))
	if status := clickResponse(t, ctx, `form[action="/admin/webhooks"] button[type=submit]`); status != http.StatusUnprocessableEntity {
		t.Fatalf("a private address: %d, want 422", status)
	}
	if msg := text(t, ctx, `[role=alert]`); !strings.Contains(msg, "http://10.0.0.5/hook") || !strings.Contains(msg, "mạng nội bộ") {
		t.Errorf("the refusal says %q; want it to name the URL and why", msg)
	}
	if kept := eval[string](t, ctx, `document.getElementById('w-url').value`); kept != "http://10.0.0.5/hook" {
		t.Errorf("the URL typed was lost: %q", kept)
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("w-url"), "https://he-thong.example.gov.vn/hooks/hai-long"), chromedp.Click(chromedp.ID("w-ev-0")))
	if status := clickResponse(t, ctx, `form[action="/admin/webhooks"] button[type=submit]`); status != http.StatusOK {
		t.Fatalf("a good webhook: %d", status)
	}
	if secret := text(t, ctx, `#secret`); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("the new webhook's secret is not shown: %q", secret)
	}
	do(t, ctx, chromedp.Navigate(e.base+"/admin/integrations"), chromedp.WaitVisible(chromedp.ID("w-url")))
	body := eval[string](t, ctx, `document.body.innerText`)
	if strings.Contains(body, "whsec_") || !strings.Contains(body, "https://he-thong.example.gov.vn/hooks/hai-long") {
		t.Errorf("after a reload the secret must be gone and the endpoint listed:\n%s", body)
	}

	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+"/account"), chromedp.WaitVisible(chromedp.ID("email")))
		fitsAndPasses(t, ctx, "account", width)
	}
	if !eval[bool](t, ctx, `document.getElementById('n-alerts').checked`) {
		t.Error("an admin's integrity alerts are not on by default")
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "not-an-address"))
	if status := submit(t, ctx); status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad address: %d, want 422", status)
	}
	do(t, ctx, chromedp.SetValue(chromedp.ID("email"), "quanly@donvi.gov.vn"), chromedp.Click(chromedp.ID("n-daily")))
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("save: %d", status)
	}
	if msg := text(t, ctx, `[role=status]`); !strings.Contains(msg, "Đã lưu") {
		t.Errorf("no saved notice: %q", msg)
	}
	u, err := mongodb.NewUserStore(e.db).UserByName(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	if n := u.Notifications(); u.Email != "quanly@donvi.gov.vn" || !n.Alerts || !n.Daily || n.Weekly {
		t.Errorf("stored %q %+v; want the address, alerts and the daily digest", u.Email, n)
	}
}
