package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/serverproc"
	"github.com/hailong/hailong/internal/testkit"
)

// server is `hailong serve` as a child process: this test binary acting as the command (see
// TestMain), on a free port with a fresh data directory.
type server struct {
	*serverproc.Server
	t    *testing.T
	base string
}

func startServer(t *testing.T, extra ...string) *server {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := append([]string{runMainEnv + "=1", "REDIS_URL=" + testkit.RedisURL(t),
		"HAILONG_ADMIN_PASSWORD=mật-khẩu-quản-trị"}, extra...)
	p, err := serverproc.Start(context.Background(), serverproc.Config{
		Exe: exe, DataDir: t.TempDir(), LogPath: filepath.Join(t.TempDir(), "server.log"), Env: env,
		Patience: 30 * time.Second,
	})
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	s := &server{Server: p, t: t, base: p.URL()}
	t.Cleanup(s.shutdown)
	return s
}

// shutdown stops the server with SIGTERM; it must exit 0, which a race build also fails when
// the race detector found something.
func (s *server) shutdown() {
	code, _, err := s.Term(30 * time.Second)
	if err != nil || code != 0 {
		s.t.Errorf("serve exited %d (%v); its log ends:\n%s", code, err, s.LogTail(40))
	}
}

// cli runs a hailong command on the server's data and returns its standard output.
func (s *server) cli(args ...string) string {
	s.t.Helper()
	out, errOut, err := s.CLI(context.Background(), args...)
	if err != nil {
		s.t.Fatalf("hailong %v: %v\n%s", args, err, errOut)
	}
	return out
}

func (s *server) do(method, path, key, body string) (int, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestEndToEndTicketQRResponseAndStats(t *testing.T) {
	s := startServer(t)
	key := strings.TrimSpace(s.cli("apikey", "create", "--name", "one-stop e-system", "--scope", "tickets:write,stats:read"))
	status, body := s.do("POST", "/api/v1/tickets", key, `{"dossier_code":"000.00.53.H48-220921-0099","procedure_code":"1.001612.000.00.00.H48","field":"land","agency":"000.00.53.H48","counter":"Q1"}`)
	if status != http.StatusCreated {
		t.Fatalf("issue: %d %s", status, body)
	}
	var tk struct{ Token, SurveyURL, QRPNG string }
	var raw map[string]string
	_ = json.Unmarshal(body, &raw)
	tk.Token, tk.SurveyURL, tk.QRPNG = raw["token"], raw["survey_url"], raw["qr_png_url"]

	// The printed QR scans back to the survey URL.
	status, png := s.do("GET", strings.TrimPrefix(tk.QRPNG, s.base), "", "")
	if status != 200 || testkit.DecodeQR(t, png) != tk.SurveyURL {
		t.Fatalf("QR: %d", status)
	}
	submitted := time.Now()
	if status, body := s.do("POST", "/api/v1/responses", "", `{"token":"`+tk.Token+`","answers":{"overall":4}}`); status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	if status, _ := s.do("POST", "/api/v1/responses", "", `{"token":"`+tk.Token+`","answers":{"overall":1}}`); status != 409 {
		t.Fatalf("duplicate: %d, want 409", status)
	}
	// Fresh: the response shows in the stats within 5 seconds. The days are Vietnam's, from
	// before the submission to after it, in case midnight there falls in between.
	vn := time.FixedZone("ICT", 7*3600)
	from, to := submitted.In(vn).Format("2006-01-02"), time.Now().In(vn).Format("2006-01-02")
	for {
		_, body := s.do("GET", "/api/v1/stats?from="+from+"&to="+to+"&group_by=field", key, "")
		if strings.Contains(string(body), `"responses":1,`) {
			t.Logf("response visible in stats %v after it was stored", time.Since(submitted).Round(time.Millisecond))
			break
		}
		if time.Since(submitted) > 5*time.Second {
			t.Fatalf("response not in stats after 5 s: %s\nthe server's log ends:\n%s", body, s.LogTail(40))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if out := s.cli("rollup", "verify"); !strings.Contains(out, "rollups equal a full recount") {
		t.Fatalf("rollup verify: %s", out)
	}
}

func TestBadConfigurationStopsStartUpNamingIt(t *testing.T) {
	for _, c := range []struct{ env, name string }{
		{"HAILONG_TICKET_TTL=soon", "HAILONG_TICKET_TTL"},
		{"HAILONG_BASE_URL=ftp://x", "HAILONG_BASE_URL"},
		{"HAILONG_ADDR=8080", "HAILONG_ADDR"},
		{"MONGODB_URI=postgres://x", "MONGODB_URI"},
		{"HAILONG_STORE_SYNC=off", "HAILONG_STORE_SYNC"},
	} {
		err := run(context.Background(), []string{"serve"}, testkit.Env(c.env, "HAILONG_DATA_DIR="+t.TempDir()), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %v does not name %s", c.env, err, c.name)
		}
	}
}

func TestSecondServerOnOneDataDirectoryIsRefused(t *testing.T) {
	s := startServer(t)
	port := testkit.FreePort(t)
	env := testkit.Env(append(s.Env(), fmt.Sprintf("HAILONG_ADDR=127.0.0.1:%d", port))...)
	err := run(context.Background(), []string{"serve"}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "in use by another hailong server") {
		t.Fatalf("second server: %v", err)
	}
}

// TestEveryPageOfTheRealServer signs in as the admin created from HAILONG_ADMIN_PASSWORD and
// opens each page of the server as `hailong serve` wires it, so a missing dependency shows.
func TestEveryPageOfTheRealServer(t *testing.T) {
	s := startServer(t)
	client := testkit.SignIn(t, s.base, "admin", "mật-khẩu-quản-trị")
	get := func(path string) (int, string) {
		resp, err := client.Get(s.base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if want, _, _ := strings.Cut(path, "?"); resp.Request.URL.Path != want {
			t.Errorf("GET %s ended at %s", path, resp.Request.URL.Path)
		}
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/dashboard", "/admin", "/counter?agency=000.00.53.H48&counter=Q1", "/kiosk", "/s", "/dashboard/report", "/dashboard/export.xlsx", "/metrics"} {
		if status, body := get(path); status != http.StatusOK {
			t.Errorf("%s: %d %.300s", path, status, body)
		}
	}
	if _, body := get("/admin"); !strings.Contains(body, "kiosk") && !strings.Contains(body, "Kiosk") && !strings.Contains(body, "máy tính bảng") {
		t.Error("the admin page does not offer kiosk pairing")
	}
}
