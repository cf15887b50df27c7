package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/testkit"
)

// TestHelpStartsNothing asks every command for help: each prints its usage and returns at once,
// without listening, opening the store or writing to the data directory.
func TestHelpStartsNothing(t *testing.T) {
	dir := t.TempDir()
	env := testkit.Env("HAILONG_DATA_DIR="+dir, fmt.Sprintf("HAILONG_ADDR=127.0.0.1:%d", testkit.FreePort(t)), "REDIS_URL=redis://127.0.0.1:1/0")
	cases := [][]string{{"--help"}, {"-h"}, {"help"}}
	for _, cmd := range []string{"serve", "demo", "apikey", "user", "rollup", "cases", "backup", "restore", "healthcheck", "bench"} {
		cases = append(cases, []string{cmd, "--help"}, []string{cmd, "-h"})
	}
	cases = append(cases, []string{"user", "create", "--help"}, []string{"rollup", "verify", "--help"}, []string{"apikey", "revoke", "--help"})
	for _, args := range cases {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var out, errOut bytes.Buffer
		start := time.Now()
		err := run(ctx, args, env, &out, &errOut)
		cancel()
		if err != nil || time.Since(start) > 2*time.Second {
			t.Errorf("hailong %v: %v after %v\n%s", args, err, time.Since(start).Round(time.Millisecond), errOut.String())
		}
		want := "Usage"
		if len(args) > 1 {
			want = args[0]
		}
		if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "Usage") {
			t.Errorf("hailong %v printed %q, want its usage", args, out.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("asking for help wrote %d entries to the data directory", len(entries))
	}
}
