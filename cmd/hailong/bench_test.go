package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// TestBenchSmoke runs every phase with tiny numbers against a real server child and checks the
// report has each section and that every issued ticket's response was accepted.
func TestBenchSmoke(t *testing.T) {
	t.Setenv(runMainEnv, "1")
	args := []string{"--tickets", "200", "--clients", "8", "--rate", "50", "--rate-seconds", "1",
		"--stats-scales", "2000", "--store-for", "500ms", "--qr-for", "200ms"}
	var out, progress bytes.Buffer
	noEnv := func(string) string { return "" }
	if err := benchCmd(context.Background(), args, noEnv, &out, &progress); err != nil {
		t.Fatalf("bench: %v\nreport:\n%s\nstderr:\n%s", err, out.String(), progress.String())
	}
	report := out.String()
	for _, section := range []string{"== Machine", "== Server", "== Issue tickets", "== Submit responses",
		"== Fixed rate", "== Store limit", "== QR codes", "== Stats query: 2000 responses"} {
		if !strings.Contains(report, section) {
			t.Errorf("report lacks section %q", section)
		}
	}
	m := regexp.MustCompile(`(?m)^accepted: (\d+) of (\d+) \(201\)`).FindStringSubmatch(report)
	if m == nil || m[1] != "200" || m[2] != "200" {
		t.Errorf("accepted submissions %v, want 200 of 200 tickets", m)
	}
	if t.Failed() {
		t.Logf("report:\n%s", report)
	}
}
