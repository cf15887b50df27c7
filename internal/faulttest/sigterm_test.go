package faulttest

import (
	"net/http"
	"testing"
	"time"
)

// SIGTERM under load stops the server cleanly: it exits 0 in time, and every submission it
// acknowledged, including those still in a pending batch, is stored.
func TestSIGTERMFlushesPendingBatches(t *testing.T) {
	skipShort(t)
	s := startServer(t, "a", t.TempDir())
	c := newClient()
	tokens := issueTickets(t, c, s.base, s.apiKey(), "TERM", 600)

	l := startLoad(c, s.base, tokens, 16)
	termAt := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(termAt) {
		if sent, _ := l.progress(); sent >= len(tokens)/2 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	sent, answered := l.progress()
	termAt = time.Now()
	l.stopOnError.Store(true)
	code, took := s.Term(30 * time.Second)
	l.Stop()
	outcomes := l.Wait()
	t.Logf("SIGTERM with %d submissions sent, %d answered, %d in flight; exit code %d after %s",
		sent, answered, sent-answered, code, took.Round(time.Millisecond))
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if took > 20*time.Second {
		t.Errorf("the server took %s to exit after SIGTERM, want at most 20s", took)
	}

	var refused []string
	for _, o := range outcomes {
		switch {
		case o.end.Before(termAt) && (o.err != nil || o.status != http.StatusCreated):
			t.Errorf("before SIGTERM a submission got %s, want 201", o)
		case o.err != nil:
			refused = append(refused, o.token)
		case o.status == http.StatusServiceUnavailable:
			refused = append(refused, o.token)
		case o.status != http.StatusCreated:
			t.Errorf("during shutdown a submission got %s, want 201, 503 or a connection error", o)
		}
	}
	tl := tallyOf(outcomes)
	t.Logf("outcomes: %d got 201, %d got 503, %d got a connection error", len(tl.acked), len(tl.byStatus[http.StatusServiceUnavailable]), len(tl.failed))

	s.Restart()
	db := s.store()
	checkStored(t, db, tl.acked, tl.attempted)
	t.Logf("of the %d submissions refused during shutdown, %d were stored anyway (not acknowledged, so allowed)",
		len(refused), countIDs(t, db.Collection("responses"), refused))
	s.verifyRollups(db)
}
