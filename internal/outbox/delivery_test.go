package outbox

import (
	"errors"
	"testing"
	"time"
)

// The waits: 15 s, 30 s, 1 min, … doubling to 3 h, each spread by ±25%.
func TestBackoffDoublesToThreeHours(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 15 * time.Second, 2: 30 * time.Second, 3: time.Minute, 10: 128 * time.Minute, 11: 3 * time.Hour, 40: 3 * time.Hour} {
		if got := Backoff(n, 0.5); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
		if lo, hi := Backoff(n, 0), Backoff(n, 1); lo != want*3/4 || hi != want*5/4 {
			t.Errorf("Backoff(%d) spreads %s..%s, want ±25%% of %s", n, lo, hi, want)
		}
	}
}

// A delivery failing for a day is dead, and an invitation's address goes once it is sent or
// given up; until then it waits for its next attempt.
func TestSettleRetriesForADay(t *testing.T) {
	start := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	d := Delivery{CreatedAt: start, Status: StatusPending, Address: []byte("sealed")}
	settle(&d, 3, start.Add(2*time.Hour), Outcome{Status: 503, Err: errors.New("HTTP 503")}, time.Hour)
	if d.Status != StatusPending || !d.NextAt.Equal(start.Add(3*time.Hour)) || d.Address == nil || d.Attempts != 3 {
		t.Fatalf("after a failure within the day: %+v", d)
	}
	settle(&d, 12, start.Add(23*time.Hour), Outcome{Err: errors.New("no answer")}, 2*time.Hour)
	if d.Status != StatusDead || d.Address != nil {
		t.Fatalf("a retry past the day: %+v; want dead, address erased", d)
	}
	resent := start.Add(30 * time.Hour)
	d.ResentAt, d.Status = &resent, StatusPending
	settle(&d, 13, resent.Add(time.Minute), Outcome{Err: errors.New("no answer")}, time.Hour)
	if d.Status != StatusPending {
		t.Fatalf("a resent delivery gets a new day of retries: %+v", d)
	}
	settle(&d, 14, resent.Add(2*time.Hour), Outcome{Status: 204}, time.Hour)
	if d.Status != StatusDelivered || d.LastError != "" {
		t.Fatalf("success: %+v", d)
	}
}
