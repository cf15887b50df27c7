package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

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
