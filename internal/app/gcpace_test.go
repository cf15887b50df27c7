package app

import (
	"math"
	"runtime/debug"
	"testing"

	"github.com/bytedance/gopkg/util/gctuner"
)

// An operator's GOGC below the loading pace, or off, is kept while the day buckets load; the
// default is lowered for the load and given back after it, and the heap floor's tuning cannot
// raise it meanwhile.
func TestLoadingPaceKeepsALowerOrOffSetting(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	tunerMax := gctuner.GetMaxGCPercent()
	for _, tc := range []struct{ set, during int }{{100, loadGCPercent}, {200, loadGCPercent}, {20, 20}, {-1, -1}} {
		debug.SetGCPercent(tc.set)
		restore := lowerGCPercent(loadGCPercent)
		if got := gctuner.GetMaxGCPercent(); got != loadGCPercent {
			t.Errorf("GOGC %d: the tuning may raise the pace to %d while loading", tc.set, got)
		}
		during := debug.SetGCPercent(-1)
		debug.SetGCPercent(during)
		restore()
		if during != tc.during {
			t.Errorf("GOGC %d: %d while loading, want %d", tc.set, during, tc.during)
		}
		if now := debug.SetGCPercent(tc.set); now != tc.set {
			t.Errorf("GOGC %d: %d after the load", tc.set, now)
		}
		if got := gctuner.GetMaxGCPercent(); got != tunerMax {
			t.Errorf("GOGC %d: the tuning's ceiling is %d after the load, want %d back", tc.set, got, tunerMax)
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
