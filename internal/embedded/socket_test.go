package embedded

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// The store has no authentication: any local user who reaches it reads every collection and can
// make themselves admin. It must open no TCP port, and its socket must be the server user's alone,
// even in a data directory left open by an older version.
func TestStoreServesOnlyAPrivateUnixSocket(t *testing.T) {
	if _, err := os.Stat("/proc/net/tcp"); err != nil {
		t.Skip("needs Linux /proc to list this process's TCP listeners")
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := tcpListeners(t)
	s, err := Start(dir, slog.New(slog.DiscardHandler), "full")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)

	for inode := range tcpListeners(t) {
		if !before[inode] {
			t.Errorf("the store opened a TCP listener (socket inode %s)", inode)
		}
	}
	if want := socketURI(SocketPath(dir)); s.URI != want {
		t.Errorf("URI = %q, want the unix socket %q", s.URI, want)
	}
	if uri, ok := RunningURI(dir); !ok || uri != s.URI {
		t.Errorf("RunningURI = %q, %v; want %q", uri, ok, s.URI)
	}
	for path, want := range map[string]os.FileMode{SocketPath(dir): 0o600, filepath.Dir(SocketPath(dir)): 0o700, filepath.Join(dir, "db"): 0o700} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", path, got, want)
		}
	}
	c, err := mongo.Connect(options.Client().ApplyURI(s.URI))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Disconnect(context.Background()) }()
	if err := c.Database("hl").RunCommand(context.Background(), bson.D{{Key: "ping", Value: 1}}).Err(); err != nil {
		t.Fatalf("ping over the socket: %v", err)
	}
}

// tcpListeners returns the inodes of the listening TCP sockets this process holds.
func tcpListeners(t *testing.T) map[string]bool {
	t.Helper()
	mine := map[string]bool{}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		link, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); err == nil && ok {
			mine[strings.TrimSuffix(inode, "]")] = true
		}
	}
	listening := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Scan() // header
		for sc.Scan() {
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			cols := strings.Fields(sc.Text())
			if len(cols) > 9 && cols[3] == "0A" && mine[cols[9]] {
				listening[cols[9]] = true
			}
		}
		_ = f.Close()
	}
	return listening
}

// A data directory whose path the store's file: URI would cut or change is refused by name,
// before anything is created in it.
func TestADataDirectoryTheStoreCannotTakeIsRefusedClearly(t *testing.T) {
	for _, name := range []string{"hài#lòng", "a?b", "100%"} {
		dir := filepath.Join(t.TempDir(), name)
		s, err := Start(dir, slog.New(slog.DiscardHandler), "full")
		if err == nil {
			s.Stop()
			t.Errorf("%q: started", name)
			continue
		}
		if !strings.Contains(err.Error(), "HAILONG_DATA_DIR") || !strings.Contains(err.Error(), name) {
			t.Errorf("%q: %v; want it to name the directory and HAILONG_DATA_DIR", name, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%q: the directory was created (%v)", name, err)
		}
	}
}
