package testkit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Mailpit is a throwaway Mailpit SMTP server (github.com/axllent/mailpit; test.sh installs it
// and sets HAILONG_MAILPIT to its path) with its HTTP API, for reading what arrived.
type Mailpit struct {
	SMTPURL string // smtp://127.0.0.1:PORT
	API     string // http://127.0.0.1:PORT
	t       testing.TB
}

// StartMailpit starts Mailpit on free loopback ports, stopped when the test ends.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := os.Getenv("HAILONG_MAILPIT")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("mailpit"); err != nil {
			t.Fatalf("Mailpit is needed for the e-mail tests: run them through ./test.sh, which installs it, or set HAILONG_MAILPIT (go install github.com/axllent/mailpit@v1.33.1)")
		}
	}
	smtp, web := FreePort(t), FreePort(t)
	cmd := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtp), "--listen", fmt.Sprintf("127.0.0.1:%d", web),
		"--database", t.TempDir()+"/mailpit.db", "--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--enable-chaos", "--disable-version-check", "--quiet")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	m := &Mailpit{SMTPURL: fmt.Sprintf("smtp://127.0.0.1:%d", smtp), API: fmt.Sprintf("http://127.0.0.1:%d", web), t: t}
	for range 200 {
		if resp, err := http.Get(m.API + "/api/v1/messages"); err == nil {
			resp.Body.Close()
			return m
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("mailpit did not start")
	return nil
}

// MailMessage is a message as Mailpit lists it.
type MailMessage struct {
	ID      string `json:"ID"`
	Subject string `json:"Subject"`
	To      []struct {
		Address string `json:"Address"`
	} `json:"To"`
	Text string `json:"Text"`
	HTML string `json:"HTML"`
}

// Messages returns every message received, each with its text and HTML bodies.
func (m *Mailpit) Messages() []MailMessage {
	m.t.Helper()
	var list struct {
		Messages []MailMessage `json:"messages"`
	}
	m.get("/api/v1/messages?limit=500", &list)
	for i := range list.Messages {
		m.get("/api/v1/message/"+list.Messages[i].ID, &list.Messages[i])
	}
	return list.Messages
}

func (m *Mailpit) get(path string, v any) {
	m.t.Helper()
	resp, err := http.Get(m.API + path)
	if err != nil {
		m.t.Fatalf("mailpit %s: %v", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		m.t.Fatalf("mailpit %s: %v", path, err)
	}
}

// Refuse makes the server refuse every recipient with SMTP code (e.g. 451) until Accept.
func (m *Mailpit) Refuse(code int) { m.chaos(code, 100) }

// Accept makes the server accept mail again.
func (m *Mailpit) Accept() { m.chaos(451, 0) }

func (m *Mailpit) chaos(code, probability int) {
	m.t.Helper()
	body, _ := json.Marshal(map[string]any{"Recipient": map[string]int{"ErrorCode": code, "Probability": probability}})
	req, _ := http.NewRequest(http.MethodPut, m.API+"/api/v1/chaos", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("mailpit chaos: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit chaos: HTTP %d", resp.StatusCode)
	}
}
