package faulttest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/serverproc"
)

// externalURI is MONGODB_URI of the test command: when set, every test server runs on that
// store (each test in a database of its own) instead of the embedded one, two instances at
// once where the test has two.
var externalURI = os.Getenv("MONGODB_URI")

// pgstoreBinary is internal/testkit/pgstore, built by TestMain when HAILONG_TEST_POSTGRESQL is
// set: the store outage test starts a store of its own on it, to stop and restart.
var pgstoreBinary string

var testDBs sync.Map // *testing.T → database name

// testDB is the database of t's servers on the external store.
func testDB(t *testing.T) string {
	name, _ := testDBs.LoadOrStore(t, fmt.Sprintf("fault_%d", time.Now().UnixNano()))
	return name.(string)
}

// storeSettings are the settings that put a server of t on the external store, if any.
func storeSettings(t *testing.T, extra []string) []string {
	if externalURI == "" {
		return nil
	}
	out := []string{"HAILONG_DB=" + testDB(t)}
	for _, kv := range extra {
		if strings.HasPrefix(kv, "MONGODB_URI=") {
			return out
		}
	}
	return append(out, "MONGODB_URI="+externalURI)
}

func skipExternal(t *testing.T, why string) {
	t.Helper()
	if externalURI != "" {
		t.Skip("with MONGODB_URI: " + why)
	}
}

// buildPGStore builds the PostgreSQL-backed test store into dir when the test command gives
// a PostgreSQL database for it.
func buildPGStore(root, dir string) error {
	if os.Getenv("HAILONG_TEST_POSTGRESQL") == "" {
		return nil
	}
	pgstoreBinary = filepath.Join(dir, "pgstore")
	build := exec.Command("go", "build", "-o", pgstoreBinary, "./internal/testkit/pgstore")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./internal/testkit/pgstore: %v\n%s", err, out)
	}
	return nil
}

// pgStore is a Mongo-wire store process of a test's own, on PostgreSQL, that it can stop.
type pgStore struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd
}

// startPGStore starts a store of t's own; it is stopped when t ends.
func startPGStore(t *testing.T) *pgStore {
	t.Helper()
	if pgstoreBinary == "" {
		t.Skip("with MONGODB_URI, the store outage test needs HAILONG_TEST_POSTGRESQL for a store of its own")
	}
	addr, err := serverproc.FreeLoopbackAddr()
	if err != nil {
		t.Fatal(err)
	}
	s := &pgStore{t: t, addr: addr}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

func (s *pgStore) URI() string { return "mongodb://" + s.addr + "/" }

// Start (re)starts the store on its address and waits until it answers.
func (s *pgStore) Start() {
	s.t.Helper()
	s.cmd = exec.Command(pgstoreBinary, "-listen", s.addr, "-postgresql", os.Getenv("HAILONG_TEST_POSTGRESQL"))
	if err := s.cmd.Start(); err != nil {
		s.t.Fatalf("start pgstore: %v", err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(s.URI()).SetServerSelectionTimeout(time.Second))
	if err != nil {
		s.t.Fatal(err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	for range 100 {
		if client.Database("admin").RunCommand(context.Background(), bson.D{{Key: "ping", Value: 1}}).Err() == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("pgstore on %s did not answer", s.addr)
}

// Kill stops the store at once.
func (s *pgStore) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}
