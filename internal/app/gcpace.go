package app

import (
	"math"
	"runtime/debug"

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
// (after the day buckets load, 130–180 MB live) it is the runtime's usual doubling; the peak
// while they load is held by loadGCPercent.
const heapFloor = 256 << 20

// TuneGC sets the heap floor for a server process and returns it: heapFloor, or half the
// soft memory limit (GOMEMLIMIT) when that is lower. With GOGC set it leaves the pace to it
// and returns 0.
func TuneGC(getenv func(string) string) uint64 {
	floor := gcFloor(getenv("GOGC"), debug.SetMemoryLimit(-1))
	if floor > 0 {
		gctuner.Tuning(floor)
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

// loadGCPercent is the collector's pace while the day buckets load. At a million responses
// (157,426 day buckets, 2 vCPU) it took the peak resident memory from 453 MB to 316 MB and the
// load from 33 s to 40 s.
const loadGCPercent = 50

// lowerGCPercent sets the collector's pace to percent unless it is already lower or off
// (GOGC), keeps the heap floor's tuning from raising it, and returns what gives both back.
func lowerGCPercent(percent int) (restore func()) {
	prevMax := gctuner.SetMaxGCPercent(uint32(percent))
	prev := debug.SetGCPercent(percent)
	if prev < percent { // lower, or off (-1)
		debug.SetGCPercent(prev)
	}
	return func() {
		gctuner.SetMaxGCPercent(prevMax)
		debug.SetGCPercent(prev)
	}
}
