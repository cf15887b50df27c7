package faulttest

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

// An instance whose store goes away must answer 503 with Retry-After promptly (never hang,
// never 201), report itself not ready, and recover by itself once the store is back.
func TestStoreUnreachable(t *testing.T) {
	skipShort(t)
	if externalURI != "" {
		// FerretDB on PostgreSQL, restarted, races creating its own metadata tables when the
		// first writes arrive together (SQLSTATE 42P07, "relation _ferretdb_database_metadata
		// already exists") and refuses some of them; a real MongoDB does not. The outage itself
		// is covered on the embedded store.
		t.Skip("store outage on FerretDB over PostgreSQL: its metadata race after a restart makes the recovery flaky")
	}
	// The store goes down with a, whose embedded store b uses; with MONGODB_URI, both use a
	// store of the test's own, which goes down on its own.
	var ext *pgStore
	var onStore []string
	if externalURI != "" {
		ext = startPGStore(t)
		onStore = []string{"MONGODB_URI=" + ext.URI()}
	}
	a := startServer(t, "a", t.TempDir(), onStore...)
	b := startServer(t, "b", t.TempDir(), "MONGODB_URI="+a.storeURI())
	c := newClient()
	tokens := issueTickets(t, c, b.base, a.apiKey(), "STORE", 16)
	before, outage, recovered := tokens[:6], tokens[6:10], tokens[10:]
	var acked, attempted []string

	first := tallyOf(resubmitAll(c, b.base, before))
	expectAllCreated(t, "with the store up", first)
	acked, attempted = append(acked, first.acked...), append(attempted, first.attempted...)

	if ext != nil {
		ext.Kill()
	} else {
		a.Kill()
	}
	c.CloseIdleConnections()
	outcomes := resubmitAll(c, b.base, outage)
	for _, o := range outcomes {
		took := o.end.Sub(o.start)
		switch {
		case o.err != nil:
			t.Errorf("submission with the store down: %v after %s, want 503", o.err, took)
		case o.status == http.StatusCreated:
			t.Errorf("submission with the store down got 201: a response acknowledged without a store")
		case o.status != http.StatusServiceUnavailable || o.retryAfter == "":
			t.Errorf("submission with the store down: status %d, Retry-After %q, want 503 with Retry-After: %s", o.status, o.retryAfter, clip(o.body, 200))
		case took > 8*time.Second:
			t.Errorf("submission with the store down took %s to be refused, want a prompt 503", took)
		default:
			t.Logf("submission with the store down: 503, Retry-After %s, after %s", o.retryAfter, took.Round(time.Millisecond))
		}
	}
	attempted = append(attempted, outage...)
	start := time.Now()
	if status, err := get(c, b.base, "/readyz"); err != nil || status != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the store down: status %d, err %v, want 503", status, err)
	}
	t.Logf("GET /readyz with the store down answered in %s", time.Since(start).Round(time.Millisecond))

	if ext != nil {
		ext.Start()
	} else {
		a.Restart()
	}
	back := time.Now()
	waitReady(t, c, b, 20*time.Second)
	t.Logf("instance b ready again %s after the store restarted", time.Since(back).Round(time.Millisecond))
	// The refused submissions were not stored, so they are accepted now.
	again := tallyOf(resubmitAll(c, b.base, append(outage, recovered...)))
	expectAllCreated(t, "after the store came back", again)
	acked, attempted = append(acked, again.acked...), append(attempted, recovered...)
	checkStored(t, a.store(), acked, attempted)
}

// waitReady polls GET /readyz on s until it answers 200.
func waitReady(t *testing.T, c *http.Client, s *server, patience time.Duration) {
	t.Helper()
	deadline := time.Now().Add(patience)
	last := ""
	for time.Now().Before(deadline) {
		status, err := get(c, s.base, "/readyz")
		if err == nil && status == http.StatusOK {
			return
		}
		last = strconv.Itoa(status)
		if err != nil {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("instance %s: /readyz not 200 within %s (last: %s)", s.name, patience, last)
}
