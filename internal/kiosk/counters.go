package kiosk

import (
	"context"
	"sync"
	"time"
)

// kioskCountersFor is how long the set of counters with a paired tablet is trusted before it is
// read again. A tablet paired on another instance is known here at most this late; one paired
// through this instance is known at once.
const kioskCountersFor = 5 * time.Second

// kioskCounters caches which counters have a paired, unrevoked tablet, so issuing tickets keeps
// a current dossier only where a tablet can ask for it: each counter's current dossier is an
// update of its own on the store, and most counters have no tablet.
type kioskCounters struct {
	mu   sync.Mutex
	set  map[string]bool
	read time.Time
}

// withKiosk returns the counters with a paired tablet, read from the store when the cached set
// is older than kioskCountersFor.
func (s *Service) withKiosk(ctx context.Context) (map[string]bool, error) {
	k := &s.counters
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set != nil && time.Since(k.read) < kioskCountersFor {
		return k.set, nil
	}
	counters, err := s.Devices.PairedCounters(ctx)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(counters))
	for _, c := range counters {
		set[c] = true
	}
	k.set, k.read = set, time.Now()
	return set, nil
}

// forgetKioskCounters makes the next issue read the counters with a tablet again.
func (s *Service) forgetKioskCounters() {
	s.counters.mu.Lock()
	s.counters.set = nil
	s.counters.mu.Unlock()
}
