package app

import (
	"runtime/debug"
	"testing"
)

// An operator's GOGC below the loading pace, or off, is kept while the day buckets load; the
// default is lowered for the load and given back after it.
func TestLoadingPaceKeepsALowerOrOffSetting(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct{ set, during int }{{100, loadGCPercent}, {200, loadGCPercent}, {20, 20}, {-1, -1}} {
		debug.SetGCPercent(tc.set)
		prev := lowerGCPercent(loadGCPercent)
		during := debug.SetGCPercent(prev)
		if prev != tc.set || during != tc.during {
			t.Errorf("GOGC %d: %d while loading and %d given back, want %d and %d", tc.set, during, prev, tc.during, tc.set)
		}
		if now := debug.SetGCPercent(tc.set); now != tc.set {
			t.Errorf("GOGC %d: %d after the load", tc.set, now)
		}
	}
}
