package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hailong/hailong/internal/testkit"
)

// Budgets for a citizen on a cheap phone and a slow network.
const (
	phoneWidth    = 320
	phoneHeight   = 640
	minTarget     = 48     // CSS px, the smallest comfortable touch target
	maxPageWeight = 30_000 // bytes over the wire for the survey page: HTML and CSS
	vietnamese    = "vi-VN,vi;q=0.9"
)

// browse opens a tab in a fresh headless Chromium, with one minute for the whole test.
func browse(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(testkit.Browser(t), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// eval runs expression through the DevTools protocol, which works even where the page's own
// scripts are disabled.
func eval[T any](t *testing.T, ctx context.Context, expression string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expression, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(css)))
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

// submit clicks the form's submit button and waits for the page the server answers with.
func submit(t *testing.T, ctx context.Context) int64 {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if err != nil {
		t.Fatalf("submit the form: %v", err)
	}
	return resp.Status
}

// touchTarget is the size of something a citizen taps, and of the row it sits in.
type touchTarget struct {
	Name          string
	Width, Height float64
	RowWidth      float64
}

const measureTargets = `[...document.querySelectorAll('label.opt, label.smiley, form button[type=submit]')].map(el => {
	const r = el.getBoundingClientRect(), input = el.querySelector('input'), row = el.parentElement;
	const cols = getComputedStyle(row).gridTemplateColumns.split(' ').length || 1, gap = parseFloat(getComputedStyle(row).columnGap) || 0;
	return {
		Name: input ? 'label.' + el.classList[0] + ' for ' + input.name + '=' + input.value : 'form button[type=submit]',
		Width: r.width, Height: r.height,
		RowWidth: (row.getBoundingClientRect().width - gap * (cols - 1)) / cols,
	};
})`

// scriptsOff fails the test when the tab still runs page scripts, checked on a page of its own
// because the service's Content-Security-Policy would block a probe script on its pages.
func scriptsOff(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(`data:text/html,<title>off</title><script>document.title = "on"</script>`))
	if title := eval[string](t, ctx, `document.title`); title != "off" {
		t.Fatalf("page scripts run (title %q): the test is not looking at pages without JavaScript", title)
	}
}

func TestSurveyPageOnA320pxPhoneWithoutJavaScript(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0101", http.StatusCreated)
	ctx := browse(t)
	survey := e.base + "/s/" + tk.Token

	do(t, ctx, testkit.Viewport(phoneWidth, phoneHeight), testkit.AcceptLanguage(vietnamese), testkit.DisableJavaScript())
	scriptsOff(t, ctx)
	netlog := testkit.ListenNetwork(t, ctx)
	do(t, ctx, chromedp.Navigate(survey), chromedp.WaitVisible(chromedp.CSS(`form button[type=submit]`)))
	if err := netlog.WaitIdle(ctx); err != nil {
		t.Fatalf("page load did not finish: %v", err)
	}

	weight, urls := netlog.EncodedBytes(), netlog.URLs()
	t.Logf("survey page at %dpx: %d bytes over the wire in %d requests %v", phoneWidth, weight, len(urls), urls)
	if weight >= maxPageWeight {
		t.Errorf("survey page weighs %d bytes over the wire, budget %d", weight, maxPageWeight)
	}
	if len(urls) == 0 || urls[0] != survey {
		t.Errorf("first request %v, want the survey page %s", urls, survey)
	}
	sameOrigin(t, e.base, urls)
	netlog.Reset()
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "vi" {
		t.Errorf("document lang %q, want vi", lang)
	}
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > phoneWidth {
		t.Errorf("page is %dpx wide on a %dpx screen: citizens must scroll sideways", w, phoneWidth)
	}

	targets := eval[[]touchTarget](t, ctx, measureTargets)
	overall := 0
	smallest := touchTarget{Width: 1e9, Height: 1e9}
	for _, b := range targets {
		if strings.Contains(b.Name, " overall=") {
			overall++
		}
		if b.Height < smallest.Height || b.Height == smallest.Height && b.Width < smallest.Width {
			smallest = b
		}
		if b.Width < minTarget || b.Height < minTarget {
			t.Errorf("%s is %.1f×%.1f CSS px, want at least %d×%d", b.Name, b.Width, b.Height, minTarget, minTarget)
		}
		if strings.HasPrefix(b.Name, "label.") && b.Width < b.RowWidth-1 {
			t.Errorf("%s is %.1f px wide in a %.1f px cell: the whole cell should be tappable", b.Name, b.Width, b.RowWidth)
		}
	}
	if overall != 5 || len(targets) < 6 {
		t.Fatalf("found %d touch targets, %d of them for the overall rating: %+v", len(targets), overall, targets)
	}
	t.Logf("%d touch targets; smallest %s: %.1f×%.1f CSS px", len(targets), smallest.Name, smallest.Width, smallest.Height)

	// The comment is asked for only after a 1 or 2; tap the words of "Không hài lòng", write, send.
	if eval[bool](t, ctx, `document.getElementById('in-comment').offsetParent !== null`) {
		t.Error("the comment box shows before a rating of 1-2 asks for it")
	}
	const comment = "Chờ lâu, hướng dẫn chưa rõ."
	do(t, ctx,
		chromedp.Click(chromedp.Search(`//fieldset[@id="q-overall"]//label[contains(., "Không hài lòng") and not(contains(., "Rất"))]/span`)),
		chromedp.SendKeys(chromedp.ID("in-comment"), comment),
	)
	if !eval[bool](t, ctx, `document.querySelector('#q-overall input[value="2"]').checked`) {
		t.Fatal(`tapping "Không hài lòng" did not choose 2 for the overall rating`)
	}
	if got := eval[string](t, ctx, `document.getElementById('in-comment').value`); got != comment {
		t.Fatalf("comment box holds %q, want %q", got, comment)
	}
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("after submitting: status %d, want the thank-you page", status)
	}
	if h := text(t, ctx, `.msg.thanks h1`); h != "Cảm ơn Ông/Bà đã đánh giá!" {
		t.Fatalf("after submitting: heading %q", h)
	}

	// Scanning the QR code again within 30 minutes shows the same thanks and step 2, never the
	// survey again; later it says the dossier is rated, with no form.
	do(t, ctx, chromedp.Navigate(survey))
	if h := text(t, ctx, `.msg.thanks h1`); h != "Cảm ơn Ông/Bà đã đánh giá!" || eval[bool](t, ctx, `document.querySelector('form.step1') !== null`) {
		t.Fatalf("scan within 30 minutes: heading %q, or the survey form again", h)
	}
	e.advance(31 * time.Minute)
	do(t, ctx, chromedp.Navigate(survey))
	if h := text(t, ctx, `.msg.rated h1`); h != "Hồ sơ này đã được đánh giá" {
		t.Fatalf("scan after rating: heading %q", h)
	}
	if eval[bool](t, ctx, `document.querySelector('form[action$="/more"], form.step1') !== null`) {
		t.Error("scan 31 minutes after rating still offers a survey form")
	}
	sameOrigin(t, e.base, netlog.URLs())
	scriptsOff(t, ctx) // still off after every page above
}

// sameOrigin fails the test for each request that left the service's own origin.
func sameOrigin(t *testing.T, base string, urls []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, u := range urls {
		if !strings.HasPrefix(u, base+"/") && !seen[u] {
			seen[u] = true
			t.Errorf("request to another origin: %s", u)
		}
	}
}

func TestSurveyPageShowsErrorsAccessibly(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0102", http.StatusCreated)
	ctx := browse(t)

	do(t, ctx, testkit.Viewport(phoneWidth, phoneHeight), testkit.AcceptLanguage(vietnamese), testkit.DisableJavaScript(),
		chromedp.Navigate(e.base+"/s/"+tk.Token),
		chromedp.Click(chromedp.CSS(`#q-extra_payment input[value="no"]`)),
	)
	if status := submit(t, ctx); status != http.StatusUnprocessableEntity {
		t.Fatalf("submit without an overall rating: status %d, want 422", status)
	}

	alert := text(t, ctx, `#errors[role=alert]`)
	for _, want := range []string{"Vui lòng kiểm tra lại các câu trả lời được đánh dấu.", "Vui lòng chọn mức độ hài lòng chung."} {
		if !strings.Contains(alert, want) {
			t.Errorf("error summary %q does not say %q", alert, want)
		}
	}
	if href := eval[string](t, ctx, `document.querySelector('#errors a').getAttribute('href')`); href != "#q-overall" {
		t.Errorf("error summary links to %q, want the overall question #q-overall", href)
	}
	type fieldset struct{ Invalid, DescribedBy, Message string }
	got := eval[fieldset](t, ctx, `(() => {
		const f = document.getElementById('q-overall'), id = f.getAttribute('aria-describedby');
		return {Invalid: f.getAttribute('aria-invalid'), DescribedBy: id, Message: id ? document.getElementById(id).textContent : ''};
	})()`)
	if got.Invalid != "true" || !strings.Contains(got.Message, "Vui lòng chọn mức độ hài lòng chung.") {
		t.Errorf("overall fieldset: aria-invalid=%q, described by %q = %q", got.Invalid, got.DescribedBy, got.Message)
	}
	if !eval[bool](t, ctx, `document.querySelector('#q-extra_payment input[value="no"]').checked`) {
		t.Error("the answer to extra_payment was lost after the error")
	}
}

func TestSurveyPageInEnglish(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0103", http.StatusCreated)
	ctx := browse(t)

	// The phone asks for Vietnamese; the link's lang=en wins.
	do(t, ctx, testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/s/"+tk.Token+"?lang=en"))
	if lang := eval[string](t, ctx, `document.documentElement.lang`); lang != "en" {
		t.Errorf("document lang %q, want en", lang)
	}
	if q := text(t, ctx, `#q-overall`); !strings.Contains(q, "Very satisfied") {
		t.Errorf("overall question in English: %q", q)
	}
}

func TestSurveyKeyboardOnly(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0104", http.StatusCreated)
	ctx := browse(t)

	do(t, ctx, testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/s/"+tk.Token), chromedp.WaitVisible(chromedp.CSS(`form`)))
	if want := eval[string](t, ctx, `document.querySelector('#q-overall input').value`); want != "1" {
		t.Fatalf("first overall option has value %q, want 1", want)
	}
	tabs := 0
	for ; tabs < 60; tabs++ {
		if eval[bool](t, ctx, `document.activeElement === document.querySelector('#q-overall input')`) {
			break
		}
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
	}
	if tabs == 60 {
		t.Fatalf("60 Tab presses never reached the first overall option; focus is on %s",
			eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	t.Logf("%d Tab presses reach the overall rating", tabs)
	if outline := eval[string](t, ctx, `getComputedStyle(document.activeElement.closest('label')).outlineStyle`); outline == "none" {
		t.Error("the focused overall option shows no focus outline")
	}
	do(t, ctx, chromedp.KeyEvent(" "))
	if v := eval[string](t, ctx, `(document.querySelector('#q-overall input:checked') || {value: ''}).value`); v != "1" {
		t.Fatalf("after Space on the first overall option, checked value is %q, want 1", v)
	}
}

func TestShortCodeEntry(t *testing.T) {
	e := newEnv(t)
	tk := e.issue("H48-260331-0105", http.StatusCreated)
	ctx := browse(t)
	typed := strings.ToLower(tk.ShortCode[:4] + "-" + tk.ShortCode[4:])

	do(t, ctx, testkit.Viewport(phoneWidth, phoneHeight), testkit.AcceptLanguage(vietnamese), testkit.DisableJavaScript(),
		chromedp.Navigate(e.base+"/s"),
		chromedp.SendKeys(chromedp.ID("code"), typed),
	)
	if status := submit(t, ctx); status != http.StatusOK {
		t.Fatalf("short code %q: status %d, want the survey", typed, status)
	}
	text(t, ctx, `#q-overall`)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, e.base+"/s/"+tk.Token) {
		t.Errorf("short code %q led to %s, want the survey of its ticket", typed, loc)
	}
	if ticket := text(t, ctx, `.ticket-fold summary`); !strings.Contains(ticket, "H48-260331-0105") {
		t.Errorf("survey reached by short code shows another dossier: %q", ticket)
	}
}
