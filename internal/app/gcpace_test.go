package app

import (
	"math"
	"runtime/debug"
	"testing"
)

// An operator's GOGC below the loading pace, or off, is kept while the day buckets load; the
// default is lowered for the load and given back after it.
func TestLoadingPaceKeepsALowerOrOffSetting(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct{ set, during int }{{100, loadGCPercent}, {200, loadGCPercent}, {20, 20}, {-1, -1}} {
		debug.SetGCPercent(tc.set)
		restore := lowerGCPercent(loadGCPercent)
		during := debug.SetGCPercent(-1)
		debug.SetGCPercent(during)
		restore()
		if during != tc.during {
			t.Errorf("GOGC %d: %d while loading, want %d", tc.set, during, tc.during)
		}
		if now := debug.SetGCPercent(tc.set); now != tc.set {
			t.Errorf("GOGC %d: %d after the load", tc.set, now)
		}
	}
}

// The heap floor is 256 MiB unless a soft memory limit under twice that calls for less, and
// an operator's GOGC turns it off.
func TestHeapFloorYieldsToGOGCAndTheMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		gogc  string
		limit int64
		want  uint64
	}{
		{"", math.MaxInt64, 256 << 20},
		{"", 450 << 20, 225 << 20},
		{"", 2 << 30, 256 << 20},
		{"100", math.MaxInt64, 0},
		{"off", 450 << 20, 0},
	} {
		if got := gcFloor(tc.gogc, tc.limit); got != tc.want {
			t.Errorf("GOGC=%q, memory limit %d: floor %d, want %d", tc.gogc, tc.limit, got, tc.want)
		}
	}
}
