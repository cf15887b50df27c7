package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/org"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// benchOptions are the flags of `hailong bench`.
type benchOptions struct {
	clients, tickets, rate, rateSeconds int
	scales                              []int
	skipStats, statsOnly, keep          bool
	out, storeSync                      string
	storeFor, qrFor                     time.Duration
}

func parseBenchFlags(args []string, stderr io.Writer) (*benchOptions, error) {
	o := &benchOptions{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.clients, "clients", 64, "concurrent HTTP clients")
	fs.IntVar(&o.tickets, "tickets", 20000, "tickets to issue, then answer")
	fs.IntVar(&o.rate, "rate", 1000, "submissions per second in the fixed-rate phase")
	fs.IntVar(&o.rateSeconds, "rate-seconds", 10, "length of the fixed-rate phase")
	scales := fs.String("stats-scales", "10000,1000000,10000000", "comma-separated response counts for the stats query phase")
	fs.BoolVar(&o.skipStats, "skip-stats", false, "skip the stats query phase")
	fs.BoolVar(&o.statsOnly, "stats-only", false, "run only the stats query phase")
	fs.StringVar(&o.out, "out", "", "also write the report to this file")
	fs.StringVar(&o.storeSync, "store-sync", "full", "HAILONG_STORE_SYNC for the server: full or normal")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary data directories")
	fs.DurationVar(&o.storeFor, "store-for", 5*time.Second, "length of each raw store insert phase")
	fs.DurationVar(&o.qrFor, "qr-for", 2*time.Second, "length of each QR rendering phase")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.storeSync != "full" && o.storeSync != "normal" {
		return nil, fmt.Errorf("bench: --store-sync %q must be full or normal", o.storeSync)
	}
	if o.clients < 1 || o.tickets < 1 || o.rate < 1 || o.rateSeconds < 1 {
		return nil, errors.New("bench: --clients, --tickets, --rate and --rate-seconds must be at least 1")
	}
	var err error
	o.scales, err = parseScales(*scales)
	return o, err
}

func parseScales(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench: --stats-scales: %q is not a positive whole number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchCmd handles `hailong bench`: it drives a real server, started as a child process on
// loopback, and prints a plain-text report of what it measured.
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opt, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	out, closeOut, err := reportWriter(stdout, opt.out)
	if err != nil {
		return err
	}
	defer closeOut()
	b, err := newBench(opt, getenv, out, stderr)
	if err != nil {
		return err
	}
	defer b.cleanup()
	return b.run(ctx)
}

// reportWriter writes the report to stdout and, with --out, to a file as well.
func reportWriter(stdout io.Writer, path string) (io.Writer, func(), error) {
	if path == "" {
		return stdout, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: --out: %w", err)
	}
	return io.MultiWriter(stdout, f), func() { _ = f.Close() }, nil
}

// bench holds what every phase shares.
type bench struct {
	opt      *benchOptions
	exe      string // this executable, started as `serve` and `apikey create`
	root     string // temporary directory holding every data directory
	redisURL string
	out      io.Writer // the report
	progress io.Writer // progress lines (stderr)
	client   *http.Client
	accepted float64 // accepted submissions per second, for the store comparison
}

func newBench(opt *benchOptions, getenv func(string) string, out, progress io.Writer) (*bench, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: find this executable: %w", err)
	}
	root, err := os.MkdirTemp("", "hailong-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: temporary directory: %w", err)
	}
	return &bench{
		opt: opt, exe: exe, root: root, redisURL: getenv("REDIS_URL"),
		out: out, progress: progress, client: newHTTPClient(opt.clients),
	}, nil
}

func newHTTPClient(clients int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConns = 0 // no overall cap; the per-host cap below is the one that matters
	tr.MaxIdleConnsPerHost = clients
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

func (b *bench) cleanup() {
	b.client.CloseIdleConnections()
	if b.opt.keep {
		fmt.Fprintf(b.out, "\ndata kept in %s\n", b.root)
		return
	}
	_ = os.RemoveAll(b.root)
}

func (b *bench) printf(format string, a ...any) { fmt.Fprintf(b.out, format, a...) }

func (b *bench) section(title string) { b.printf("\n== %s\n", title) }

func (b *bench) logf(format string, a ...any) { fmt.Fprintf(b.progress, "bench: "+format+"\n", a...) }

func (b *bench) run(ctx context.Context) error {
	b.printf("Hài Lòng benchmark, %s\n", time.Now().Format(time.RFC3339))
	b.machine()
	if !b.opt.statsOnly {
		if err := b.serverPhases(ctx); err != nil {
			return err
		}
		if err := b.qrPhase(ctx); err != nil {
			return err
		}
	}
	if !b.opt.skipStats {
		for _, n := range b.opt.scales {
			if err := b.statsScale(ctx, n); err != nil {
				return err
			}
		}
	}
	b.printf("\nload average at end: %s\n", loadAverage())
	return nil
}

// machine prints what the figures were measured on.
func (b *bench) machine() {
	b.section("Machine")
	b.printf("CPUs: %d   %s/%s   %s\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	b.printf("CPU model: %s\n", cpuModel())
	b.printf("load average at start: %s (other work on the machine skews every figure)\n", loadAverage())
	b.printf("client and server share this machine; the server is a child process on loopback\n")
}

// loadAverage is the 1, 5 and 15 minute load average, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// serverPhases runs the HTTP phases and the raw store comparison against one server.
func (b *bench) serverPhases(ctx context.Context) error {
	dir := filepath.Join(b.root, "http")
	srv, err := b.startServer(ctx, dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	b.section("Server")
	b.printf("store: embedded (FerretDB on SQLite) in a fresh data directory, HAILONG_STORE_SYNC=%s\n", b.opt.storeSync)
	b.printf("redis: %s\n", b.redisStatus(ctx))
	b.printf("started: /healthz answered %s after exec\n", ms(srv.startup))
	api, err := b.apiFor(ctx, srv, dir)
	if err != nil {
		return err
	}
	tokens, err := b.issuePhase(ctx, srv, api)
	if err != nil {
		return err
	}
	if err := b.submitPhase(ctx, srv, api, tokens); err != nil {
		return err
	}
	if err := b.fixedRatePhase(ctx, srv, api); err != nil {
		return err
	}
	return b.storePhase(ctx, srv, dir)
}

// redisStatus says whether the server was given Redis, and whether it answers.
func (b *bench) redisStatus(ctx context.Context) string {
	if b.redisURL == "" {
		return "not used (REDIS_URL unset: in-process rate limiter)"
	}
	opt, err := redis.ParseURL(b.redisURL)
	if err != nil {
		return "REDIS_URL is invalid; the server falls back to the in-process limiter"
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return "REDIS_URL set but not answering (" + err.Error() + "); the server falls back to the in-process limiter"
	}
	return "used (" + opt.Addr + ", db " + strconv.Itoa(opt.DB) + ")"
}

func (b *bench) apiFor(ctx context.Context, srv *child, dir string) (*apiClient, error) {
	key, err := b.createKey(ctx, dir)
	if err != nil {
		return nil, err
	}
	return &apiClient{base: srv.url, key: key, http: b.client}, nil
}

// issuePhase issues --tickets tickets with --clients clients and returns their tokens.
func (b *bench) issuePhase(ctx context.Context, srv *child, api *apiClient) ([]string, error) {
	b.logf("issuing %d tickets", b.opt.tickets)
	tokens, t := b.issue(ctx, api, "I", b.opt.tickets)
	if err := srv.check(ctx); err != nil {
		return nil, err
	}
	b.section(fmt.Sprintf("Issue tickets: POST /api/v1/tickets, %d tickets, %d clients", b.opt.tickets, b.opt.clients))
	b.printf("issued: %d in %s = %.0f tickets/s\n", t.count(http.StatusCreated), secs(t.elapsed), t.rate(http.StatusCreated))
	b.printf("by quarter of the phase: %s\n", t.trend())
	b.printf("latency: %s\n", t.lat.summary())
	b.printf("errors: %s\n", t.errorLine(http.StatusCreated))
	waited, err := b.waitRolledUp(ctx, srv, api)
	if err != nil {
		return nil, err
	}
	b.printf("rollups caught up with the issued tickets %s after the last one; the next phase starts then\n", secs(waited))
	return tokens, nil
}

// waitRolledUp waits until the server's rollups have consumed its journal, so that a phase
// measures its own work and not the rollups of the phase before.
func (b *bench) waitRolledUp(ctx context.Context, srv *child, api *apiClient) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < 10*time.Minute {
		if n, ok := api.journalPending(ctx); ok && n == 0 {
			return time.Since(start), nil
		}
		if err := srv.check(ctx); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, errors.New("bench: the server's rollups did not catch up within 10 minutes")
}

// issue issues n tickets whose dossier codes start with tag; it returns the tokens it got.
func (b *bench) issue(ctx context.Context, api *apiClient, tag string, n int) ([]string, *tally) {
	tokens := make([]string, n)
	t := closedLoop(ctx, n, b.opt.clients, func(ctx context.Context, i int) int {
		var status int
		tokens[i], status = api.issue(ctx, fmt.Sprintf("BENCH-%s-%08d", tag, i))
		return status
	})
	return slices.DeleteFunc(tokens, func(s string) bool { return s == "" }), t
}

// submitPhase answers every issued ticket once, as fast as the clients allow.
func (b *bench) submitPhase(ctx context.Context, srv *child, api *apiClient, tokens []string) error {
	b.logf("submitting %d responses", len(tokens))
	t := closedLoop(ctx, len(tokens), b.opt.clients, func(ctx context.Context, i int) int {
		return api.submit(ctx, tokens[i], overallRating(false))
	})
	if err := srv.check(ctx); err != nil {
		return err
	}
	b.accepted = t.rate(http.StatusCreated)
	b.section(fmt.Sprintf("Submit responses: POST /api/v1/responses, one per ticket, %d clients", b.opt.clients))
	b.printf("accepted: %d of %d (201) in %s = %.0f accepted/s\n", t.count(http.StatusCreated), len(tokens), secs(t.elapsed), b.accepted)
	b.printf("by quarter of the phase: %s\n", t.trend())
	b.printf("latency: %s\n", t.lat.summary())
	b.printf("errors: %s\n", t.errorLine(http.StatusCreated))
	if mean, ok := api.meanBatch(ctx); ok {
		b.printf("server group commit: %.1f responses per batch insert on average\n", mean)
	}
	b.printf("goal >= 3000 accepted/s: %s\n", metOrNot(b.accepted >= 3000))
	return nil
}

// maxInFlight bounds the open-loop phase: beyond it a send waits, and the wait shows in latency.
const maxInFlight = 1024

// fixedRatePhase submits at --rate per second for --rate-seconds, open loop.
func (b *bench) fixedRatePhase(ctx context.Context, srv *child, api *apiClient) error {
	n := b.opt.rate * b.opt.rateSeconds
	b.logf("fixed rate: issuing %d tickets, then submitting at %d/s", n, b.opt.rate)
	tokens, it := b.issue(ctx, api, "R", n)
	waited, err := b.waitRolledUp(ctx, srv, api)
	if err != nil {
		return err
	}
	b.logf("fixed rate: sending %d submissions", len(tokens))
	interval := time.Second / time.Duration(b.opt.rate)
	t, sending := openLoop(ctx, len(tokens), interval, func(ctx context.Context, i int) int {
		return api.submit(ctx, tokens[i], overallRating(false))
	})
	if err := srv.check(ctx); err != nil {
		return err
	}
	b.section(fmt.Sprintf("Fixed rate: %d submissions/s for %d s, open loop", b.opt.rate, b.opt.rateSeconds))
	b.printf("tickets issued first: %d in %s; rollups caught up %s later\n", len(tokens), secs(it.elapsed), secs(waited))
	b.printf("sent: %d in %s = %.0f/s; accepted (201): %d by the last answer at %s = %.0f/s achieved\n",
		len(t.lat), secs(sending), float64(len(t.lat))/sending.Seconds(), t.count(http.StatusCreated), secs(t.elapsed), t.rate(http.StatusCreated))
	b.printf("latency (from scheduled send): %s\n", t.lat.summary())
	b.printf("errors: %s\n", t.errorLine(http.StatusCreated))
	b.printf("goal p99 <= 50 ms at this rate: %s\n", metOrNot(len(t.lat) > 0 && t.lat.percentile(99) <= 50*time.Millisecond))
	return nil
}

func metOrNot(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// storePhase measures the running server's store directly, to compare with submissions.
func (b *bench) storePhase(ctx context.Context, srv *child, dir string) error {
	uri, ok := embedded.RunningURI(dir)
	if !ok {
		return errors.New("bench: the server does not expose its store socket")
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(uint64(b.opt.clients)))
	if err != nil {
		return fmt.Errorf("bench: connect to the store: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	col := client.Database("hailong").Collection("bench_raw")
	b.logf("raw store inserts, %s each", b.opt.storeFor)
	defer func() { _ = col.Drop(context.Background()) }()
	insertOne := func(ctx context.Context) (int, error) {
		_, err := col.InsertOne(ctx, synthResponse(rand.IntN(1e6), 1e6))
		return 1, err
	}
	alone := forDuration(ctx, 1, b.opt.storeFor, insertOne)
	single := forDuration(ctx, b.opt.clients, b.opt.storeFor, insertOne)
	const writers, batch = 4, 500
	many := forDuration(ctx, writers, b.opt.storeFor, func(ctx context.Context) (int, error) {
		_, err := col.InsertMany(ctx, synthBatch(batch), options.InsertMany().SetOrdered(false))
		return batch, err
	})
	if err := srv.check(ctx); err != nil {
		return err
	}
	b.section("Store limit: mongo-driver against the server's store socket, scratch collection bench_raw")
	b.printf("InsertOne, 1 goroutine: %s\n", alone)
	b.printf("InsertOne, %s: %s\n", goroutines(b.opt.clients), single)
	b.printf("InsertMany of %d, %s: %s\n", batch, goroutines(writers), many)
	if single.perSec() > 0 {
		b.printf("accepted submissions/s ÷ single inserts/s = %.0f ÷ %.0f = %.2f\n", b.accepted, single.perSec(), b.accepted/single.perSec())
	}
	return nil
}

func synthBatch(n int) []any {
	docs := make([]any, n)
	for i := range docs {
		docs[i] = synthResponse(rand.IntN(1e6), 1e6)
	}
	return docs
}

// qrPhase renders QR codes in-process on every CPU.
func (b *bench) qrPhase(ctx context.Context) error {
	workers := runtime.NumCPU()
	b.logf("rendering QR codes, %s each", b.opt.qrFor)
	uncached, cached := qr.NewGenerator(0), qr.NewGenerator(4096)
	const base = "https://hailong.example.gov.vn/s/"
	fixed := base + survey.NewToken()
	_, _ = cached.PNG(fixed, qr.DefaultSize)
	png := forDuration(ctx, workers, b.opt.qrFor, func(context.Context) (int, error) {
		_, err := uncached.PNG(base+survey.NewToken(), qr.DefaultSize)
		return 1, err
	})
	hit := forDuration(ctx, workers, b.opt.qrFor, func(context.Context) (int, error) {
		_, err := cached.PNG(fixed, qr.DefaultSize)
		return 1, err
	})
	svg := forDuration(ctx, workers, b.opt.qrFor, func(context.Context) (int, error) {
		_, err := uncached.SVG(base + survey.NewToken())
		return 1, err
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	b.section("QR codes: in-process, internal/qr, " + goroutines(workers))
	b.printf("PNG %d px, uncached: %s\n", qr.DefaultSize, png)
	b.printf("PNG %d px, cached:   %s\n", qr.DefaultSize, hit)
	b.printf("SVG, uncached:       %s\n", svg)
	return nil
}

// statsCalls is how many times each stats query is timed, for each of statsGroupings.
const statsCalls = 20

var statsGroupings = []string{stats.ByField, stats.ByAgency, stats.ByMonth}

// statsScale loads n synthetic responses with the server stopped, then times stats queries.
func (b *bench) statsScale(ctx context.Context, n int) error {
	dir := filepath.Join(b.root, fmt.Sprintf("stats-%d", n))
	b.logf("stats %d: loading synthetic responses with the server stopped", n)
	if !b.opt.keep {
		defer os.RemoveAll(dir)
	}
	load, err := b.loadSynthetic(ctx, dir, n)
	if err != nil {
		return err
	}
	srv, err := b.startServer(ctx, dir)
	if err != nil {
		return err
	}
	defer srv.stop()
	api := &apiClient{base: srv.url, key: load.key, http: b.client}
	b.logf("stats %d: loaded; timing queries", n)
	ready, err := waitStatsComplete(ctx, api, srv, int64(n))
	if err != nil {
		return err
	}
	timed := map[string]latencies{}
	for _, by := range statsGroupings {
		timed[by] = timeStats(ctx, api, by)
	}
	if err := srv.check(ctx); err != nil {
		return err
	}
	b.section(fmt.Sprintf("Stats query: %d responses over 2025, %d rollup buckets", n, load.buckets))
	b.printf("load (server stopped): %s\n", load)
	b.printf("server start: /healthz after %s; stats complete (all %d buckets in memory) after %s\n", ms(srv.startup), load.buckets, ms(ready))
	for _, by := range statsGroupings {
		b.printf("GET /api/v1/stats?from=2025-01-01&to=2025-12-31&group_by=%-6s  %s (%d of %d calls answered)\n", by, timed[by].summaryMax(), len(timed[by]), statsCalls)
	}
	return nil
}

func timeStats(ctx context.Context, api *apiClient, groupBy string) latencies {
	var lat latencies
	for range statsCalls {
		start := time.Now()
		if _, err := api.stats(ctx, groupBy); err != nil {
			continue
		}
		lat = append(lat, time.Since(start))
	}
	return lat
}

// waitStatsComplete waits until the server's stats count all n responses, and returns how long
// after exec that was: the server loads every rollup bucket into memory at start.
func waitStatsComplete(ctx context.Context, api *apiClient, srv *child, n int64) (time.Duration, error) {
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		if got, err := api.stats(ctx, stats.ByField); err == nil && got == n {
			return time.Since(srv.started), nil
		}
		if err := srv.check(ctx); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("bench: the server's stats did not reach %d responses within 10 minutes", n)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ---- the server child process ----

// child is a `hailong serve` started by the bench.
type child struct {
	cmd      *exec.Cmd
	url      string
	started  time.Time
	startup  time.Duration // exec to the first healthy /healthz
	done     chan struct{}
	err      error // set when done closes
	logPath  string
	stopOnce sync.Once
}

// startServer starts the server on dir and a free loopback port, and waits for /healthz.
func (b *bench) startServer(ctx context.Context, dir string) (*child, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("bench: server log: %w", err)
	}
	cmd := exec.Command(b.exe, "serve")
	cmd.Env = b.childEnv(dir, addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	c := &child{cmd: cmd, url: "http://" + addr, done: make(chan struct{}), logPath: logPath}
	c.started = time.Now()
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("bench: start the server: %w", err)
	}
	go func() { c.err = cmd.Wait(); _ = logf.Close(); close(c.done) }()
	if err := c.waitHealthy(ctx, b.client); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// childEnv is this process's environment without any Hài Lòng or store settings, plus the
// bench's: a fresh data directory, loopback, and rate limits no single client IP reaches.
func (b *bench) childEnv(dir, addr string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "HAILONG_") || strings.HasPrefix(kv, "MONGODB_URI=") || strings.HasPrefix(kv, "REDIS_URL=")
	})
	env = append(env,
		"HAILONG_DATA_DIR="+dir, "HAILONG_ADDR="+addr, "HAILONG_BASE_URL=http://"+addr,
		"HAILONG_LIMIT_SUBMIT=10000000", "HAILONG_LIMIT_LOOKUP=10000000", "HAILONG_STORE_SYNC="+b.opt.storeSync)
	if b.redisURL != "" {
		env = append(env, "REDIS_URL="+b.redisURL)
	}
	return env
}

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func (c *child) waitHealthy(ctx context.Context, client *http.Client) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-c.done:
			return fmt.Errorf("bench: the server exited at start (%v); its log:\n%s", c.err, tail(c.logPath, 2000))
		default:
		}
		if healthy(ctx, client, c.url) {
			c.startup = time.Since(c.started)
			return nil
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("bench: the server did not answer /healthz within 2 minutes; its log:\n%s", tail(c.logPath, 2000))
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

// stop asks the server to shut down (SIGTERM) and kills it after 20 s.
func (c *child) stop() {
	c.stopOnce.Do(func() {
		_ = c.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(20 * time.Second):
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
}

// check fails when the run was interrupted or the server has exited, so that no phase reports
// figures measured against nothing.
func (c *child) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case <-c.done:
		return fmt.Errorf("bench: the server exited (%v); its log ends:\n%s", c.err, tail(c.logPath, 2000))
	default:
		return nil
	}
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// createKey runs `hailong apikey create` beside the server on dir; it reaches the server's
// store over its socket and prints the key.
func (b *bench) createKey(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, b.exe, "apikey", "create", "--name", "bench", "--scope", "tickets:write,stats:read")
	cmd.Env = b.childEnv(dir, "127.0.0.1:0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bench: apikey create: %w: %s", err, stderr.String())
	}
	return strings.TrimSpace(string(out)), nil
}

// ---- HTTP API client ----

// apiClient calls the server's API as the one-stop e-system and citizens would.
type apiClient struct {
	base, key string
	http      *http.Client
}

// ticketBody is the POST /api/v1/tickets request.
type ticketBody struct {
	DossierCode string `json:"dossier_code"`
	Field       string `json:"field"`
	Agency      string `json:"agency"`
	Counter     string `json:"counter"`
	Officer     string `json:"officer"`
	OnTime      bool   `json:"on_time"`
}

// issue asks for a ticket for dossier; the token is empty unless the status is 201.
func (a *apiClient) issue(ctx context.Context, dossier string) (string, int) {
	u := randomUnit()
	body, _ := json.Marshal(ticketBody{DossierCode: dossier, Field: u.field, Agency: u.agency, Counter: u.counter, Officer: u.officer, OnTime: true})
	status, resp := a.do(ctx, http.MethodPost, "/api/v1/tickets", body)
	if status != http.StatusCreated {
		return "", status
	}
	var t struct {
		Token string `json:"token"`
	}
	if json.Unmarshal(resp, &t) != nil {
		return "", -1
	}
	return t.Token, status
}

// submit answers the ticket with an overall rating and returns the status.
func (a *apiClient) submit(ctx context.Context, token string, overall int) int {
	body := `{"token":"` + token + `","answers":{"overall":` + strconv.Itoa(overall) + `}}`
	status, _ := a.do(ctx, http.MethodPost, "/api/v1/responses", []byte(body))
	return status
}

// stats queries 2025 grouped by groupBy and returns the responses answered in it.
func (a *apiClient) stats(ctx context.Context, groupBy string) (int64, error) {
	status, resp := a.do(ctx, http.MethodGet, "/api/v1/stats?from=2025-01-01&to=2025-12-31&group_by="+groupBy, nil)
	if status != http.StatusOK {
		return 0, fmt.Errorf("bench: stats answered %d: %.200s", status, resp)
	}
	var r struct {
		Overall struct {
			Answered int64 `json:"answered"`
		} `json:"overall"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return 0, fmt.Errorf("bench: decode stats: %w", err)
	}
	return r.Overall.Answered, nil
}

// journalPending reads how many journal entries the server has not yet rolled up.
func (a *apiClient) journalPending(ctx context.Context) (float64, bool) {
	status, resp := a.do(ctx, http.MethodGet, "/metrics", nil)
	if status != http.StatusOK || !bytes.Contains(resp, []byte("hailong_rollup_journal_pending ")) {
		return 0, false
	}
	return metric(resp, "hailong_rollup_journal_pending"), true
}

// meanBatch reads the server's mean group-commit batch size from /metrics.
func (a *apiClient) meanBatch(ctx context.Context) (float64, bool) {
	status, resp := a.do(ctx, http.MethodGet, "/metrics", nil)
	if status != http.StatusOK {
		return 0, false
	}
	sum, count := metric(resp, "hailong_response_batch_size_sum"), metric(resp, "hailong_response_batch_size_count")
	if count == 0 {
		return 0, false
	}
	return sum / count, true
}

func metric(text []byte, name string) float64 {
	for line := range strings.Lines(string(text)) {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return f
		}
	}
	return 0
}

// do sends one request and reads the whole answer, so the connection is reused. The status is
// 0 when the request failed before an answer.
func (a *apiClient) do(ctx context.Context, method, path string, body []byte) (int, []byte) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+a.key)
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// ---- load generators ----

// closedLoop runs n requests with workers clients, each sending its next request when the last
// one is answered.
func closedLoop(ctx context.Context, n, workers int, do func(ctx context.Context, i int) int) *tally {
	var next atomic.Int64
	parts := make([]*tally, workers)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range parts {
		t := newTally()
		parts[w] = t
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				sent := time.Now()
				status := do(ctx, i)
				t.add(status, time.Since(sent), time.Since(start))
			}
		})
	}
	wg.Wait()
	total := newTally()
	for _, p := range parts {
		total.merge(p)
	}
	total.elapsed = time.Since(start)
	return total
}

// openLoop sends request i at start + i×interval, each in its own goroutine, whatever the
// answers before it. Latency runs from the scheduled time, so a server falling behind shows up
// in it rather than slowing the sender (no coordinated omission). It also returns how long
// sending took.
func openLoop(ctx context.Context, n int, interval time.Duration, do func(ctx context.Context, i int) int) (*tally, time.Duration) {
	sem := make(chan struct{}, maxInFlight)
	var mu sync.Mutex
	t := newTally()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if sleep(ctx, time.Until(due)) != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			status := do(ctx, i)
			mu.Lock()
			t.add(status, time.Since(due), time.Since(start))
			mu.Unlock()
		})
	}
	sending := time.Since(start)
	wg.Wait()
	t.elapsed = time.Since(start)
	return t, sending
}

// throughput is what forDuration counted.
type throughput struct {
	ops, errs int
	elapsed   time.Duration
}

func (t throughput) perSec() float64 { return float64(t.ops) / t.elapsed.Seconds() }

func (t throughput) String() string {
	s := fmt.Sprintf("%.0f/s (%d in %s)", t.perSec(), t.ops, secs(t.elapsed))
	if t.errs > 0 {
		s += fmt.Sprintf(", %d errors", t.errs)
	}
	return s
}

// forDuration calls op from workers goroutines for d and counts what they did; op returns how
// many operations one call performed.
func forDuration(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context) (int, error)) throughput {
	var ops, errs atomic.Int64
	start := time.Now()
	stop := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) && ctx.Err() == nil {
				n, err := op(ctx)
				if err != nil {
					errs.Add(1)
					continue
				}
				ops.Add(int64(n))
			}
		})
	}
	wg.Wait()
	return throughput{ops: int(ops.Load()), errs: int(errs.Load()), elapsed: time.Since(start)}
}

// ---- figures ----

// latencies are request durations.
type latencies []time.Duration

// percentile returns the p-th percentile (nearest rank) of l.
func (l latencies) percentile(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func (l latencies) summary() string {
	if len(l) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s", ms(l.percentile(50)), ms(l.percentile(95)), ms(l.percentile(99)), ms(l.percentile(100)))
}

func (l latencies) summaryMax() string {
	if len(l) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("p50 %s  p95 %s  max %s", ms(l.percentile(50)), ms(l.percentile(95)), ms(l.percentile(100)))
}

func goroutines(n int) string {
	if n == 1 {
		return "1 goroutine"
	}
	return strconv.Itoa(n) + " goroutines"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// tally collects the statuses and latencies of a phase's requests.
type tally struct {
	lat      latencies
	finished []time.Duration // when each request was answered, from the start of the phase
	statuses map[int]int
	elapsed  time.Duration
}

func newTally() *tally { return &tally{statuses: map[int]int{}} }

func (t *tally) add(status int, latency, finished time.Duration) {
	t.lat = append(t.lat, latency)
	t.finished = append(t.finished, finished)
	t.statuses[status]++
}

func (t *tally) merge(o *tally) {
	t.lat = append(t.lat, o.lat...)
	t.finished = append(t.finished, o.finished...)
	for s, n := range o.statuses {
		t.statuses[s] += n
	}
}

func (t *tally) count(status int) int { return t.statuses[status] }

// trend is the answer rate in each quarter of the phase: a falling rate means the server slows
// down as its data grows.
func (t *tally) trend() string {
	if len(t.finished) == 0 || t.elapsed <= 0 {
		return "no answers"
	}
	var n [4]int
	for _, f := range t.finished {
		n[min(int(4*f/t.elapsed), 3)]++
	}
	quarter := t.elapsed.Seconds() / 4
	return fmt.Sprintf("%.0f, %.0f, %.0f, %.0f answers/s", float64(n[0])/quarter, float64(n[1])/quarter, float64(n[2])/quarter, float64(n[3])/quarter)
}

func (t *tally) rate(status int) float64 {
	if t.elapsed <= 0 {
		return 0
	}
	return float64(t.count(status)) / t.elapsed.Seconds()
}

// errorLine lists the counts of every status but ok, e.g. "409: 3, no answer: 1".
func (t *tally) errorLine(ok int) string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(t.statuses)) {
		if s == ok {
			continue
		}
		name := strconv.Itoa(s)
		switch s {
		case 0:
			name = "no answer"
		case -1:
			name = "unreadable answer"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, t.statuses[s]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// ---- synthetic data ----

var (
	benchAgencies = []string{"000.00.01.H48", "000.00.02.H48", "000.00.03.H48", "000.00.04.H48", "000.00.05.H48", "000.00.06.H48"}
	benchSources  = []survey.Source{survey.SourceQR, survey.SourceKiosk, survey.SourceOnline}
	benchFields   = fieldCodes()
	// lowFields are rated lower than the rest, as land and building permits are in practice.
	lowFields = map[string]bool{"land": true, "construction": true, "planning": true}
	// ratingWeights are the chances of ratings 1..5, for ordinary and for low fields.
	ratingWeights = map[bool][5]float64{false: {.02, .03, .08, .32, .55}, true: {.07, .10, .18, .33, .32}}
	year2025      = time.Date(2025, 1, 1, 0, 0, 0, 0, stats.TimeZone())
)

func fieldCodes() []string {
	var codes []string
	for _, f := range org.DefaultFields() {
		codes = append(codes, f.Code)
	}
	return codes
}

// unit is where a dossier was handled: 6 agencies × 2 counters, one officer per counter.
type unit struct{ agency, counter, officer, field string }

func randomUnit() unit {
	a, c := rand.IntN(len(benchAgencies)), rand.IntN(2)
	return unit{
		agency: benchAgencies[a], counter: "q" + strconv.Itoa(c+1),
		officer: fmt.Sprintf("cb-%d-%d", a+1, c+1), field: benchFields[rand.IntN(len(benchFields))],
	}
}

// overallRating draws a rating: mostly 4–5, lower in low fields.
func overallRating(low bool) int {
	p := rand.Float64()
	for r, w := range ratingWeights[low] {
		if p < w {
			return r + 1
		}
		p -= w
	}
	return 5
}

// synthResponse is response i of n, submitted in order over 2025 (Asia/Ho_Chi_Minh).
func synthResponse(i, n int) *survey.Response {
	u := randomUnit()
	overall := overallRating(lowFields[u.field])
	span := year2025.AddDate(1, 0, 0).Sub(year2025)
	at := year2025.Add(time.Duration((float64(i) + rand.Float64()) / float64(n) * float64(span)))
	onTime := rand.Float64() < .92
	return &survey.Response{
		Token: survey.NewToken(), Nonce: survey.NewToken(), SurveyID: "sipas-full", SurveyVersion: 1,
		Overall: overall, Answers: map[string]any{"overall": overall}, Criteria: criteria(overall),
		ExtraPayment: rand.Float64() < .005, DossierCode: fmt.Sprintf("SYN-%09d", i), Field: u.field,
		Agency: u.agency, Counter: u.counter, Officer: u.officer, Source: benchSources[rand.IntN(len(benchSources))],
		OnTime: &onTime, Lang: "vi", SubmittedAt: at.UTC(),
	}
}

// criteria rates each SIPAS criterion within one point of the overall rating.
func criteria(overall int) []survey.CriterionRating {
	out := make([]survey.CriterionRating, len(stats.Criteria))
	for i, c := range stats.Criteria {
		out[i] = survey.CriterionRating{Criterion: c, Rating: min(max(overall+rand.IntN(3)-1, 1), 5)}
	}
	return out
}

// loadResult is what loading one scale took.
type loadResult struct {
	responses, buckets int
	raw, total         time.Duration
	key                string // a stats:read API key, created while the store was open
}

func (l loadResult) String() string {
	return fmt.Sprintf("%d responses in %s (%.0f/s), then %d rollup docs; %s in all (%.0f docs/s)",
		l.responses, secs(l.raw), float64(l.responses)/l.raw.Seconds(), l.buckets,
		secs(l.total), float64(l.responses+l.buckets)/l.total.Seconds())
}

// loadWriters insert in parallel; the store's single SQLite writer is the limit beyond a few.
const (
	loadWriters = 4
	loadBatch   = 1000
)

// loadSynthetic starts the embedded store on dir in-process and writes n synthetic responses
// and their rollup buckets straight into it, far faster than through the API.
func (b *bench) loadSynthetic(ctx context.Context, dir string, n int) (loadResult, error) {
	log := slog.New(slog.NewTextHandler(b.progress, &slog.HandlerOptions{Level: slog.LevelWarn}))
	es, err := embedded.Start(dir, log, "normal") // a loader: nothing here is acknowledged to anyone
	if err != nil {
		return loadResult{}, err
	}
	defer es.Stop()
	db, err := mongodb.Open(ctx, es.URI, "hailong")
	if err != nil {
		return loadResult{}, err
	}
	defer func() { _ = db.Close(context.Background()) }()
	if err := db.EnsureSchema(ctx); err != nil {
		return loadResult{}, err
	}
	key, _, err := mongodb.NewAPIKeyStore(db).CreateAPIKey(ctx, "bench", []string{account.ScopeStatsRead})
	if err != nil {
		return loadResult{}, err
	}
	start := time.Now()
	buckets, err := b.insertResponses(ctx, db.DB.Collection("responses"), n)
	if err != nil {
		return loadResult{}, err
	}
	res := loadResult{responses: n, buckets: len(buckets), raw: time.Since(start), key: key}
	if err := insertRollups(ctx, db.DB.Collection("rollups"), buckets); err != nil {
		return loadResult{}, err
	}
	res.total = time.Since(start)
	return res, nil
}

// insertResponses writes n responses from loadWriters goroutines, each a contiguous stretch of
// the year, and returns their rollup buckets.
func (b *bench) insertResponses(ctx context.Context, col *mongo.Collection, n int) (stats.Buckets, error) {
	var done atomic.Int64
	stop := b.reportProgress(n, &done)
	defer stop()
	parts := make([]stats.Buckets, loadWriters)
	errs := make([]error, loadWriters)
	var wg sync.WaitGroup
	for w := range loadWriters {
		wg.Go(func() {
			parts[w], errs[w] = insertRange(ctx, col, n*w/loadWriters, n*(w+1)/loadWriters, n, &done)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := stats.Buckets{}
	for _, p := range parts {
		all.Merge(p)
	}
	return all, nil
}

func insertRange(ctx context.Context, col *mongo.Collection, lo, hi, n int, done *atomic.Int64) (stats.Buckets, error) {
	buckets := stats.Buckets{}
	batch := make([]any, 0, loadBatch)
	for i := lo; i < hi; i++ {
		r := synthResponse(i, n)
		buckets.Add(stats.ResponseBucket(r), stats.ResponseCounts(r))
		batch = append(batch, r)
		if len(batch) < loadBatch && i < hi-1 {
			continue
		}
		if err := insertBatch(ctx, col, batch); err != nil {
			return nil, err
		}
		done.Add(int64(len(batch)))
		batch = batch[:0]
	}
	return buckets, nil
}

func insertRollups(ctx context.Context, col *mongo.Collection, buckets stats.Buckets) error {
	docs := make([]any, 0, loadBatch)
	flush := func() error {
		if len(docs) == 0 {
			return nil
		}
		err := insertBatch(ctx, col, docs)
		docs = docs[:0]
		return err
	}
	for _, bucket := range buckets {
		if docs = append(docs, mongodb.RollupDoc(bucket)); len(docs) == loadBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// insertBatch inserts docs with a deadline of its own: it outlasts the store client's 10 s
// default, which a busy machine can exceed for a batch.
func insertBatch(ctx context.Context, col *mongo.Collection, docs []any) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if _, err := col.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false)); err != nil {
		return fmt.Errorf("bench: insert into %s: %w", col.Name(), err)
	}
	return nil
}

// reportProgress prints a progress line to stderr every 5 s until stopped.
func (b *bench) reportProgress(n int, done *atomic.Int64) (stop func()) {
	quit := make(chan struct{})
	start := time.Now()
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				d := done.Load()
				b.logf("stats %d: loaded %d responses (%.0f%%), %.0f/s", n, d, 100*float64(d)/float64(n), float64(d)/time.Since(start).Seconds())
			}
		}
	}()
	return func() { close(quit) }
}
