package redisstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/kiosk"
	"github.com/hailong/hailong/internal/redisstore"
	"github.com/hailong/hailong/internal/testkit"
)

// newHub starts a hub on its own connection to url (nil client when url is ""), ready to
// receive other instances' events.
func newHub(t *testing.T, url string) *redisstore.Hub {
	t.Helper()
	return newDeploymentHub(t, url, "hl:test:")
}

// newDeploymentHub is newHub for the deployment whose Redis prefix is prefix.
func newDeploymentHub(t *testing.T, url, prefix string) *redisstore.Hub {
	t.Helper()
	var h *redisstore.Hub
	if url == "" {
		h = redisstore.NewHub(nil, prefix, testkit.Logger(t))
	} else {
		h = redisstore.NewHub(testkit.RedisClient(t, url), prefix, testkit.Logger(t))
	}
	t.Cleanup(h.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Ready(ctx); err != nil {
		t.Fatalf("hub not ready: %v", err)
	}
	return h
}

func dossier(n int) kiosk.Event {
	return kiosk.Event{Type: kiosk.EventDossier, Ref: fmt.Sprintf("tok-%d", n), DossierCode: fmt.Sprintf("H48-260331-%04d", n)}
}

// receive waits up to d for one event.
func receive(t *testing.T, ch <-chan kiosk.Event, d time.Duration) (kiosk.Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(d):
		return kiosk.Event{}, false
	}
}

func TestHubDeliversAcrossInstancesToTheRightCounterOnly(t *testing.T) {
	url := testkit.StartRedis(t).URL
	a, b := newHub(t, url), newHub(t, url)
	ctx := context.Background()
	onA, stopA := a.Subscribe(ctx, "000.00.53.H48|c1")
	defer stopA()
	onB1, stopB1 := b.Subscribe(ctx, "000.00.53.H48|c1")
	defer stopB1()
	onB2, stopB2 := b.Subscribe(ctx, "000.00.53.H48|c2")
	defer stopB2()

	var lat []time.Duration
	for i := range 50 {
		start := time.Now()
		if err := a.Publish(ctx, "000.00.53.H48|c1", dossier(i)); err != nil {
			t.Fatal(err)
		}
		ev, ok := receive(t, onB1, 2*time.Second)
		if !ok || ev.Ref != dossier(i).Ref {
			t.Fatalf("event %d on the other instance: got %+v (ok=%v)", i, ev, ok)
		}
		lat = append(lat, time.Since(start))
		if ev, ok := receive(t, onA, time.Second); !ok || ev.Ref != dossier(i).Ref {
			t.Fatalf("event %d on the publishing instance: got %+v (ok=%v)", i, ev, ok)
		}
	}
	slices.Sort(lat)
	t.Logf("publish on one hub → receipt on another through redis, 50 events: median %v, p95 %v, max %v",
		lat[len(lat)/2], lat[len(lat)*95/100], lat[len(lat)-1])

	if ev, ok := receive(t, onA, 200*time.Millisecond); ok {
		t.Errorf("the publishing instance got an event twice (once more through redis): %+v", ev)
	}
	if ev, ok := receive(t, onB2, 200*time.Millisecond); ok {
		t.Errorf("counter c2 got counter c1's event: %+v", ev)
	}
}

func TestHubWithoutRedisDeliversInProcess(t *testing.T) {
	h := newHub(t, "")
	ctx, cancel := context.WithCancel(context.Background())
	c1, stop1 := h.Subscribe(ctx, "a|c1")
	defer stop1()
	c2, stop2 := h.Subscribe(ctx, "a|c2")
	defer stop2()
	if err := h.Publish(ctx, "a|c1", dossier(1)); err != nil {
		t.Fatal(err)
	}
	if ev, ok := receive(t, c1, time.Second); !ok || ev.Ref != "tok-1" || ev.SentAt.IsZero() {
		t.Fatalf("c1 got %+v (ok=%v), want tok-1 stamped with its send time", ev, ok)
	}
	if ev, ok := receive(t, c2, 100*time.Millisecond); ok {
		t.Fatalf("c2 got c1's event %+v", ev)
	}

	cancel()
	if _, ok := receive(t, c1, time.Second); ok {
		t.Fatal("the channel stayed open after the subscriber's context ended")
	}
}

func TestHubSlowSubscriberKeepsTheLatestEvents(t *testing.T) {
	h := newHub(t, "")
	ch, stop := h.Subscribe(context.Background(), "a|c1")
	defer stop()
	for i := range 20 {
		_ = h.Publish(context.Background(), "a|c1", dossier(i)) // must never block
	}
	var last kiosk.Event
	for {
		ev, ok := receive(t, ch, 50*time.Millisecond)
		if !ok {
			break
		}
		last = ev
	}
	if last.Ref != "tok-19" {
		t.Fatalf("last event kept %q, want tok-19", last.Ref)
	}
}

func TestHubSurvivesARedisRestart(t *testing.T) {
	r := testkit.StartRedis(t)
	a, b := newHub(t, r.URL), newHub(t, r.URL)
	ctx := context.Background()
	onA, stopA := a.Subscribe(ctx, "a|c1")
	defer stopA()
	onB, stopB := b.Subscribe(ctx, "a|c1")
	defer stopB()

	r.Stop()
	if err := a.Publish(ctx, "a|c1", dossier(1)); err != nil {
		t.Fatalf("publish with redis down: %v", err)
	}
	if ev, ok := receive(t, onA, time.Second); !ok || ev.Ref != "tok-1" {
		t.Fatalf("with redis down the publishing instance's kiosk got %+v (ok=%v)", ev, ok)
	}

	r.Start()
	deadline := time.Now().Add(15 * time.Second)
	for n := 2; ; n++ {
		_ = a.Publish(ctx, "a|c1", dossier(n))
		if ev, ok := receive(t, onB, 200*time.Millisecond); ok && ev.Ref == dossier(n).Ref {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other instance got nothing within 15 s of redis coming back")
		}
		for len(onA) > 0 {
			<-onA
		}
	}
}

// Two deployments sharing one Redis must not see each other's dossiers (token, dossier code,
// procedure); two instances of one deployment must.
func TestHubsOfDifferentDeploymentsDoNotSeeEachOther(t *testing.T) {
	url := testkit.RedisURL(t)
	run := fmt.Sprintf("hl:test-%d", time.Now().UnixNano())
	a1, a2 := newDeploymentHub(t, url, run+"-a:"), newDeploymentHub(t, url, run+"-a:")
	b := newDeploymentHub(t, url, run+"-b:")
	ctx := context.Background()
	onA2, stopA2 := a2.Subscribe(ctx, "c1")
	defer stopA2()
	onB, stopB := b.Subscribe(ctx, "c1")
	defer stopB()

	if err := a1.Publish(ctx, "c1", dossier(1)); err != nil {
		t.Fatal(err)
	}
	if ev, ok := receive(t, onA2, 5*time.Second); !ok || ev.Ref != "tok-1" {
		t.Errorf("the other instance of the same deployment got %+v, %v; want tok-1", ev, ok)
	}
	if err := b.Publish(ctx, "c1", dossier(2)); err != nil {
		t.Fatal(err)
	}
	if ev, ok := receive(t, onA2, 500*time.Millisecond); ok {
		t.Errorf("deployment a received deployment b's event %+v", ev)
	}
	// b's own subscriber gets b's event in process; it must never get a's.
	for {
		ev, ok := receive(t, onB, 500*time.Millisecond)
		if !ok {
			break
		}
		if ev.Ref != "tok-2" {
			t.Errorf("deployment b received deployment a's event %+v", ev)
		}
	}
}
