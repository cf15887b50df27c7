package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/testkit"
)

// citizenPageFits fails the test on a serious or critical axe-core violation, sideways
// scrolling or a touch target under 48 px on the open page.
func citizenPageFits(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	accessible(t, ctx, page)
	const small = `[...document.querySelectorAll('main a, main button, main input:not([type=hidden]), main label.opt')]
		.map(el => { const box = (el.tagName === 'INPUT' && el.closest('label')) || el; // an input's target is its label
			const r = box.getBoundingClientRect(); return [el.outerHTML.slice(0, 60), r.width, r.height]; })
		.filter(([, w, h]) => (w < 48 || h < 48) && !(w === 0 && h === 0))
		.map(([html, w, h]) => html + ' ' + Math.round(w) + '×' + Math.round(h))`
	for _, s := range eval[[]string](t, ctx, small) {
		if !strings.Contains(s, `type="checkbox"`) { // the consent box's target is its whole label
			t.Errorf("%s: touch target under 48 px: %s", page, s)
		}
	}
}

func TestCitizenLeavesAPhoneAndFollowsTheCaseOnA360pxPhone(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0401", http.StatusCreated)
	ctx := browse(t)
	do(t, ctx, testkit.Viewport(360, 740), testkit.AcceptLanguage(vietnamese),
		chromedp.Navigate(e.base+"/s/"+tk.Token), chromedp.WaitVisible(chromedp.CSS(`form`)),
		chromedp.Click(chromedp.CSS(`#q-overall label.smiley:first-of-type`)))
	submit(t, ctx)

	// The thank-you page: reference, status link, the offer.
	if ref := text(t, ctx, `.case .ref`); ref != cases.Ref(tk.Token) {
		t.Fatalf("reference %q, want %q", ref, cases.Ref(tk.Token))
	}
	if h := text(t, ctx, `#offer-h`); h != "Ông/Bà có muốn được liên hệ lại không?" {
		t.Errorf("offer heading %q", h)
	}
	citizenPageFits(t, ctx, "thank-you page at 360 px")
	screenshot(t, ctx, "contact-thanks-360")

	// A phone without consent is refused next to the box; with it, saved.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS(`#in-phone`), "0912 345 678"))
	if status := submit(t, ctx); status != http.StatusUnprocessableEntity {
		t.Fatalf("no consent: %d, want 422", status)
	}
	if msg := text(t, ctx, `#err-consent`); !strings.Contains(msg, "đánh dấu đồng ý") {
		t.Errorf("consent error %q", msg)
	}
	if v := eval[string](t, ctx, `document.querySelector('#in-phone').value`); v != "0912 345 678" {
		t.Errorf("the phone typed is gone after the error: %q", v)
	}
	citizenPageFits(t, ctx, "thank-you page with an error at 360 px")
	do(t, ctx, chromedp.Click(chromedp.CSS(`label[for=in-consent]`)))
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("contact with consent: %d", status)
	}
	if msg := text(t, ctx, `.saved`); !strings.Contains(msg, "Đã lưu thông tin liên hệ.") {
		t.Errorf("confirmation %q", msg)
	}

	// Once the case is open, the status link of the thank-you page shows it.
	e.settle()
	do(t, ctx, chromedp.Navigate(e.base+"/s/"+tk.Token+"?thanks=1"), chromedp.WaitVisible(chromedp.CSS(`.case a.button`)))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`.case a.button`))); err != nil {
		t.Fatal(err)
	}
	if s := text(t, ctx, `.cs`); s != "Đang xử lý" {
		t.Errorf("status %q, want Đang xử lý", s)
	}
	citizenPageFits(t, ctx, "status page at 360 px")
	screenshot(t, ctx, "casestatus-360")

	// Desktop pictures of both pages, with a reply.
	c, err := e.cases.Store.Case(context.Background(), tk.Token)
	if err != nil {
		t.Fatal(err)
	}
	c.Reply = "Cơ quan đã liên hệ với Ông/Bà và bố trí thêm một công chức tại quầy đất đai.\nXin cảm ơn ý kiến của Ông/Bà."
	c.Version++
	if err := e.cases.Store.Update(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, testkit.Viewport(1280, 800), chromedp.Navigate(e.base+"/s/"+tk.Token+"/case"), chromedp.WaitVisible(chromedp.CSS(`.reply-text`)))
	citizenPageFits(t, ctx, "status page with a reply at 1280 px")
	screenshot(t, ctx, "casestatus-desktop")
	do(t, ctx, chromedp.Navigate(e.base+"/s/"+tk.Token+"?thanks=1"), chromedp.WaitVisible(chromedp.CSS(`#offer-h`)))
	screenshot(t, ctx, "contact-thanks-desktop")
}
