package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/testkit"
)

// lockedBuffer collects a running command's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runUntil runs hailong with args in the background until it serves on base and ready(stdout)
// holds, then stops it as SIGTERM would and returns what it printed.
func runUntil(t *testing.T, env func(string) string, base string, ready func(out string) bool, args ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, env, &out, &errOut) }()
	deadline := time.Now().Add(3 * time.Minute)
	for !serving(base) || !ready(out.String()) {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("hailong %v ended early: %v\n%s\n%s", args, err, out.String(), errOut.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("hailong %v not ready in time:\n%s\n%s", args, out.String(), errOut.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("hailong %v: %v\n%s", args, err, errOut.String())
	}
	return out.String(), errOut.String()
}

func serving(base string) bool {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

var demoPassword = regexp.MustCompile(`sign in as admin with password: (\S+)`)

// TestSecondDemoKeepsTheFirstPassword runs `hailong demo` twice on one data directory: the
// second run prints no new password, says the first one stands, and the first one still signs in.
func TestSecondDemoKeepsTheFirstPassword(t *testing.T) {
	port := testkit.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := testkit.Env("HAILONG_DATA_DIR="+t.TempDir(), fmt.Sprintf("HAILONG_ADDR=127.0.0.1:%d", port), "HAILONG_BASE_URL="+base, "REDIS_URL="+testkit.RedisURL(t))
	listed := func(out string) bool { return strings.Contains(out, "or type a short code") }

	first, _ := runUntil(t, env, base, listed, "demo")
	m := demoPassword.FindStringSubmatch(first)
	if m == nil {
		t.Fatalf("the first demo printed no password:\n%s", first)
	}
	var second string
	runUntil(t, env, base, func(out string) bool {
		if !listed(out) {
			return false
		}
		second = out
		client := testkit.SignIn(t, base, "admin", m[1])
		resp, err := client.Get(base + "/dashboard")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Request.URL.Path != "/dashboard" {
			t.Errorf("the first demo's password no longer signs in (ended at %s)", resp.Request.URL.Path)
		}
		return true
	}, "demo")
	if demoPassword.MatchString(second) || !strings.Contains(second, "printed by the first demo run") {
		t.Errorf("the second demo should keep and point to the first password:\n%s", second)
	}
}

// TestServeWithoutUserSaysHowToCreateTheFirstAdmin starts `hailong serve` on an empty store
// without HAILONG_ADMIN_PASSWORD: its log says how to create the first admin.
func TestServeWithoutUserSaysHowToCreateTheFirstAdmin(t *testing.T) {
	port := testkit.FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	env := testkit.Env("HAILONG_DATA_DIR="+t.TempDir(), fmt.Sprintf("HAILONG_ADDR=127.0.0.1:%d", port), "REDIS_URL="+testkit.RedisURL(t))
	_, log := runUntil(t, env, base, func(string) bool { return true }, "serve")
	for _, want := range []string{"no user exists yet", "HAILONG_ADMIN_PASSWORD", "hailong user create --name admin --role admin"} {
		if !strings.Contains(log, want) {
			t.Errorf("the start-up log lacks %q:\n%s", want, log)
		}
	}
	withPassword := testkit.Env("HAILONG_DATA_DIR="+t.TempDir(), fmt.Sprintf("HAILONG_ADDR=127.0.0.1:%d", port), "REDIS_URL="+testkit.RedisURL(t), "HAILONG_ADMIN_PASSWORD=mật-khẩu-quản-trị")
	if _, log := runUntil(t, withPassword, base, func(string) bool { return true }, "serve"); strings.Contains(log, "no user exists yet") {
		t.Errorf("with HAILONG_ADMIN_PASSWORD the log still says there is no user:\n%s", log)
	}
}
