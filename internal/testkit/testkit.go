// Package testkit starts the real parts tests run against: the embedded Mongo-wire store (or
// MONGODB_URI when set) and a throwaway redis-server.
package testkit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/mongodb"
)

// Store returns a store with the schema ensured: a fresh database on MONGODB_URI when set,
// otherwise a fresh embedded store in a temporary directory. It is closed when t ends.
func Store(t testing.TB) *mongodb.DB {
	t.Helper()
	ctx := context.Background()
	uri := os.Getenv("MONGODB_URI")
	name := fmt.Sprintf("hailong_test_%d", time.Now().UnixNano())
	var stop func()
	if uri == "" {
		es, err := embedded.Start(t.TempDir(), slog.New(slog.DiscardHandler), "full")
		if err != nil {
			t.Fatalf("start embedded store: %v", err)
		}
		uri, stop = es.URI, es.Stop
	}
	db, err := mongodb.Open(ctx, uri, name)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	if stop != nil {
		if err := db.SerialWrites(); err != nil {
			t.Fatalf("open the store's write connection: %v", err)
		}
	}
	if err := db.EnsureSchema(ctx); err != nil {
		t.Fatalf("ensure schema: %v", err)
	}
	t.Cleanup(func() {
		if os.Getenv("MONGODB_URI") != "" {
			_ = db.DB.Drop(ctx)
		}
		_ = db.Close(ctx)
		if stop != nil {
			stop()
		}
	})
	return db
}

// Redis is a throwaway redis-server a test owns: it can stop and restart it.
type Redis struct {
	Port int
	URL  string
	cmd  *exec.Cmd
	t    testing.TB
}

// StartRedis starts redis-server on a free loopback port, without persistence; it is killed
// when t ends.
func StartRedis(t testing.TB) *Redis {
	t.Helper()
	r := &Redis{Port: FreePort(t), t: t}
	r.URL = "redis://127.0.0.1:" + strconv.Itoa(r.Port) + "/0"
	r.Start()
	t.Cleanup(r.Stop)
	return r
}

// Start (re)starts the server on the same port and waits until it answers.
func (r *Redis) Start() {
	r.t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		r.t.Fatalf("redis-server is needed for this test (apt-get install redis-server): %v", err)
	}
	r.cmd = exec.Command(path, "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatalf("start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(r.Port)})
	defer c.Close()
	for range 200 {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("redis-server on port %d did not answer", r.Port)
}

// Stop kills the server.
func (r *Redis) Stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// RedisURL returns REDIS_URL when the test command set it, else a throwaway server's URL.
func RedisURL(t testing.TB) string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return StartRedis(t).URL
}

// RedisClient connects to url and flushes nothing: keys are namespaced per test by callers.
func RedisClient(t testing.TB, url string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("parse redis url: %v", err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Env builds a getenv function from key=value pairs, for driving run in tests.
func Env(pairs ...string) func(string) string {
	m := map[string]string{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return func(k string) string { return m[k] }
}

// Logger writes structured logs to the test's log, shown when it fails.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
