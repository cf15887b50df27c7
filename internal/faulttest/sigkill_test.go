package faulttest

import (
	"net/http"
	"testing"
	"time"
)

// A server killed while it stores responses must, once restarted, hold every response it
// acknowledged, refuse those tokens a second time, keep its rollups equal to a recount, and
// open exactly one follow-up case for each response that calls for one (the load rates 1 to 5,
// so two in five do).
func TestSIGKILLMidLoadLosesNothingAcknowledged(t *testing.T) {
	skipShort(t)
	s := startServer(t, "a", t.TempDir())
	c := newClient()
	tokens := issueTickets(t, c, s.base, s.apiKey(), "KILL", 600)

	l := startLoad(c, s.base, tokens, 16)
	// Kill after 1.5 s, or sooner once two thirds of the tokens are taken, so that
	// submissions are always in flight when the server dies.
	killAt := time.Now().Add(1500 * time.Millisecond)
	for time.Now().Before(killAt) {
		if sent, _ := l.progress(); sent >= len(tokens)*2/3 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	l.Stop()
	sent, answered := l.progress()
	s.Kill()
	tl := tallyOf(l.Wait())
	t.Logf("SIGKILL with %d submissions sent, %d answered, %d in flight", sent, answered, sent-answered)
	if sent == len(tokens) && sent == answered {
		t.Logf("warning: every submission was answered before the kill; nothing was in flight")
	}
	for status, os := range tl.byStatus {
		t.Errorf("%d submissions got status %d before the kill, want 201 (first: %s)", len(os), status, os[0])
	}
	t.Logf("outcomes: %d got 201, %d got a transport error (connection reset or refused)", len(tl.acked), len(tl.failed))

	s.Restart()
	c.CloseIdleConnections()
	db := s.store()
	checkStored(t, db, tl.acked, tl.attempted)
	failedButStored := countIDs(t, db.Collection("responses"), tl.failed)
	t.Logf("of the %d submissions that got a transport error, %d were stored anyway (not acknowledged, so allowed)", len(tl.failed), failedButStored)

	again := tallyOf(resubmitAll(c, s.base, tl.acked))
	if len(again.acked) > 0 || len(again.failed) > 0 || len(again.byStatus[http.StatusConflict]) != len(tl.acked) {
		t.Errorf("resubmitting %d acknowledged tokens: %d got 201, %d errors, %d got 409; want all 409",
			len(tl.acked), len(again.acked), len(again.failed), len(again.byStatus[http.StatusConflict]))
	}
	s.verifyRollups(db)
	s.verifyCases()
}
