package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/testkit"
)

// managerBrowser rates twelve land dossiers in March 2026 (9 satisfied) and signs a manager in
// through the page at width, landing on path.
func managerBrowser(t *testing.T, e *env, width int, path string) context.Context {
	t.Helper()
	for i := range 12 {
		rating := 5
		if i%4 == 0 {
			rating = 2
		}
		e.rate(fmt.Sprintf("MGR-260331-%04d", i), "land", "000.00.53.H48", rating)
	}
	e.settle()
	password := "mật-khẩu-quản-lý-9"
	name := e.addUser("quanly", account.RoleManager, password)
	ctx := browse(t)
	do(t, ctx, testkit.Viewport(width, 740), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+path),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), name),
		chromedp.SendKeys(chromedp.CSS(`#password`), password))
	if status := submit(t, ctx); status != 200 {
		t.Fatalf("sign in: status %d", status)
	}
	return ctx
}

// showFigures submits the dashboard's filter form after js has changed it, and returns the
// status the server answered.
func showFigures(t *testing.T, ctx context.Context, js string) int64 {
	t.Helper()
	_ = eval[bool](t, ctx, `(() => { document.querySelector('details.filters-box').open = true; `+js+`; return true })()`)
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	if err != nil {
		t.Fatalf("show: %v", err)
	}
	return resp.Status
}

// TestDashboardPeriodControlIsNeverIgnored: on a 360 px phone the first screen shows the
// figures with the filters folded; choosing a period type, then editing a date, each changes
// what is shown (the edited date says it won); a refused period is explained on the dashboard
// itself, next to the open form, never on an error page.
func TestDashboardPeriodControlIsNeverIgnored(t *testing.T) {
	e := newEnv(t)
	ctx := managerBrowser(t, e, 360, "/dashboard?period=quarter&year=2026&index=1")

	if top := eval[float64](t, ctx, `document.querySelector('.cards .big').getBoundingClientRect().bottom`); top > 740 {
		t.Errorf("the headline figure ends at %.0f px, below the 740 px first screen", top)
	}
	if eval[bool](t, ctx, `document.querySelector('details.filters-box').open || document.querySelector('form.filters select[name=period]').checkVisibility()`) {
		t.Error("the filters are open on arrival; they should be folded under their summary")
	}
	if got := text(t, ctx, `.period`); !strings.Contains(got, "01/01/2026–31/03/2026") || !strings.Contains(got, "quý I năm 2026") {
		t.Errorf("period line %q, want quarter I of 2026", got)
	}
	fitsAndPasses(t, ctx, "dashboard-folded", 360)

	// A period type chosen with the dates left alone: the year.
	if st := showFigures(t, ctx, `document.querySelector('select[name=period]').value = 'year'`); st != 200 {
		t.Fatalf("choose the year: %d", st)
	}
	if got := text(t, ctx, `.period`); !strings.Contains(got, "01/01/2026–31/12/2026") {
		t.Errorf("after choosing the year the page shows %q", got)
	}
	// A date edited with the period type left on the year: the dates win, and the page says so.
	if st := showFigures(t, ctx, `document.querySelector('input[name=from]').value = '2026-03-10'`); st != 200 {
		t.Fatalf("edit the start date: %d", st)
	}
	if got := text(t, ctx, `.period`); !strings.Contains(got, "10/03/2026–31/12/2026") {
		t.Errorf("after editing the start date the page shows %q", got)
	}
	if got := text(t, ctx, `p.notice[role=status]`); !strings.Contains(got, "Ngày bạn đã sửa được dùng") {
		t.Errorf("no notice that the edited dates won: %q", got)
	}
	if sel := eval[string](t, ctx, `document.querySelector('select[name=period]').value`); sel != "custom" {
		t.Errorf("the period type reads %q after the dates won, want custom", sel)
	}

	// Refused: the start after the end, and a fifth quarter.
	for _, c := range []struct{ js, want string }{
		{`document.querySelector('input[name=from]').value = '2026-04-01'; document.querySelector('input[name=to]').value = '2026-03-01'`, "Ngày bắt đầu đang sau ngày kết thúc"},
		{`document.querySelector('select[name=period]').value = 'quarter'; for (const f of ['from', 'to']) document.querySelector('input[name=' + f + ']').value = document.querySelector('input[name=shown_' + f + ']').value; const i = document.querySelector('input[name=index]'); i.removeAttribute('max'); i.value = '5'`, "chỉ có từ 1 đến 4"},
	} {
		if st := showFigures(t, ctx, c.js); st != 422 {
			t.Errorf("refused period: status %d, want 422", st)
		}
		if got := text(t, ctx, `.dash [role=alert]`); !strings.Contains(got, c.want) || strings.Contains(got, "YYYY") {
			t.Errorf("refusal reads %q, want %q in words", got, c.want)
		}
		if !eval[bool](t, ctx, `document.querySelector('details.filters-box').open && document.querySelector('.cards .big') !== null`) {
			t.Error("a refused period should leave the dashboard with its form open")
		}
		if eval[bool](t, ctx, `document.querySelector('a[href^="/s"]') !== null`) {
			t.Error("the refusal offers the citizen's code form")
		}
		fitsAndPasses(t, ctx, "dashboard-refused", 360)
	}
	if !eval[bool](t, ctx, `document.querySelector('input[name=index]').value === '5' && document.querySelector('input[name=index]').getAttribute('aria-invalid') === 'true'`) {
		t.Error("the refused input is not shown again for correction")
	}
}

// TestDashboardTrendChartZoomsAndNamesAField: the trend chart's y-axis spans the months'
// figures and the target, not 0–100%; every label lies inside the drawing; one field can be
// drawn alone; on the English dashboard every number is written the English way.
func TestDashboardTrendChartZoomsAndNamesAField(t *testing.T) {
	e := newEnv(t)
	ctx := managerBrowser(t, e, 1280, "/dashboard?period=quarter&year=2026&index=1&lang=en")
	for _, width := range staffWidths {
		do(t, ctx, testkit.Viewport(width, 900), chromedp.Navigate(e.base+"/dashboard?period=quarter&year=2026&index=1&lang=en"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
		ticks := eval[[]string](t, ctx, `[...document.querySelectorAll('svg.chart text.axis[text-anchor=end]')].map(t => t.textContent)`)
		// 75% this month against a 85% target: the axis runs about 70%–90%, not from 0% to 100%.
		if len(ticks) < 3 || slices.Contains(ticks, "0%") || slices.Contains(ticks, "100%") || !slices.Contains(ticks, "75%") {
			t.Errorf("at %d px the y-axis reads %q, want a range around 75%% and 85%%", width, ticks)
		}
		clipped := eval[[]string](t, ctx, `(() => { const svg = document.querySelector('svg.chart'), box = svg.viewBox.baseVal;
			return [...svg.querySelectorAll('text')].filter(t => { const b = t.getBBox(); return b.x < 0 || b.y < 0 || b.x + b.width > box.width || b.y + b.height > box.height }).map(t => t.textContent) })()`)
		if len(clipped) > 0 {
			t.Errorf("at %d px chart labels run outside the drawing: %q", width, clipped)
		}
		if size := eval[float64](t, ctx, `parseFloat(getComputedStyle(document.querySelector('svg.chart text.axis')).fontSize) * document.querySelector('svg.chart').getBoundingClientRect().width / 480`); size < 9.5 {
			t.Errorf("at %d px chart labels are %.1f px tall", width, size)
		}
		big := text(t, ctx, `.cards .big`)
		if big != "75.0%" {
			t.Errorf("English headline %q, want 75.0%%", big)
		}
		fitsAndPasses(t, ctx, "dashboard-trend-en", width)
	}
	// One field alone: its name heads the chart.
	_ = eval[bool](t, ctx, `(() => { document.querySelector('select[name=trend_field]').value = 'land'; return true })()`)
	if resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form.trend-field button[type=submit]`))); err != nil || resp.Status != 200 {
		t.Fatalf("draw one field: %v", err)
	}
	if title := eval[string](t, ctx, `document.querySelector('svg.chart').getAttribute('aria-label')`); !strings.Contains(title, "Land") {
		t.Errorf("chart for one field is titled %q", title)
	}
	if !strings.Contains(eval[string](t, ctx, `location.search`), "period=quarter") {
		t.Error("choosing the chart's field lost the period")
	}
}
