package testkit

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// Axe runs axe-core on the page open in ctx and returns its serious and critical violations,
// one line each (rule, then the elements). The script comes from HAILONG_AXE, the path of
// axe.min.js that test.sh installs from the npm registry; it is injected through the DevTools
// protocol, so the page loads nothing and its own CSP is untouched. A missing script fails the
// test: accessibility checks are never skipped.
func Axe(t testing.TB, ctx context.Context) []string {
	t.Helper()
	path := os.Getenv("HAILONG_AXE")
	if path == "" {
		t.Fatal("HAILONG_AXE is not set: run the tests through test.sh, which installs axe-core")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(src)+";true")); err != nil {
		t.Fatalf("load axe-core: %v", err)
	}
	const run = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
		.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', ')))`
	found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	return found
}
