package faulttest

import (
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/hailong/hailong/internal/testkit"
)

// Two instances on one store and one Redis behave as one service: a ticket is answered once
// whichever instance takes the submissions, and a rate limit counts attempts on both.
func TestTwoInstancesOneStoreOneRedis(t *testing.T) {
	skipShort(t)
	r := testkit.StartRedis(t)
	a := startServer(t, "a", t.TempDir(), "REDIS_URL="+r.URL, "HAILONG_LIMIT_SHORTCODE=5")
	b := startServer(t, "b", t.TempDir(), "REDIS_URL="+r.URL, "HAILONG_LIMIT_SHORTCODE=5", "MONGODB_URI="+a.storeURI())
	c := newClient()
	token := issueTickets(t, c, a.base, a.apiKey(), "TWO", 1)[0]

	var wg sync.WaitGroup
	outcomes := make([]outcome, 20)
	ready := make(chan struct{})
	for i := range outcomes {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-ready
			outcomes[i] = submit(c, s.base, token, 1+i%5)
		})
	}
	close(ready)
	wg.Wait()
	tl := tallyOf(outcomes)
	t.Logf("20 concurrent submissions of one token, 10 to each instance: %d got 201, %d got 409", len(tl.acked), len(tl.byStatus[http.StatusConflict]))
	if len(tl.acked) != 1 || len(tl.byStatus[http.StatusConflict]) != 19 {
		for i, o := range outcomes {
			t.Logf("submission %d to %s: %s", i, []string{"a", "b"}[i%2], o)
		}
		t.Errorf("want exactly one 201 and nineteen 409")
	}
	checkStored(t, a.store(), tl.acked, []string{token})

	// Five short-code attempts are allowed a minute; alternating instances must not double it.
	for i := 1; i <= 6; i++ {
		s := []*server{a, b}[(i-1)%2]
		status, hdr, err := postForm(c, s.base, "/s", url.Values{"code": {"ZZZZ-ZZZZ"}})
		if err != nil {
			t.Fatalf("short-code attempt %d on %s: %v", i, s.name, err)
		}
		t.Logf("short-code attempt %d on %s: %d", i, s.name, status)
		switch {
		case i <= 5 && status != http.StatusNotFound:
			t.Errorf("short-code attempt %d on %s: status %d, want 404 (unknown code, under the limit)", i, s.name, status)
		case i == 6 && (status != http.StatusTooManyRequests || hdr.Get("Retry-After") == ""):
			t.Errorf("short-code attempt 6 on %s: status %d, Retry-After %q; want 429 with Retry-After: the limit of 5 is not shared between instances", s.name, status, hdr.Get("Retry-After"))
		}
	}
}
