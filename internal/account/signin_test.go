package account

import (
	"testing"
	"time"
)

func TestSignInDelayGrowsAndIsCapped(t *testing.T) {
	now := time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		count int
		ago   time.Duration
		want  time.Duration
	}{
		{0, 0, 0},
		{FreeSignInFailures - 1, 0, 0},
		{FreeSignInFailures, 0, time.Second},
		{FreeSignInFailures + 1, 0, 2 * time.Second},
		{FreeSignInFailures + 4, 10 * time.Second, 6 * time.Second},
		{FreeSignInFailures + 12, 0, MaxSignInDelay},
		{FreeSignInFailures + 400, time.Minute, MaxSignInDelay - time.Minute},
		{FreeSignInFailures + 400, ForgetSignInFailures, 0},
	} {
		f := SignInFailures{Count: tc.count, Last: now.Add(-tc.ago)}
		if got := f.Wait(now); got != tc.want {
			t.Errorf("%d failures, the last %v ago: wait %v, want %v", tc.count, tc.ago, got, tc.want)
		}
	}
}
