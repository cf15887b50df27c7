package app

import (
	"math"
	"runtime/debug"
	"sync/atomic"

	"github.com/bytedance/gopkg/util/gctuner"
)

// The collector's pace. Go collects whenever the heap has doubled since its last collection.
// A server with little data live (tens of MB: the hot tickets, the figures of a small
// province) then collects many times a second under load, most of it in the embedded store's
// own garbage, and those collections take CPU from the requests and slow the store's single
// writer. TuneGC sets a heap floor instead: the collector lets the heap grow to it before
// running, at a pace of up to 500% while little is live and down to 50% once the live heap
// nears the floor, so the heap stays near the floor or 1.5 times the live data, whichever is
// more.

// heapFloor is the heap the collector lets grow before collecting. At ten million responses
// (after the day buckets load, 130–180 MB live) it is about the runtime's usual doubling.
const heapFloor = 256 << 20

// TuneGC sets the heap floor for a server process and returns it: heapFloor, or half the
// soft memory limit (GOMEMLIMIT) when that is lower. With GOGC set it leaves the pace to it
// and returns 0.
func TuneGC(getenv func(string) string) uint64 {
	floor := gcFloor(getenv("GOGC"), debug.SetMemoryLimit(-1))
	if floor > 0 {
		gctuner.Tuning(floor)
		floorTuned.Store(true)
	}
	return floor
}

// gcFloor is the heap floor for an operator's GOGC setting and the soft memory limit.
func gcFloor(gogc string, memLimit int64) uint64 {
	if gogc != "" {
		return 0
	}
	floor := uint64(heapFloor)
	if memLimit > 0 && memLimit < math.MaxInt64 {
		floor = min(floor, uint64(memLimit)/2)
	}
	return floor
}

// loadGCPercent is the collector's pace while the day buckets load, unless the heap floor
// tunes it: at a million responses (157,426 day buckets, 2 vCPU) it took the peak resident
// memory from 453 MB to 316 MB and the load from 33 s to 40 s. The floor's tuning comes to the
// same pace by itself, down to 50% as the live heap nears the floor.
const loadGCPercent = 50

// floorTuned records that TuneGC set a heap floor: the pace is then the tuning's alone.
var floorTuned atomic.Bool

// loadingPace sets the collector's pace for the day buckets' load and returns what gives the
// pace before it back: loadGCPercent unless GOGC is lower or off, or nothing with the heap
// floor, whose tuning would set the pace again after the next collection.
func loadingPace() (restore func()) {
	if floorTuned.Load() {
		return func() {}
	}
	return lowerGCPercent(loadGCPercent)
}

// lowerGCPercent sets the collector's pace to percent unless it is already lower or off
// (GOGC), and returns what gives the pace before it back.
func lowerGCPercent(percent int) (restore func()) {
	prev := debug.SetGCPercent(percent)
	if prev < percent { // lower, or off (-1)
		debug.SetGCPercent(prev)
	}
	return func() { debug.SetGCPercent(prev) }
}
