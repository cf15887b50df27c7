package account

import (
	"context"
	"time"
)

// The growing delay after failed sign-ins: an account name's first FreeSignInFailures
// consecutive failures cost nothing, each one after that doubles the wait before the next
// attempt (1 s, 2 s, 4 s, …) up to MaxSignInDelay. A delay instead of a block: guessing from
// many addresses slows to one try per MaxSignInDelay, and never locks the user out for good.
const (
	FreeSignInFailures = 5
	MaxSignInDelay     = 15 * time.Minute
	// ForgetSignInFailures is how long after the last failure the count starts again.
	ForgetSignInFailures = 24 * time.Hour
	// AuditSignInFailuresEvery is how many failures in a row make one audit entry.
	AuditSignInFailuresEvery = 5
)

// SignInFailures are an account name's consecutive failed sign-ins.
type SignInFailures struct {
	Count int       `bson:"count"`
	Last  time.Time `bson:"last"`
}

// Current is f as of now: forgotten once ForgetSignInFailures have passed since the last one.
func (f SignInFailures) Current(now time.Time) SignInFailures {
	if now.Sub(f.Last) >= ForgetSignInFailures {
		return SignInFailures{}
	}
	return f
}

// Wait is how long the next attempt must still wait at now.
func (f SignInFailures) Wait(now time.Time) time.Duration {
	f = f.Current(now)
	if f.Count < FreeSignInFailures {
		return 0
	}
	delay := MaxSignInDelay
	if k := f.Count - FreeSignInFailures; k < 20 {
		delay = min(time.Duration(1<<k)*time.Second, MaxSignInDelay)
	}
	return max(f.Last.Add(delay).Sub(now), 0)
}

// SignInFailureStore keeps the consecutive failed sign-ins of each account name (known or not,
// so the delay says nothing about which names exist).
type SignInFailureStore interface {
	// SignInFailures returns name's failures; zero when there are none.
	SignInFailures(ctx context.Context, name string) (SignInFailures, error)
	// SetSignInFailures stores name's failures.
	SetSignInFailures(ctx context.Context, name string, f SignInFailures) error
	// ClearSignInFailures forgets name's failures, after a successful sign-in.
	ClearSignInFailures(ctx context.Context, name string) error
}
