package bench

import (
	"io"
	"slices"
	"testing"
	"time"
)

func TestFlagsRefuseWhatCannotRun(t *testing.T) {
	for _, args := range [][]string{
		{"--store-sync", "off"}, {"--clients", "0"}, {"--rate-seconds", "0"},
		{"--stats-scales", "10000,lots"}, {"--stats-scales", "0"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	f, err := parseFlags(nil, io.Discard)
	if err != nil || !slices.Equal(f.scales, []int{10000, 1000000, 10000000}) || f.clients != 64 {
		t.Errorf("defaults: %+v, %v", f, err)
	}
}

func TestPercentileIsNearestRank(t *testing.T) {
	var l latencies
	for i := 100; i >= 1; i-- {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := l.percentile(p); got != want {
			t.Errorf("p%v = %s, want %s", p, got, want)
		}
	}
	if got := (latencies{}).summary(); got != "no samples" {
		t.Errorf("empty summary %q", got)
	}
}

func TestErrorLineNamesEveryStatusButTheExpectedOne(t *testing.T) {
	tl := newTally()
	for status, n := range map[int]int{201: 5, 409: 3, 0: 1, -1: 2} {
		for range n {
			tl.add(status, time.Millisecond, time.Millisecond)
		}
	}
	if got, want := tl.errorLine(201), "unreadable answer: 2, no answer: 1, 409: 3"; got != want {
		t.Errorf("errorLine = %q, want %q", got, want)
	}
	if got := newTally().errorLine(201); got != "none" {
		t.Errorf("no errors: %q", got)
	}
}
