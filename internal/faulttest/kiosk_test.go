package faulttest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/testkit"
)

// TestKioskPushAcrossProcesses pairs a tablet connected to server B and completes a dossier for
// its counter through server A: the event crosses processes through one real Redis.
func TestKioskPushAcrossProcesses(t *testing.T) {
	skipShort(t)
	r := testkit.StartRedis(t)
	const password = "mật-khẩu-quản-trị-kiosk"
	a := startServer(t, "a", t.TempDir(), "REDIS_URL="+r.URL, "HAILONG_ADMIN_PASSWORD="+password)
	b := startServer(t, "b", t.TempDir(), "REDIS_URL="+r.URL, "MONGODB_URI="+a.storeURI())

	// The tablet asks B for a pairing code; its device cookie is kept in its own jar.
	tabletJar, _ := cookiejar.New(nil)
	tablet := &http.Client{Jar: tabletJar, Timeout: 30 * time.Second}
	req, _ := http.NewRequest(http.MethodPost, b.base+"/api/v1/kiosk/pair", nil)
	req.Header.Set("X-Hailong-Kiosk", "1")
	var state struct {
		PairingCode string `json:"pairing_code"`
	}
	mustJSON(t, tablet, req, http.StatusCreated, &state)

	// The admin signs in on A and pairs the code with counter Q1.
	admin := signIn(t, a.base, "admin", password)
	pair, _ := http.NewRequest(http.MethodPost, a.base+"/api/v1/kiosk/devices/pair",
		strings.NewReader(`{"code":"`+state.PairingCode+`","agency":"000.00.53.H48","counter":"Q1","name":"Quầy 1"}`))
	pair.Header.Set("Content-Type", "application/json")
	pair.Header.Set("X-CSRF-Token", admin.csrf)
	mustJSON(t, admin.client, pair, http.StatusOK, nil)

	// The tablet listens on B.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	events, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.base+"/api/v1/kiosk/events", nil)
	resp, err := (&http.Client{Jar: tabletJar}).Do(events)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("kiosk events on b: %v %v", resp, err)
	}
	defer resp.Body.Close()
	lines := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	time.Sleep(300 * time.Millisecond) // let the subscription reach Redis

	key := a.apiKey()
	for i, dossier := range []string{"000.00.53.H48-260331-7001", "000.00.53.H48-260331-7002", "000.00.53.H48-260331-7003"} {
		sent := time.Now()
		issue, _ := http.NewRequest(http.MethodPost, a.base+"/api/v1/tickets", strings.NewReader(`{"dossier_code":"`+dossier+`","field":"land","agency":"000.00.53.H48","counter":"Q1"}`))
		issue.Header.Set("Authorization", "Bearer "+key)
		issue.Header.Set("Content-Type", "application/json")
		mustJSON(t, newClient(), issue, http.StatusCreated, nil)
		issued := time.Now()
		for got := false; !got; {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatal("the event stream from b ended")
				}
				if strings.HasPrefix(line, "data:") && strings.Contains(line, dossier) {
					got = true
					t.Logf("dossier %d completed on a reached the kiosk on b %v after the API answered (%v after the call began)",
						i+1, time.Since(issued).Round(time.Microsecond), time.Since(sent).Round(time.Microsecond))
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("dossier %s completed on a never reached the kiosk on b", dossier)
			}
		}
	}
}

type session struct {
	client *http.Client
	csrf   string
}

// signIn signs name in on base and returns a client with the session and its CSRF token.
func signIn(t *testing.T, base, name, password string) session {
	t.Helper()
	c := testkit.SignIn(t, base, name, password)
	return session{client: c, csrf: testkit.CSRF(t, c, base+"/admin")}
}

func mustJSON(t *testing.T, c *http.Client, req *http.Request, want int, dst any) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", req.Method, req.URL.Path, resp.StatusCode, want, b)
	}
	if dst != nil {
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
		}
	}
}
