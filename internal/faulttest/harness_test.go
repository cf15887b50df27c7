package faulttest

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/serverproc"
)

// binary is the server built once by TestMain. It is never a race build, even when this test
// binary is: the embedded store runs about ten times slower under the race detector.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	if testing.Short() {
		return m.Run() // every test skips itself
	}
	dir, err := os.MkdirTemp("", "hailong-faulttest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	binary = filepath.Join(dir, "hailong")
	build := exec.Command("go", "build", "-o", binary, "./cmd/hailong")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "faulttest: go build ./cmd/hailong: %v\n%s", err, out)
		return 1
	}
	if err := buildPGStore(root, dir); err != nil {
		fmt.Fprintln(os.Stderr, "faulttest:", err)
		return 1
	}
	return m.Run()
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside the module")
	}
	return filepath.Dir(gomod), nil
}

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("fault-injection tests run the server binary; skipped with -short")
	}
}

// server is one hailong process under test, restartable on the same address and data directory.
type server struct {
	*serverproc.Server
	t    *testing.T
	name string
	base string
}

// startServer runs `hailong serve` on a free loopback port with dataDir and the extra KEY=VALUE
// settings, and waits for /healthz. It is killed when t ends; its log is shown if t failed.
// testSecretKey is the contact-sealing key of the test servers (base64 of 32 bytes).
const testSecretKey = "dGVzdC1vbmx5LWtleS1mb3ItZmF1bHQtdGVzdHMhISE="

func startServer(t *testing.T, name, dataDir string, extra ...string) *server {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	// Every server shares one contact key, as instances on one store must (a second instance on
	// the first one's store runs with MONGODB_URI, which refuses to start without a key).
	env := append([]string{"HAILONG_LIMIT_SUBMIT=1000000", "HAILONG_LIMIT_LOOKUP=1000000", "HAILONG_SECRET_KEY=" + testSecretKey}, extra...)
	env = append(env, storeSettings(t, extra)...)
	p, err := serverproc.Start(context.Background(), serverproc.Config{
		Exe: binary, DataDir: dataDir, LogPath: logPath, Env: env, Patience: 30 * time.Second,
	})
	if err != nil {
		t.Fatalf("start server %s: %v", name, err)
	}
	t.Cleanup(func() {
		if p.Running() {
			_ = p.Kill()
		}
		if t.Failed() {
			t.Logf("server %s log without successful requests (%s), last lines:\n%s", name, logPath, p.LogTail(80))
		}
	})
	return &server{Server: p, t: t, name: name, base: p.URL()}
}

// Kill sends SIGKILL and waits for the process to be gone.
func (s *server) Kill() {
	s.t.Helper()
	if err := s.Server.Kill(); err != nil {
		s.t.Fatalf("server %s: %v", s.name, err)
	}
}

// Term sends SIGTERM and waits up to patience for the process to exit; it returns the exit
// code and how long the exit took. A process still running after patience is killed and the
// test fails.
func (s *server) Term(patience time.Duration) (int, time.Duration) {
	s.t.Helper()
	code, took, err := s.Server.Term(patience)
	if err != nil {
		s.t.Fatalf("server %s: %v", s.name, err)
	}
	return code, took
}

// Restart starts the server again on the same address, data directory and settings.
func (s *server) Restart() {
	s.t.Helper()
	if err := s.Server.Restart(context.Background()); err != nil {
		s.t.Fatalf("restart server %s: %v", s.name, err)
	}
}

// cli runs `hailong args...` with the server's settings, so it reaches the running server's
// store over its socket (or the shared MONGODB_URI).
func (s *server) cli(args ...string) (stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return s.CLI(ctx, args...)
}

// apiKey creates an API key with the tickets:write scope through the CLI.
func (s *server) apiKey() string {
	s.t.Helper()
	out, errOut, err := s.cli("apikey", "create", "--name", "faults")
	key := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(key, "hl_") {
		s.t.Fatalf("hailong apikey create: %v\nstdout: %s\nstderr: %s", err, out, errOut)
	}
	return key
}

// storeURI is the URI of the embedded store the running server exposes on its socket, or of
// the external store (MONGODB_URI) the servers share.
func (s *server) storeURI() string {
	s.t.Helper()
	if uri := s.env("MONGODB_URI"); uri != "" {
		return uri
	}
	uri, ok := embedded.RunningURI(s.DataDir())
	if !ok {
		s.t.Fatalf("server %s does not expose its store at %s", s.name, embedded.SocketPath(s.DataDir()))
	}
	return uri
}

// store connects the test to the server's embedded store; it is disconnected when t ends.
func (s *server) store() *mongo.Database {
	s.t.Helper()
	opts := options.Client().ApplyURI(s.storeURI()).
		SetServerSelectionTimeout(5 * time.Second).SetTimeout(30 * time.Second)
	client, err := mongo.Connect(opts)
	if err != nil {
		s.t.Fatalf("connect to the store: %v", err)
	}
	s.t.Cleanup(func() { _ = client.Disconnect(context.Background()) })
	if db := s.env("HAILONG_DB"); db != "" {
		return client.Database(db)
	}
	return client.Database("hailong")
}

// env is the server's setting key (the last one given, as exec takes it), empty when it has none.
func (s *server) env(key string) string {
	v := ""
	for _, kv := range s.Env() {
		if val, ok := strings.CutPrefix(kv, key+"="); ok {
			v = val
		}
	}
	return v
}

// verifyRollups runs `hailong rollup verify` until it passes. The rollup worker may still be
// catching up, so it retries for 15 s; if it still differs while journal entries are pending
// (a write cut off between journaling and confirming), it waits until the worker may check
// them, 60 s after they were journaled, and retries again.
func (s *server) verifyRollups(db *mongo.Database) {
	s.t.Helper()
	start := time.Now()
	deadline, extended := start.Add(15*time.Second), false
	for tries := 1; ; tries++ {
		out, errOut, err := s.cli("rollup", "verify")
		if err == nil && strings.Contains(out, "rollups equal a full recount") {
			s.t.Logf("rollup verify passed after %s (%d tries)", time.Since(start).Round(time.Millisecond), tries)
			return
		}
		if time.Now().After(deadline) {
			n, oldest := pendingJournal(s.t, db)
			if extended || n == 0 {
				s.t.Fatalf("hailong rollup verify still fails after %s (%d tries; %d pending journal entries): %v\nstdout:\n%s\nstderr:\n%s",
					time.Since(start).Round(time.Second), tries, n, err, clip(out, 4000), clip(errOut, 2000))
			}
			extended = true
			deadline = oldest.Add(time.Minute + 10*time.Second)
			s.t.Logf("rollup verify differs while %d journal entries are pending (oldest journaled %s ago); waiting until the worker checks them, up to %s",
				n, time.Since(oldest).Round(time.Second), time.Until(deadline).Round(time.Second))
		}
		time.Sleep(time.Second)
	}
}

// verifyCases runs `hailong cases verify` until every case is opened (the worker opens them
// with the batches it rolls up; entries a kill cut off are checked a minute after they were
// journaled) and fails unless every response that calls for a case has exactly one, and some do.
func (s *server) verifyCases() {
	s.t.Helper()
	start := time.Now()
	for {
		out, errOut, err := s.cli("cases", "verify")
		if err != nil || !strings.Contains(out, "without one: 0; with more than one: 0;") || strings.Contains(out, "call for a case: 0 (") {
			s.t.Fatalf("hailong cases verify: %v\nstdout:\n%s\nstderr:\n%s", err, clip(out, 4000), clip(errOut, 2000))
		}
		if strings.Contains(out, "(0 still being opened)") {
			s.t.Logf("cases verify after %s: %s", time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
			return
		}
		if time.Since(start) > 90*time.Second {
			s.t.Fatalf("cases still being opened after %s: %s", time.Since(start).Round(time.Second), out)
		}
		time.Sleep(time.Second)
	}
}

// pendingJournal counts journal entries not yet confirmed and returns when the oldest was written.
func pendingJournal(t *testing.T, db *mongo.Database) (int, time.Time) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cur, err := db.Collection("journal").Find(ctx, bson.D{{Key: "state", Value: "pending"}})
	if err != nil {
		t.Fatalf("read journal: %v", err)
	}
	var entries []mongodb.JournalEntry
	if err := cur.All(ctx, &entries); err != nil {
		t.Fatalf("read journal: %v", err)
	}
	oldest := time.Now()
	for i, e := range entries {
		if i < 5 && len(e.Events) > 0 {
			t.Logf("pending journal entry of %s: %d events, the first for %s %s", e.At.Format(time.RFC3339Nano), len(e.Events), e.Events[0].Col, e.Events[0].DocID)
		}
		if e.At.Before(oldest) {
			oldest = e.At
		}
	}
	return len(entries), oldest
}

// countIDs counts the documents of col whose _id is one of ids.
func countIDs(t *testing.T, col *mongo.Collection, ids []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	total := 0
	for start := 0; start < len(ids); start += 200 {
		chunk := ids[start:min(start+200, len(ids))]
		n, err := col.CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: chunk}}}})
		if err != nil {
			t.Fatalf("count %s: %v", col.Name(), err)
		}
		total += int(n)
	}
	return total
}

// countAll counts every document of col.
func countAll(t *testing.T, col *mongo.Collection) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := col.CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatalf("count %s: %v", col.Name(), err)
	}
	return int(n)
}

// checkStored asserts that every acknowledged token has its one response stored and that
// nothing is stored beyond the tokens attempted, and logs the figures.
func checkStored(t *testing.T, db *mongo.Database, acked, attempted []string) {
	t.Helper()
	col := db.Collection("responses")
	storedAcked := countIDs(t, col, acked)
	storedAttempted := countIDs(t, col, attempted)
	total := countAll(t, col)
	t.Logf("acknowledged 201: %d; stored of those: %d; attempted: %d; stored of attempted: %d; stored in all: %d",
		len(acked), storedAcked, len(attempted), storedAttempted, total)
	if storedAcked != len(acked) {
		t.Errorf("%d responses were acknowledged with 201 but only %d of them are stored", len(acked), storedAcked)
	}
	if total != storedAttempted || total > len(attempted) {
		t.Errorf("%d responses stored in all, %d of them for the %d tokens attempted", total, storedAttempted, len(attempted))
	}
}

// newClient is an HTTP client with a 15 s timeout that does not follow redirects.
func newClient() *http.Client {
	return &http.Client{
		Timeout:       15 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// ticket is what POST /api/v1/tickets answers.
type ticket struct {
	Token     string `json:"token"`
	ShortCode string `json:"short_code"`
}

// issueTickets issues n tickets through base, eight at a time; each must be 201.
func issueTickets(t *testing.T, c *http.Client, base, key, prefix string, n int) []string {
	t.Helper()
	start := time.Now()
	tokens := make([]string, n)
	errs := make(chan error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				tk, err := issueTicket(c, base, key, fmt.Sprintf("%s-%06d", prefix, i))
				if err != nil {
					errs <- err
					continue
				}
				tokens[i] = tk.Token
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("issue tickets: %v", err)
	}
	t.Logf("issued %d tickets in %s", n, time.Since(start).Round(time.Millisecond))
	return tokens
}

func issueTicket(c *http.Client, base, key, dossier string) (ticket, error) {
	body := `{"dossier_code":"` + dossier + `","field":"land","agency":"000.00.53.H48","counter":"c1"}`
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tickets", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := c.Do(req)
	if err != nil {
		return ticket{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return ticket{}, fmt.Errorf("dossier %s: status %d: %s", dossier, resp.StatusCode, b)
	}
	var tk ticket
	if err := json.Unmarshal(b, &tk); err != nil || tk.Token == "" {
		return ticket{}, fmt.Errorf("dossier %s: decode %q: %v", dossier, b, err)
	}
	return tk, nil
}

// outcome is what one submission got: a status, or a transport error.
type outcome struct {
	token      string
	status     int
	retryAfter string
	body       string
	err        error
	start, end time.Time
}

func (o outcome) String() string {
	if o.err != nil {
		return "error: " + o.err.Error()
	}
	return fmt.Sprintf("%d %s", o.status, clip(o.body, 200))
}

// submit posts one response for token with the overall rating.
func submit(c *http.Client, base, token string, overall int) outcome {
	o := outcome{token: token, start: time.Now()}
	body := `{"token":"` + token + `","answers":{"overall":` + strconv.Itoa(overall) + `}}`
	resp, err := c.Post(base+"/api/v1/responses", "application/json", strings.NewReader(body))
	if err != nil {
		o.err, o.end = err, time.Now()
		return o
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	o.end = time.Now()
	if err != nil {
		o.err = fmt.Errorf("read body after status %d: %w", resp.StatusCode, err)
		return o
	}
	o.status, o.retryAfter, o.body = resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
	return o
}

// load submits each token once from several clients until the tokens run out or Stop.
type load struct {
	c        *http.Client
	base     string
	next     chan string
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
	mu       sync.Mutex
	outcomes []outcome
	sent     int
	pause    time.Duration
	// stopOnError makes the first transport error stop the load, as if the clients gave up.
	stopOnError atomic.Bool
}

func startLoad(c *http.Client, base string, tokens []string, workers int) *load {
	return startPacedLoad(c, base, tokens, workers, 0)
}

// startPacedLoad is startLoad with each client pausing between its submissions, so that the
// load lasts long enough for a fault to happen in the middle of it.
func startPacedLoad(c *http.Client, base string, tokens []string, workers int, pause time.Duration) *load {
	l := &load{c: c, base: base, next: make(chan string, len(tokens)), stop: make(chan struct{}), pause: pause}
	for _, tk := range tokens {
		l.next <- tk
	}
	close(l.next)
	for w := range workers {
		l.wg.Go(func() { l.work(w) })
	}
	return l
}

func (l *load) work(w int) {
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		tk, ok := <-l.next
		if !ok {
			return
		}
		l.mu.Lock()
		l.sent++
		l.mu.Unlock()
		o := submit(l.c, l.base, tk, 1+w%5)
		l.mu.Lock()
		l.outcomes = append(l.outcomes, o)
		l.mu.Unlock()
		if o.err != nil && l.stopOnError.Load() {
			l.Stop()
		}
		time.Sleep(l.pause)
	}
}

// progress returns how many submissions were sent and how many of those have an answer.
func (l *load) progress() (sent, answered int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sent, len(l.outcomes)
}

// Stop makes the clients take no new token; submissions in flight carry on.
func (l *load) Stop() { l.stopOnce.Do(func() { close(l.stop) }) }

// Wait returns every outcome once the clients are done.
func (l *load) Wait() []outcome {
	l.wg.Wait()
	return l.outcomes
}

// tally splits outcomes into acknowledged (201), transport errors, and other statuses.
type tally struct {
	acked, failed, attempted []string
	byStatus                 map[int][]outcome
}

func tallyOf(outcomes []outcome) tally {
	tl := tally{byStatus: map[int][]outcome{}}
	for _, o := range outcomes {
		tl.attempted = append(tl.attempted, o.token)
		switch {
		case o.err != nil:
			tl.failed = append(tl.failed, o.token)
		case o.status == http.StatusCreated:
			tl.acked = append(tl.acked, o.token)
		default:
			tl.byStatus[o.status] = append(tl.byStatus[o.status], o)
		}
	}
	return tl
}

// resubmitAll submits every token again, eight at a time, and returns the outcomes.
func resubmitAll(c *http.Client, base string, tokens []string) []outcome {
	l := startLoad(c, base, tokens, 8)
	return l.Wait()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// postForm posts form values to base+path.
func postForm(c *http.Client, base, path string, v url.Values) (int, http.Header, error) {
	resp, err := c.Post(base+path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header, nil
}

// get fetches base+path and returns the status.
func get(c *http.Client, base, path string) (int, error) {
	resp, err := c.Get(base + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
