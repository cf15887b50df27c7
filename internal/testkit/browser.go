package testkit

import (
	"context"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Browser starts headless Chromium (HAILONG_CHROMIUM, else chromium on PATH) with a fresh
// profile and returns the context of one tab; the browser is closed when t ends. A missing
// Chromium fails the test: browser tests are never skipped.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := chromiumPath(t)
	// chromedp's defaults only quieten the browser (no extensions, no pings, no auto-update);
	// the flags below add the ones that keep a closed-network test run off the network.
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(t.Logf))
	// The first run starts the browser; it gets no deadline, since a deadline here would end
	// the browser with it. Tests put their own deadlines on the contexts they derive.
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start %s: %v", path, err)
	}
	t.Cleanup(func() {
		closeCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		defer stop()
		_ = chromedp.Cancel(closeCtx) // close gracefully so the profile directory can be removed
		cancel()
		cancelAlloc()
	})
	return ctx
}

func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HAILONG_CHROMIUM"); p != "" {
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("Chromium is needed for the browser tests: install it (apt-get install chromium) or set HAILONG_CHROMIUM to its path: %v", err)
	}
	return p
}

// Viewport emulates a phone screen of w×h CSS pixels: a mobile viewport with touch input.
func Viewport(w, h int) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(int64(w), int64(h), chromedp.EmulateMobile, chromedp.EmulateTouch)
}

// AcceptLanguage makes the tab ask for pages in the given languages (an Accept-Language
// value), as a phone set to that language does; headless Chromium asks for en-US otherwise.
func AcceptLanguage(languages string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": languages},
		})
		return err
	})
}

// DisableJavaScript stops the page's own scripts from running, as for a citizen who turned
// JavaScript off. Evaluations sent through the DevTools protocol still run.
func DisableJavaScript() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

// NetLog records what a tab fetches: every request URL and the bytes received on the wire,
// so tests can hold a page to its weight budget and to its own origin.
type NetLog struct {
	mu       sync.Mutex
	urls     []string
	pending  map[network.RequestID]bool
	received int64
}

// ListenNetwork starts recording the requests of the tab in ctx. Call it before navigating;
// call Reset between page loads to measure one load at a time.
func ListenNetwork(t testing.TB, ctx context.Context) *NetLog {
	t.Helper()
	n := &NetLog{pending: map[network.RequestID]bool{}}
	err := chromedp.Listen(ctx, func(ev any) {
		n.mu.Lock()
		defer n.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.RedirectResponse == nil { // a redirect goes on under the same request ID
				n.pending[ev.RequestID] = true
			}
			n.urls = append(n.urls, ev.Request.URL+ev.Request.URLFragment)
		case *network.EventLoadingFinished:
			delete(n.pending, ev.RequestID)
			n.received += int64(ev.EncodedDataLength)
		case *network.EventLoadingFailed:
			delete(n.pending, ev.RequestID)
		}
	})
	if err != nil {
		t.Fatalf("listen to network events: %v", err)
	}
	return n
}

// URLs returns the URL of every request since the last Reset, redirects included.
func (n *NetLog) URLs() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.urls...)
}

// EncodedBytes returns the bytes received since the last Reset as they came over the
// network (compressed, headers included), for the requests that have finished.
func (n *NetLog) EncodedBytes() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.received
}

// Reset forgets everything recorded so far.
func (n *NetLog) Reset() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.urls, n.received = nil, 0
	clear(n.pending)
}

// WaitIdle waits until every request recorded so far has finished or failed, so that
// EncodedBytes counts the whole page load.
func (n *NetLog) WaitIdle(ctx context.Context) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		n.mu.Lock()
		idle := len(n.pending) == 0
		n.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
