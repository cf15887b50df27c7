package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/survey"
	"github.com/hailong/hailong/internal/testkit"
)

// A 10-inch tablet in both orientations, CSS pixels.
const (
	tabletLong  = 1280
	tabletShort = 800
	minFace     = 120 // CSS px, the smallest face drawing readable at arm's length
)

// waitJS waits up to d for expression to be true in the page.
func waitJS(t *testing.T, ctx context.Context, what, expression string, d time.Duration) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expression, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(d))); err != nil {
		t.Fatalf("waiting %v for %s: %v; screen %q, banner %q", d, what, err,
			eval[string](t, ctx, `document.body.dataset.view || ''`), eval[string](t, ctx, `document.getElementById('k-net').textContent`))
	}
}

// tap taps the element matching css once the screen has settled: the kiosk takes a tap in the
// first 400 ms of a screen for the tail of a double tap on the screen before.
func tap(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	time.Sleep(450 * time.Millisecond)
	do(t, ctx, chromedp.Click(chromedp.CSS(css)))
}

// cdpDo sends one DevTools command to the tab.
func cdpDo[P, R any](t *testing.T, ctx context.Context, cmd cdp.Command[P, R], params P) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cmd, params)
		return err
	}))
	if err != nil {
		t.Fatalf("%s: %v", cmd.Method, err)
	}
}

// setOffline cuts the tab off the network, or brings it back, as the tablet's Wi-Fi would.
func setOffline(t *testing.T, ctx context.Context, offline bool) {
	t.Helper()
	conditions := []*network.Conditions{}
	if offline {
		conditions = append(conditions, &network.Conditions{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
	}
	cdpDo(t, ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conditions})
	cdpDo(t, ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
}

// kioskTarget is something a citizen taps on the kiosk, or a face drawing.
type kioskTarget struct {
	Name                          string
	Width, Height, Bottom, Right  float64
	FontSize                      float64
	ViewportWidth, ViewportHeight float64
	DocumentWidth, DocumentHeight float64
}

const measureKiosk = `(() => {
	const vis = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
	const doc = document.documentElement;
	return [...document.querySelectorAll('button, a, textarea, .face svg')].filter(vis).map(el => {
		const r = el.getBoundingClientRect();
		const label = el.matches('svg') ? 'face drawing ' + el.closest('.face').dataset.rating
			: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + [...el.classList].join('.') + ' "' + el.textContent.trim().slice(0, 24) + '"';
		return {Name: label, Width: r.width, Height: r.height, Bottom: r.bottom, Right: r.right,
			FontSize: parseFloat(getComputedStyle(el.matches('.face') ? el.querySelector('.flabel') : el).fontSize),
			ViewportWidth: innerWidth, ViewportHeight: innerHeight, DocumentWidth: doc.scrollWidth, DocumentHeight: doc.scrollHeight};
	});
})()`

// checkTargets holds the visible screen to the kiosk's sizes: targets of 48 px and more, faces of
// 120 px and more with labels of 20 px type, all on screen without scrolling sideways.
func checkTargets(t *testing.T, ctx context.Context, where string, wantFaces int) {
	t.Helper()
	targets := eval[[]kioskTarget](t, ctx, measureKiosk)
	faces, drawings := 0, 0
	for _, x := range targets {
		switch {
		case strings.HasPrefix(x.Name, "face drawing"):
			drawings++
			if x.Width < minFace || x.Height < minFace {
				t.Errorf("%s: %s is %.0f×%.0f px, want at least %d×%d", where, x.Name, x.Width, x.Height, minFace, minFace)
			}
			if x.Bottom > x.ViewportHeight || x.Right > x.ViewportWidth {
				t.Errorf("%s: %s ends at %.0f,%.0f, off the %.0f×%.0f screen", where, x.Name, x.Right, x.Bottom, x.ViewportWidth, x.ViewportHeight)
			}
		case x.Width < minTarget || x.Height < minTarget:
			t.Errorf("%s: %s is %.0f×%.0f px, want at least %d×%d", where, x.Name, x.Width, x.Height, minTarget, minTarget)
		}
		if strings.Contains(x.Name, ".face") {
			faces++
			if x.FontSize < 20 {
				t.Errorf("%s: %s label is %.0f px type, want at least 20 px at arm's length", where, x.Name, x.FontSize)
			}
		}
		if x.DocumentWidth > x.ViewportWidth {
			t.Errorf("%s: the page is %.0f px wide on a %.0f px screen", where, x.DocumentWidth, x.ViewportWidth)
		}
	}
	if faces != wantFaces || drawings != wantFaces {
		t.Errorf("%s: %d faces with %d drawings visible, want %d", where, faces, drawings, wantFaces)
	}
	t.Logf("%s: %d touch targets checked", where, len(targets))
}

// kioskResponses counts the responses stored from kiosks.
func (e *env) kioskResponses() int64 {
	n, err := e.db.DB.Collection("responses").CountDocuments(context.Background(), bson.D{{Key: "source", Value: "kiosk"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// waitStored waits for the response to token to be in the store.
func (e *env) waitStored(token string, d time.Duration) *survey.Response {
	e.t.Helper()
	deadline := time.Now().Add(d)
	for {
		if r, ok := e.storedResponse(token); ok {
			return r
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no response stored for the dossier within %v", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rateOnScreen waits for the dossier to show, taps face rating and, when given, a reason.
func rateOnScreen(t *testing.T, ctx context.Context, e *env, dossier string, rating int, reason string) string {
	t.Helper()
	onScreen := fmt.Sprintf(`document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'dossier' && document.getElementById('d-code').textContent === %q`, dossier)
	// The page notes the moment the dossier shows, so the test's polling does not count.
	eval[bool](t, ctx, `(() => { window.__shownAt = 0; const o = new MutationObserver(() => {
		if (`+onScreen+`) { window.__shownAt = Date.now(); o.disconnect(); } });
		o.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true}); return true; })()`)
	start := time.Now()
	tk := e.issueAt(dossier, "c1")
	issued := time.Since(start)
	waitJS(t, ctx, "the dossier on the kiosk", onScreen, 3*time.Second)
	shown := time.UnixMilli(eval[int64](t, ctx, `window.__shownAt`)).Sub(start)
	t.Logf("dossier %s on the kiosk screen %v after the ticket API call started (the call took %v)", dossier, shown.Round(time.Millisecond), issued.Round(time.Millisecond))
	if shown > time.Second {
		t.Errorf("the faces appeared %v after the dossier was completed, want within a second", shown)
	}
	tap(t, ctx, fmt.Sprintf(`.face.f%d`, rating))
	if rating >= 4 { // one tap stores a 4 or 5 and thanks the citizen
		waitJS(t, ctx, "the thank-you screen after one tap", `document.body.dataset.view === 'thanks'`, 2*time.Second)
		return tk.Token
	}
	waitJS(t, ctx, "the reasons screen", `document.body.dataset.view === 'details' && !document.getElementById('reasons').hidden`, 2*time.Second)
	if reason != "" {
		tap(t, ctx, fmt.Sprintf(`.chip[data-value=%q]`, reason))
		if eval[string](t, ctx, fmt.Sprintf(`document.querySelector('.chip[data-value=%q]').getAttribute('aria-pressed')`, reason)) != "true" {
			t.Fatalf("tapping the reason %q did not select it", reason)
		}
	}
	return tk.Token
}

func submitOnScreen(t *testing.T, ctx context.Context) {
	t.Helper()
	tap(t, ctx, "#k-submit")
	waitJS(t, ctx, "the thank-you screen", `document.body.dataset.view === 'thanks'`, 2*time.Second)
	if h := eval[string](t, ctx, `document.getElementById('thanks-h').textContent`); h != "Cảm ơn Ông/Bà đã đánh giá!" {
		t.Errorf("thank-you heading %q", h)
	}
}

func TestKioskTabletInABrowser(t *testing.T) {
	e := newEnv(t)
	admin := e.signInAdmin()
	admin.post("/admin/units", url.Values{"code": {testAgency}, "name": {"UBND phường Thử"}}, http.StatusSeeOther)
	admin.post("/admin/counters", url.Values{"agency": {testAgency}, "code": {"c1"}, "name": {"Quầy tiếp nhận 1"}}, http.StatusSeeOther)
	e.allowFreeRatings(true) // the idle faces are tried too; TestKioskWaitsForADossier has them off
	ctx, cancel := context.WithTimeout(testkit.Browser(t), 3*time.Minute)
	defer cancel()
	netlog := testkit.ListenNetwork(t, ctx)

	// Pairing: the tablet shows a code, an admin enters it, the tablet turns to its idle screen.
	do(t, ctx, testkit.Viewport(tabletLong, tabletShort), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/kiosk"))
	waitJS(t, ctx, "a pairing code", `/^[2-9A-Z]{3}-[2-9A-Z]{3}$/.test(document.getElementById('pair-code').textContent)`, 5*time.Second)
	code := eval[string](t, ctx, `document.getElementById('pair-code').textContent`)
	if status, body := e.adminPair(code, "c1"); status != http.StatusOK {
		t.Fatalf("admin pairing with %q: %d %s", code, status, body)
	}
	waitJS(t, ctx, "the idle screen, connected", `document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'idle' && document.body.dataset.stream === 'open'`, 5*time.Second)
	// The header names the office and the counter, not the device ("Quầy c1") or the code.
	if c := eval[string](t, ctx, `document.getElementById('k-counter').textContent`); c != "UBND phường Thử · Quầy tiếp nhận 1" {
		t.Errorf("the kiosk header reads %q, want the office and counter names", c)
	}
	labels := eval[[]string](t, ctx, `[...document.querySelectorAll('.face .flabel')].map(l => l.textContent)`)
	if strings.Join(labels, "|") != "Rất không hài lòng|Không hài lòng|Bình thường|Hài lòng|Rất hài lòng" {
		t.Errorf("face labels %q", labels)
	}

	// Sizes in both orientations, on the faces and on the reasons screen.
	checkTargets(t, ctx, "landscape, faces", 5)
	do(t, ctx, testkit.Viewport(tabletShort, tabletLong))
	checkTargets(t, ctx, "portrait, faces", 5)
	// By keyboard: the heading has the focus, the first face is one Tab away; Enter picks it.
	time.Sleep(450 * time.Millisecond)
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	if !eval[bool](t, ctx, `document.activeElement === document.querySelector('.face.f1')`) {
		t.Fatalf("one Tab from the heading lands on %s, want the first face", eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
	}
	if outline := eval[string](t, ctx, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
		t.Error("the focused face shows no focus outline")
	}
	do(t, ctx, chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, "the reasons", `document.body.dataset.view === 'details' && !document.getElementById('reasons').hidden`, 2*time.Second)
	checkTargets(t, ctx, "portrait, reasons", 0)
	do(t, ctx, testkit.Viewport(tabletLong, tabletShort))
	checkTargets(t, ctx, "landscape, reasons", 0)
	tap(t, ctx, "#k-back")
	waitJS(t, ctx, "back to the faces", `document.body.dataset.view === 'rate'`, 2*time.Second)

	// A dossier completed at the counter: faces within a second, a negative answer, a reason. A
	// first ticket elsewhere creates the store's collections, as a store in service has them.
	e.issueAt("H48-260331-0000", "c9")
	token := rateOnScreen(t, ctx, e, "H48-260331-0001", 2, "waiting")
	submitOnScreen(t, ctx)
	r := e.waitStored(token, 3*time.Second)
	if r.Overall != 2 || fmt.Sprint(r.Answers["reasons"]) != "[waiting]" || r.Channel != survey.ChannelKiosk || r.Misuse {
		t.Fatalf("stored %+v", r)
	}
	start := time.Now()
	waitJS(t, ctx, "the idle screen after the thanks", `document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'idle'`, 9*time.Second)
	t.Logf("back to idle %v after the thank-you screen was seen", time.Since(start).Round(100*time.Millisecond))

	// The next citizen sees none of the previous one's choice.
	if eval[bool](t, ctx, `document.querySelector('.chip[aria-pressed="true"]') !== null || document.getElementById('chosen').textContent !== ''`) {
		t.Error("the previous citizen's reason or rating is still on the tablet")
	}

	// One tap on a 5 stores it and thanks; the tablet is back to idle about 5 s later.
	token = rateOnScreen(t, ctx, e, "H48-260331-0005", 5, "")
	if r := e.waitStored(token, 3*time.Second); r.Overall != 5 {
		t.Fatalf("one tap on 5 stored %+v", r)
	}
	start = time.Now()
	waitJS(t, ctx, "the idle screen after a one-tap rating", `document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'idle'`, 8*time.Second)
	t.Logf("back to idle %v after the one-tap thanks was seen", time.Since(start).Round(100*time.Millisecond))

	// Offline: the dossier arrived, the network drops before the citizen sends.
	token = rateOnScreen(t, ctx, e, "H48-260331-0002", 3, "")
	setOffline(t, ctx, true)
	submitOnScreen(t, ctx)
	waitJS(t, ctx, "the offline banner with one rating waiting", `(() => { const b = document.getElementById('k-net');
		return getComputedStyle(b).display !== 'none' && b.dataset.waiting === '1' && b.textContent.includes('1 đánh giá đang chờ gửi'); })()`, 3*time.Second)
	if role := eval[string](t, ctx, `document.getElementById('k-net').getAttribute('role')`); role != "status" {
		t.Errorf("banner role %q, want status", role)
	}
	time.Sleep(500 * time.Millisecond)
	if _, ok := e.storedResponse(token); ok {
		t.Fatal("stored while the tablet was offline: the test is not looking at an offline tablet")
	}
	setOffline(t, ctx, false)
	waitJS(t, ctx, "the queue to empty once online", `document.getElementById('k-net').dataset.waiting === '0'`, 10*time.Second)
	r = e.waitStored(token, time.Second)
	if r.Overall != 3 || kiosk.IdempotencyKeyOf(r.Nonce) == "" {
		t.Fatalf("stored after coming back online: %+v", r)
	}
	if n := e.kioskResponses(); n != 3 {
		t.Fatalf("%d kiosk responses stored, want 3", n)
	}

	// The answer to a sent rating is lost on the way back: the retry is stored once.
	var mu sync.Mutex
	var answers []string
	if err := chromedp.Listen(ctx, func(ev any) {
		p, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		mu.Lock()
		first := len(answers) == 0
		answers = append(answers, fmt.Sprint(p.ResponseStatusCode))
		mu.Unlock()
		go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error { //nolint:errcheck // the test checks the outcome
			if first {
				_, err := cdp.Call(ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: p.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
				return err
			}
			_, err := cdp.Call(ctx, tg, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: p.RequestID})
			return err
		}))
	}); err != nil {
		t.Fatal(err)
	}
	cdpDo(t, ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/api/v1/kiosk/responses", RequestStage: fetch.RequestStageResponse}}})
	waitJS(t, ctx, "the idle screen", `document.body.dataset.view === 'rate'`, 9*time.Second)
	token = rateOnScreen(t, ctx, e, "H48-260331-0003", 4, "")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(answers)
		mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
	}
	waitJS(t, ctx, "the retried rating to leave the queue", `document.getElementById('k-net').dataset.waiting === '0'`, 10*time.Second)
	cdpDo(t, ctx, fetch.Disable, cdp.Empty{})
	mu.Lock()
	t.Logf("server answers seen by the tablet for the rating whose first answer was lost: %v", answers)
	if len(answers) != 2 || answers[0] != "201" || answers[1] != "200" {
		t.Errorf("server answered %v, want 201 (lost on the way) then 200 already stored", answers)
	}
	mu.Unlock()
	if n := e.kioskResponses(); n != 4 {
		t.Fatalf("%d kiosk responses stored, want 4", n)
	}
	e.waitStored(token, time.Second)

	// Closing the page with a rating still queued loses nothing: it is sent after reopening.
	cdpDo(t, ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{{URLPattern: e.base + "/api/v1/kiosk/responses", Block: true}}})
	waitJS(t, ctx, "the idle screen", `document.body.dataset.view === 'rate'`, 9*time.Second)
	token = rateOnScreen(t, ctx, e, "H48-260331-0004", 3, "")
	submitOnScreen(t, ctx)
	waitJS(t, ctx, "one rating queued", `document.getElementById('k-net').dataset.waiting === '1'`, 3*time.Second)
	do(t, ctx, chromedp.Reload())
	waitJS(t, ctx, "the queued rating after reopening", `document.getElementById('k-net').dataset.waiting === '1' && document.body.dataset.view === 'rate'`, 5*time.Second)
	if mode := eval[string](t, ctx, `document.getElementById('s-rate').dataset.mode`); mode != "idle" {
		t.Errorf("after reopening, the kiosk asks again about the dossier already rated on it (mode %q)", mode)
	}
	if _, ok := e.storedResponse(token); ok {
		t.Fatal("stored while blocked: the test is not looking at a queued rating")
	}
	cdpDo(t, ctx, network.SetBlockedURLs, network.SetBlockedURLsParams{URLPatterns: []*network.BlockPattern{}})
	waitJS(t, ctx, "the queue to empty", `document.getElementById('k-net').dataset.waiting === '0'`, 20*time.Second)
	e.waitStored(token, time.Second)
	if n := e.kioskResponses(); n != 5 {
		t.Fatalf("%d kiosk responses stored, want 5", n)
	}

	// A rating queued before the upgrade to dossier references carries the survey token: after
	// the upgrade the tablet sends it as it is, and it is stored under its dossier.
	legacy := e.issueAt("H48-260331-0007", "c1")
	queueJS := fmt.Sprintf(`new Promise((resolve, reject) => {
		const req = indexedDB.open('hailong-kiosk', 1);
		req.onsuccess = () => {
			const tx = req.result.transaction('ratings', 'readwrite');
			tx.objectStore('ratings').put({idempotency_key: 'legacy-0001', token: %q, answers: {overall: 4}, comment: '',
				rated_at: %q, lang: 'vi', queued_at: Date.now()});
			tx.oncomplete = () => resolve(true);
			tx.onerror = () => reject(tx.error);
		};
		req.onerror = () => reject(req.error);
	})`, legacy.Token, e.clock().Format(time.RFC3339))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](queueJS, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("queue a pre-upgrade rating: %v", err)
	}
	do(t, ctx, chromedp.Reload())
	waitJS(t, ctx, "the pre-upgrade rating to leave the queue", `document.getElementById('k-net').dataset.waiting === '0' && document.body.dataset.view === 'rate'`, 20*time.Second)
	if r := e.waitStored(legacy.Token, 3*time.Second); r.Overall != 4 || r.Channel != survey.ChannelKiosk {
		t.Fatalf("the pre-upgrade rating stored as %+v", r)
	}

	// A citizen who switched to English: after the thanks the tablet is Vietnamese again.
	do(t, ctx, chromedp.Navigate(e.base+"/kiosk?lang=en"))
	waitJS(t, ctx, "the English idle screen", `document.documentElement.lang === 'en' && document.body.dataset.view === 'rate' && document.body.dataset.stream === 'open'`, 5*time.Second)
	rateOnScreen(t, ctx, e, "H48-260331-0006", 4, "")
	time.Sleep(6 * time.Second) // the thanks, then the tablet reloads itself in Vietnamese
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#s-rate`)))
	waitJS(t, ctx, "the Vietnamese idle screen after the thanks", `document.documentElement.lang === 'vi' && document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'idle'`, 10*time.Second)

	for _, u := range netlog.URLs() {
		if !strings.HasPrefix(u, e.base+"/") {
			t.Errorf("request to another origin: %s", u)
		}
	}
}

// TestKioskWaitsForADossier: with ratings without a dossier off (the default), a paired tablet
// shows no faces until a dossier is returned at its counter, and asks the citizen to wait; the
// screen passes axe.
func TestKioskWaitsForADossier(t *testing.T) {
	e := newEnv(t)
	admin := e.signInAdmin()
	admin.post("/admin/units", url.Values{"code": {testAgency}, "name": {"UBND phường Thử"}}, http.StatusSeeOther)
	admin.post("/admin/counters", url.Values{"agency": {testAgency}, "code": {"c1"}, "name": {"Quầy tiếp nhận 1"}}, http.StatusSeeOther)
	ctx := browse(t)
	do(t, ctx, testkit.Viewport(tabletLong, tabletShort), testkit.AcceptLanguage(vietnamese), chromedp.Navigate(e.base+"/kiosk"))
	waitJS(t, ctx, "a pairing code", `/^[2-9A-Z]{3}-[2-9A-Z]{3}$/.test(document.getElementById('pair-code').textContent)`, 5*time.Second)
	if status, body := e.adminPair(eval[string](t, ctx, `document.getElementById('pair-code').textContent`), "c1"); status != http.StatusOK {
		t.Fatalf("admin pairing: %d %s", status, body)
	}
	waitJS(t, ctx, "the waiting screen", `document.body.dataset.view === 'rate' && document.getElementById('s-rate').dataset.mode === 'wait'`, 5*time.Second)
	if n := eval[int](t, ctx, `[...document.querySelectorAll('.face')].filter(f => f.getBoundingClientRect().height > 0).length`); n != 0 {
		t.Errorf("with ratings without a dossier off, %d faces are shown before any dossier", n)
	}
	if h := text(t, ctx, `#rate-h`); h != "Xin chào Ông/Bà" {
		t.Errorf("the waiting screen's heading reads %q", h)
	}
	if found := testkit.Axe(t, ctx); len(found) > 0 {
		t.Errorf("the waiting screen: axe violations %q", found)
	}
}
