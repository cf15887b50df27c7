package faulttest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// dedupReceiver is a webhook receiver that keeps each event once by its webhook-id, as the
// README tells receivers to, and can hold requests (the server is killed while they wait).
type dedupReceiver struct {
	mu       sync.Mutex
	events   map[string]string // webhook-id → the dossier code in its data
	requests int
	hold     chan struct{} // closed: answer at once
}

func (r *dedupReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var p struct {
		Type string `json:"type"`
		Data struct {
			DossierCode string `json:"dossier_code"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &p)
	r.mu.Lock()
	r.requests++
	hold := r.hold
	r.mu.Unlock()
	select {
	case <-hold:
	case <-time.After(4 * time.Second): // under the sender's 5-second limit
	}
	if req.Context().Err() != nil {
		return // the sender went away before the answer: as far as it knows, never delivered
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.Type == "response.created" && req.Header.Get("webhook-signature") != "" {
		r.events[req.Header.Get("webhook-id")] = p.Data.DossierCode
	}
	w.WriteHeader(http.StatusNoContent)
}

func (r *dedupReceiver) counts() (requests int, dossiers map[string]int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	dossiers = map[string]int{}
	for _, d := range r.events {
		dossiers[d]++
	}
	return r.requests, dossiers
}

// A server killed while it delivers webhooks delivers every event once it is back: the
// receiver, keeping events by webhook-id, ends with each response exactly once.
func TestSIGKILLDuringWebhookDeliveryLosesNoEvent(t *testing.T) {
	skipShort(t)
	rcv := &dedupReceiver{events: map[string]string{}, hold: make(chan struct{})}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	s := startServer(t, "hooks", t.TempDir(), "HAILONG_WEBHOOK_ALLOW_PRIVATE=true")
	out, errOut, err := s.cli("apikey", "create", "--name", "hooks", "--scope", "tickets:write,webhooks:manage")
	key := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(key, "hl_") {
		t.Fatalf("apikey create: %v %s %s", err, out, errOut)
	}
	c := newClient()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/api/v1/webhooks", strings.NewReader(`{"url":"`+srv.URL+`/hook","events":["response.created"]}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("register the webhook: %v %v", err, resp)
	}
	resp.Body.Close()

	const n = 40
	tokens := issueTickets(t, c, s.base, key, "HOOK", n)
	for _, tk := range tokens {
		if o := submit(c, s.base, tk, 4); o.status != http.StatusCreated {
			t.Fatalf("submit: %s", o)
		}
	}
	// Kill once deliveries are in flight: the receiver is holding them.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if requests, _ := rcv.counts(); requests >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no webhook delivery started within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	before, got := rcv.counts()
	t.Logf("killed with %d requests made, %d events kept", before, len(got))
	close(rcv.hold)
	s.Restart()

	// Attempts cut short wait for their claim to expire (ClaimTimeout), then go again.
	deadline = time.Now().Add(150 * time.Second)
	for {
		requests, dossiers := rcv.counts()
		if len(dossiers) == n {
			if requests <= n {
				t.Fatalf("%d requests for %d events: the attempts the kill cut short were never made again", requests, n)
			}
			for d, k := range dossiers {
				if k != 1 || !strings.HasPrefix(d, "HOOK-") {
					t.Fatalf("dossier %q came under %d webhook-ids; want exactly one", d, k)
				}
			}
			t.Logf("all %d events delivered: %d requests in all, %d kept once each by webhook-id", n, requests, len(dossiers))
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 150 s the receiver has %d of %d events (%d requests)", len(dossiers), n, requests)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
