package survey

import (
	"strings"
	"testing"
	"time"
)

func TestTicketTokensAreValidAndSortByIssueTime(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	var prev string
	for i := range 2000 {
		// Steps of every size, so each of the eight time symbols turns over somewhere.
		now := at.Add(time.Duration(i*i*i) * time.Millisecond * 37)
		tok := NewTicketToken(now)
		if !ValidToken(tok) {
			t.Fatalf("token %q for %s is not a valid token", tok, now)
		}
		if prev != "" && prev[:tokenTimeSymbols] >= tok[:tokenTimeSymbols] {
			t.Fatalf("token %q for %s does not sort after %q, issued earlier", tok, now, prev)
		}
		prev = tok
	}
}

func TestTicketTokensOfOneMillisecondDifferInTheirRandomPart(t *testing.T) {
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	seen := map[string]bool{}
	prefix := NewTicketToken(at)[:tokenTimeSymbols]
	for range 10000 {
		tok := NewTicketToken(at)
		if !strings.HasPrefix(tok, prefix) {
			t.Fatalf("token %q of the same millisecond does not start with %q", tok, prefix)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}
	if a, b := NewTicketToken(at), NewTicketToken(at.Add(time.Millisecond)); a[:tokenTimeSymbols] == b[:tokenTimeSymbols] {
		t.Fatalf("tokens a millisecond apart share their time symbols: %q, %q", a, b)
	}
}
