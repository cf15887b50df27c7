package web_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/testkit"
)

// staffWidths are the screens staff pages are checked at: a phone and a desktop.
var staffWidths = []int{360, 1280}

// fitsAndPasses checks the page open in ctx at width: nothing scrolls sideways and axe finds no
// serious or critical violation. With HAILONG_SCREENSHOTS set to a directory, it also saves a
// full-page screenshot there as name-width.png, for a person to look at.
func fitsAndPasses(t *testing.T, ctx context.Context, name string, width int) {
	t.Helper()
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > width {
		t.Errorf("%s is %d px wide on a %d px screen: it scrolls sideways", name, w, width)
	}
	if found := testkit.Axe(t, ctx); len(found) > 0 {
		t.Errorf("%s at %d px: axe violations %q", name, width, found)
	}
	dir := os.Getenv("HAILONG_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+strconv.Itoa(width)+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCodePageOffersStaffSignIn: `/` still takes a citizen straight to the code form, which
// also offers staff a visible sign-in link, a comfortable tap on a phone.
func TestCodePageOffersStaffSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := browse(t)
	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 740), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/"),
			chromedp.WaitVisible(chromedp.ID("code")))
		if path := eval[string](t, ctx, `location.pathname`); path != "/s" {
			t.Fatalf("/ led to %s, want the code form /s", path)
		}
		link := eval[touchTarget](t, ctx, `(() => { const a = document.querySelector('a[href^="/signin"]'); if (!a) return {};
			const r = a.getBoundingClientRect(); return {Name: a.textContent.trim(), Width: r.width, Height: r.height}; })()`)
		if link.Name != "Cán bộ đăng nhập" || link.Height < minTarget {
			t.Errorf("at %d px the staff sign-in link is %+v, want \"Cán bộ đăng nhập\" at least %d px tall", width, link, minTarget)
		}
		fitsAndPasses(t, ctx, "code", width)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`a[href^="/signin"]`))); err != nil {
		t.Fatal(err)
	}
	if path := eval[string](t, ctx, `location.pathname`); path != "/signin" {
		t.Errorf("the staff link led to %s", path)
	}
}

// TestCounterPagesFitAndLeadBackToTheCounter opens, as an officer, the counter page, both slips
// and the page refusing the admin area, at a phone's and a desktop's width: none scrolls
// sideways or has an axe violation, the day list shows no short code, the form's placeholders
// read as examples, and the slip and the refusal both lead back to /counter, the refusal without
// the citizen's "enter a code" button.
func TestCounterPagesFitAndLeadBackToTheCounter(t *testing.T) {
	e := newEnv(t)
	o := e.signInOfficer(testAgency, "c1")
	token := o.mustComplete("000.00.53.H48-260331-0501")
	tk := e.storedTicket(token)
	ctx := browse(t)
	do(t, ctx, testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/signin"), chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), o.name), chromedp.SendKeys(chromedp.CSS(`#password`), officerPassword))
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("sign in: %d", status)
	}
	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 800), chromedp.Navigate(e.base+"/counter"), chromedp.WaitVisible(chromedp.CSS(`#today`)))
		if body := eval[string](t, ctx, `document.body.innerText`); strings.Contains(body, tk.ShortCode[:4]+"-"+tk.ShortCode[4:]) {
			t.Error("the counter page shows a short code")
		}
		if ph := eval[string](t, ctx, `document.querySelector('#f-dossier_code').placeholder`); !strings.HasPrefix(ph, "Ví dụ: ") {
			t.Errorf("the dossier code placeholder %q does not read as an example", ph)
		}
		fitsAndPasses(t, ctx, "counter", width)
		for _, size := range []string{"80mm", "a6"} {
			do(t, ctx, chromedp.Navigate(e.base+slipPath("000.00.53.H48-260331-0501", size)), chromedp.WaitVisible(chromedp.CSS(`.slip-code`)))
			if back := eval[string](t, ctx, `document.querySelector('.slip-tools a.button').pathname`); back != "/counter" {
				t.Errorf("the slip's way back leads to %q", back)
			}
			fitsAndPasses(t, ctx, "slip-"+size, width)
		}
		resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(e.base+"/admin"))
		if err != nil || resp.Status != http.StatusForbidden {
			t.Fatalf("an officer opening /admin: %v %v", resp, err)
		}
		links := eval[[]string](t, ctx, `[...document.querySelectorAll('main a')].map(a => a.pathname)`)
		if !slices.Contains(links, "/counter") || slices.Contains(links, "/s") {
			t.Errorf("the refusal shown to an officer links to %q, want /counter and not the code form", links)
		}
		fitsAndPasses(t, ctx, "forbidden", width)
	}
}

// TestCitizenErrorPagesKeepTheCodeLink: without a session cookie an error page still offers
// the citizen the code form, and no staff page.
func TestCitizenErrorPagesKeepTheCodeLink(t *testing.T) {
	e := newEnv(t)
	status, _, page := e.get("/nowhere")
	if status != http.StatusNotFound || !strings.Contains(page, `href="/s?lang=vi"`) || strings.Contains(page, `href="/counter`) {
		t.Fatalf("a citizen's error page: %d, code link %v, staff link %v", status, strings.Contains(page, `href="/s?lang=vi"`), strings.Contains(page, `href="/counter`))
	}
	viewer := "hl_session=" + e.mustSignIn(e.addUser("xem", account.RoleViewer, adminPassword), adminPassword)
	status, _, page = e.get("/counter", "Cookie", viewer)
	if status != http.StatusForbidden || strings.Contains(page, `href="/s?lang=vi"`) || !strings.Contains(page, `href="/dashboard?lang=vi"`) {
		t.Fatalf("the refusal shown to a viewer: %d, code link %v, dashboard link %v", status, strings.Contains(page, `href="/s?lang=vi"`), strings.Contains(page, `href="/dashboard?lang=vi"`))
	}
}
