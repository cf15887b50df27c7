// Package serverproc runs `hailong serve` as a child process on a free loopback port, for the
// benchmark, the fault-injection tests and the end-to-end tests: start, health, signals, restart,
// and CLI commands against the same data directory.
package serverproc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Config says which binary to run and how.
type Config struct {
	Exe     string   // the hailong binary (or a program that acts as it)
	DataDir string   // HAILONG_DATA_DIR, created when missing
	LogPath string   // the server's stdout and stderr are appended here
	Env     []string // KEY=VALUE settings added last, so they win over the defaults
	// Patience is how long each start may take to answer /healthz; zero means two minutes.
	Patience time.Duration
}

// Server is one child `hailong serve`, restartable on the same address, data and settings.
type Server struct {
	cfg     Config
	url     string
	env     []string
	cmd     *exec.Cmd
	exited  chan struct{}
	err     error // how the last run ended, set before exited closes
	started time.Time
	startup time.Duration
	starts  int
}

// Start runs the server and waits until /healthz answers 200. A server that does not become
// healthy is stopped and its log tail is in the error.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Patience == 0 {
		cfg.Patience = 2 * time.Minute
	}
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	addr, err := FreeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, url: "http://" + addr}
	s.env = append(CleanEnv(),
		"HAILONG_ADDR="+addr, "HAILONG_BASE_URL="+s.url, "HAILONG_DATA_DIR="+cfg.DataDir)
	s.env = append(s.env, cfg.Env...)
	return s, s.start(ctx)
}

// CleanEnv is this process's environment without the settings a child server gets from its
// starter: every HAILONG_ variable, MONGODB_URI and REDIS_URL.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "HAILONG_") || k == "MONGODB_URI" || k == "REDIS_URL" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// FreeLoopbackAddr returns a loopback address whose port was free a moment ago.
func FreeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("server: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (s *Server) start(ctx context.Context) error {
	s.starts++
	log, err := os.OpenFile(s.cfg.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("server: log: %w", err)
	}
	fmt.Fprintf(log, "=== start %d at %s\n", s.starts, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.cfg.Exe, "serve")
	cmd.Env, cmd.Stdout, cmd.Stderr = s.env, log, log
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("server: start: %w", err)
	}
	s.cmd, s.exited, s.err = cmd, make(chan struct{}), nil
	go func() {
		s.err = cmd.Wait()
		_ = log.Close()
		close(s.exited)
	}()
	if err := s.waitHealthy(ctx); err != nil {
		s.Stop()
		return err
	}
	return nil
}

// waitHealthy polls /healthz until it answers 200, the process exits, or patience runs out.
func (s *Server) waitHealthy(ctx context.Context) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(s.cfg.Patience)
	for time.Now().Before(deadline) {
		if !s.Running() {
			return fmt.Errorf("server: exited at start (%v); its log ends:\n%s", s.err, s.LogTail(40))
		}
		if healthy(ctx, client, s.url) {
			s.startup = time.Since(s.started)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return fmt.Errorf("server: /healthz did not answer 200 within %s; its log ends:\n%s", s.cfg.Patience, s.LogTail(40))
}

func healthy(ctx context.Context, client *http.Client, base string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode == http.StatusOK
}

// Pid is the process id of the running server, 0 when none runs.
func (s *Server) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil || !s.Running() {
		return 0
	}
	return s.cmd.Process.Pid
}

// URL is the server's base URL, http://127.0.0.1:PORT.
func (s *Server) URL() string { return s.url }

// Env is the child's whole environment, for commands that must reach the same store.
func (s *Server) Env() []string { return s.env }

// DataDir is the server's HAILONG_DATA_DIR.
func (s *Server) DataDir() string { return s.cfg.DataDir }

// LogPath is the file holding the server's output, across restarts.
func (s *Server) LogPath() string { return s.cfg.LogPath }

// Started is when the last start exec'd the process.
func (s *Server) Started() time.Time { return s.started }

// Startup is how long the last start took from exec to the first healthy /healthz.
func (s *Server) Startup() time.Duration { return s.startup }

// Running reports whether the process of the last start is still alive.
func (s *Server) Running() bool {
	if s.exited == nil {
		return false
	}
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// Err is nil while the server runs; once it has exited, Err says how, with its log tail.
func (s *Server) Err() error {
	if s.Running() {
		return nil
	}
	return fmt.Errorf("server: exited (%v); its log ends:\n%s", s.err, s.LogTail(40))
}

// Kill sends SIGKILL and waits up to 10 s for the process to be gone.
func (s *Server) Kill() error {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-s.exited:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("server: survived SIGKILL for 10s")
	}
}

// Term sends SIGTERM and waits up to patience for the process to exit; it returns the exit code
// and how long the exit took. A process still running after patience is killed and reported.
func (s *Server) Term(patience time.Duration) (code int, took time.Duration, err error) {
	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.cmd.ProcessState.ExitCode(), time.Since(start), nil
	case <-time.After(patience):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return -1, time.Since(start), fmt.Errorf("server: did not exit within %s of SIGTERM", patience)
	}
}

// Stop asks a running server to shut down (SIGTERM) and kills it after 20 s.
func (s *Server) Stop() {
	if s.Running() {
		_, _, _ = s.Term(20 * time.Second)
	}
}

// Restart starts the server again on the same address, data directory and settings.
func (s *Server) Restart(ctx context.Context) error {
	if s.Running() {
		return errors.New("server: restart: it is still running")
	}
	return s.start(ctx)
}

// CLI runs `hailong args...` with the server's environment, so it reaches the running server's
// store over its socket (or the shared MONGODB_URI).
func (s *Server) CLI(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	cmd := exec.CommandContext(ctx, s.cfg.Exe, args...)
	cmd.Env = s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}
