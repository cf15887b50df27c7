package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/testkit"
)

// TestDashboardInABrowser signs a manager in through the page and checks that a field in
// trouble is obvious at a glance: status in words as well as colour, the trend chart drawn on the
// server, drill-down to agencies, exports, and nothing loaded from outside.
func TestDashboardInABrowser(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.Limits.Submit = 1000 })
	for i := range 32 { // land: 8 of 32 satisfied, clearly below its 85% target
		rating := 2
		if i%4 == 0 {
			rating = 5
		}
		e.rate(fmt.Sprintf("LAND-260331-%04d", i), "land", "000.00.53.H48", rating)
	}
	e.rate("JUS-260331-0001", "justice", "000.00.53.H48", 5)
	e.settle()
	password := "mật-khẩu-quản-lý-1"
	name := e.addUser("quanly", account.RoleManager, password)

	ctx := browse(t)
	netlog := testkit.ListenNetwork(t, ctx)
	dash := e.base + "/dashboard?period=custom&from=2026-03-01&to=2026-03-31&group_by=field"
	do(t, ctx, testkit.Viewport(1280, 900), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(dash),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
	)
	if status := submit(t, ctx); status != 200 {
		t.Fatalf("sign in and land on the dashboard: status %d", status)
	}
	if h := text(t, ctx, `h1`); h != "Mức độ hài lòng" {
		t.Fatalf("heading %q", h)
	}
	row := text(t, ctx, `table.figures tbody tr.st-likely_below`)
	if !strings.Contains(row, "Đất đai") || !strings.Contains(row, "Chưa đạt (rõ ràng)") || !strings.Contains(row, "25,0%") || !strings.Contains(row, "85,0%") {
		t.Fatalf("land row does not say it is clearly below target: %q", row)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('svg.chart polyline.target').length`); n != 1 {
		t.Fatalf("trend chart has %d target lines, want 1", n)
	}
	if href := eval[string](t, ctx, `document.querySelector('.exports a').getAttribute('href')`); !strings.HasPrefix(href, "/dashboard/export.csv?") {
		t.Fatalf("CSV export link %q", href)
	}
	if os.Getenv("HAILONG_SCREENSHOTS") != "" {
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			_ = os.WriteFile(filepath.Join(os.Getenv("HAILONG_SCREENSHOTS"), "dashboard.png"), shot, 0o644)
		}
	}
	// Drill down: land → its agencies.
	do(t, ctx, chromedp.Click(chromedp.CSS(`table.figures tbody tr.st-likely_below th a`)), chromedp.WaitVisible(chromedp.CSS(`table.figures`)))
	loc := eval[string](t, ctx, `location.search`)
	if !strings.Contains(loc, "group_by=agency") || !strings.Contains(loc, "field=land") {
		t.Fatalf("drill-down went to %q", loc)
	}
	if row := text(t, ctx, `table.figures tbody tr`); !strings.Contains(row, "000.00.53.H48") || !strings.Contains(row, "chưa xếp vào cơ cấu") {
		t.Fatalf("agency row %q should name the agency and say it is not yet placed", row)
	}
	var fetched []string
	for _, u := range netlog.URLs() {
		if !strings.HasPrefix(u, "data:") { // the browser's own date-picker icon
			fetched = append(fetched, u)
		}
	}
	sameOrigin(t, e.base, fetched)
}
