package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/testkit"
)

// TestReportIdentityAndPublicPagesInABrowser opens the pages this feature touches at a phone's
// and a desktop's width: the report document with its draft form, the identity section of
// /admin, the public results and a survey headed with the centre's emblem. None scrolls
// sideways or has a serious axe violation, buttons are comfortable to tap, and the document
// reads as the administrative form.
func TestReportIdentityAndPublicPagesInABrowser(t *testing.T) {
	e := newEnv(t)
	for i := range 11 {
		e.respond(fmt.Sprintf("H48-260331-%04d", i), "000.00.53.H48")
	}
	e.settle()
	a := e.signInAdmin()
	svg := `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="18" fill="#c8102e"/><polygon points="20,8 23,17 32,17 25,23 28,32 20,26 12,32 15,23 8,17 17,17" fill="#ffcd00"/></svg>`
	if status, page := a.postIdentity(huongTra, "quoc-huy.svg", []byte(svg)); status != http.StatusSeeOther {
		t.Fatalf("save identity: %d %.300s", status, page)
	}
	tk := e.issue("H48-260331-0900", http.StatusCreated)
	password := "mật-khẩu-quản-trị-3"
	name := e.addUser("qt", account.RoleAdmin, password)

	ctx, cancel := context.WithTimeout(testkit.Browser(t), 4*time.Minute) // eight pages, each checked by axe
	t.Cleanup(cancel)
	report := e.base + "/dashboard/report?period=quarter&year=2026&index=1"
	do(t, ctx, testkit.Viewport(1280, 900), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(report),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), password))
	if status := submit(t, ctx); status != 200 {
		t.Fatalf("sign in: %d", status)
	}
	for _, want := range []string{"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "quý I năm 2026"} {
		if head := text(t, ctx, `article.doc`); !strings.Contains(head, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	for _, width := range staffWidths {
		for _, page := range []struct{ name, path, ready string }{
			{"report", "/dashboard/report?period=quarter&year=2026&index=1", `article.doc`},
			{"admin-identity", "/admin#identity", `#identity`},
			{"public", "/cong-khai", `article.public`},
			{"survey-emblem", "/s/" + tk.Token, `img.emblem`},
			{"slip-emblem", "/counter/slip?dossier=H48-260331-0900&size=80mm", `.slip-centre img`},
			{"kiosk-emblem", "/kiosk", `header.kbar img.emblem`},
		} {
			do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+page.path), chromedp.WaitVisible(chromedp.CSS(page.ready)))
			if page.name == "admin-identity" {
				// The rest of /admin (tables of fields, tablets, audit) is not this feature's; the
				// identity section itself must fit.
				if w := eval[int](t, ctx, `(() => { const s = document.querySelector('#identity'); return s.scrollWidth - s.clientWidth; })()`); w > 0 {
					t.Errorf("the identity section at %d px overflows by %d px", width, w)
				}
				screenshot(t, ctx, page.name+"-"+fmt.Sprint(width))
				continue
			}
			fitsAndPasses(t, ctx, page.name, width)
			small := eval[[]string](t, ctx, `[...document.querySelectorAll('main button, main a.button, main input[type=text], main input[type=file], main textarea')]
				.filter(el => el.offsetParent && el.getBoundingClientRect().height < 48).map(el => el.outerHTML.slice(0, 80))`)
			if len(small) > 0 {
				t.Errorf("%s at %d px: targets under 48 px: %q", page.name, width, small)
			}
		}
	}
	do(t, ctx, chromedp.Navigate(e.base+"/s/"+tk.Token), chromedp.WaitVisible(chromedp.CSS(`img.emblem`)))
	if w := eval[int](t, ctx, `document.querySelector('img.emblem').naturalWidth`); w == 0 {
		t.Error("the emblem does not load on the survey page")
	}
}
