// Package embedded runs the in-process Mongo-wire store (FerretDB on SQLite) that Hài Lòng
// uses when MONGODB_URI is unset, and lets CLI commands reach a running server's store.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// ErrLocked means another process (normally `hailong serve`) owns the data directory.
var ErrLocked = errors.New("embedded: the data directory is in use by another process")

// Store is a running embedded store.
type Store struct {
	URI    string
	lock   *os.File
	cancel context.CancelFunc
	done   chan struct{}
	ids    *idIndexer
}

// walCheckpointPages is how many pages the write-ahead log holds before a commit copies them
// into the database file (SQLite's default is 1,000). The copy runs inside the commit that
// reaches the mark, holding up the write batches behind it; at 1,000 pages it ran every few
// ticket batches. Fewer, larger copies write each often-changed page (index roots, the journal's
// tail) once per copy instead of many times. With 10,000 (about 40 MB of log), ten alternating
// runs of 128 clients each issued 4,121–4,453 tickets/s with p50 24.9–29.0 ms and p99 under
// 100 ms in seven runs, against 3,358–4,389/s, 26.6–33.2 ms and three runs at 1,000. Commits
// reach the disk as before: the log is what is synced.
const walCheckpointPages = 10_000

// pragmas are the SQLite settings of every connection of the embedded store.
//
// temp_store(memory) keeps statement journals in memory. A statement that inserts a batch of
// documents journals the pages it changes, and past 64 KiB SQLite moved that journal to a new
// temporary file, written and deleted within the statement: over the key-order benchmark 2,100
// files, a third of all its writes. In memory, batches of 500 into 200,000 held went from
// 7,835–8,791 to 9,000–9,520 documents/s (random keys) and 8,326–13,293 to 14,503–14,606
// (ticket tokens), three runs each. The store's statements sort nothing in SQLite and create no
// temporary tables; an index created on a large collection would sort its keys in memory.
func pragmas(sync string) string {
	return fmt.Sprintf("_pragma=synchronous(%s)&_pragma=wal_autocheckpoint(%d)&_pragma=temp_store(memory)", sync, walCheckpointPages)
}

// SocketPath is the embedded store's only way in: a unix socket (mode 0600) in a directory only
// the server's user can enter (0700). The store has no authentication, so it opens no TCP port.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, "run", "store.sock") }

// Start locks dataDir and starts the embedded store on its unix socket (SocketPath). It returns
// ErrLocked when another process holds the directory.
//
// sync is "full" (every commit reaches the disk before it is acknowledged) or "normal" (a
// commit survives the process being killed, but the last ones may be lost if the machine loses
// power).
func Start(dataDir string, log *slog.Logger, sync string) (*Store, error) {
	if sync != "full" && sync != "normal" {
		return nil, fmt.Errorf("embedded: sync %q must be full or normal", sync)
	}
	dbDir := filepath.Join(dataDir, "db")
	// The store takes its directory as a file: URI, which it parses and writes back unescaped:
	// these characters would cut or change the path.
	if strings.ContainsAny(dbDir, "#?%") {
		return nil, fmt.Errorf("embedded: the data directory %q holds # ? or %%, which the store cannot take in its path: choose another HAILONG_DATA_DIR", dataDir)
	}
	sock := SocketPath(dataDir)
	if err := privateDirs(dbDir, filepath.Dir(sock)); err != nil {
		return nil, err
	}
	lock, err := lockDir(dataDir)
	if err != nil {
		return nil, err
	}
	_ = os.Remove(sock) // stale from a crash: we hold the lock, so nobody serves it
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{Unix: sock},
		Handler:   "sqlite",
		SQLiteURL: (&url.URL{Scheme: "file", Opaque: dbDir + "/", RawQuery: pragmas(sync)}).String(),
		Logger:    quiet(log),
	})
	if err == nil {
		err = os.Chmod(sock, 0o600) // the directory already keeps others out; this says so twice
	}
	if err != nil {
		_ = lock.Close()
		return nil, fmt.Errorf("embedded: start store on %s: %w", sock, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{URI: socketURI(sock), lock: lock, cancel: cancel, done: make(chan struct{}), ids: newIDIndexer(dbDir, log)}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()
	go s.ids.run(ctx, time.Second)
	return s, nil
}

// Stop shuts the store down and releases the directory lock.
func (s *Store) Stop() {
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
	s.ids.close()
	_ = s.lock.Close()
}

// RunningURI returns the URI of the store served by the process that holds dataDir, for CLI
// commands run beside a server. ok is false when no server holds it.
func RunningURI(dataDir string) (uri string, ok bool) {
	sock := SocketPath(dataDir)
	if _, err := os.Stat(sock); err != nil {
		return "", false
	}
	return socketURI(sock), true
}

func socketURI(sock string) string { return "mongodb://" + url.PathEscape(sock) + "/" }

// privateDirs creates each directory, or narrows an existing one, to mode 0700: the store's
// files and socket are for the server's user alone.
func privateDirs(dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf("embedded: create %s: %w", d, err)
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("embedded: make %s private: %w", d, err)
		}
	}
	return nil
}

// quiet keeps the store's own logs to errors: it would otherwise log every failed command
// (such as an expected duplicate key) as a warning.
func quiet(log *slog.Logger) *slog.Logger {
	if log == nil {
		log = slog.Default()
	}
	return slog.New(levelFilter{h: log.Handler(), min: slog.LevelError}).With("component", "store")
}

func lockDir(dataDir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dataDir, "hailong.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("embedded: lock data directory: %w", err)
	}
	return f, nil
}
