package bench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/qr"
	"github.com/hailong/hailong/internal/serverproc"
	"github.com/hailong/hailong/internal/survey"
	"github.com/redis/go-redis/v9"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// serverPhases runs the HTTP phases and the raw store comparison against --instances servers
// on one store, the load spread over them.
func (b *bench) serverPhases(ctx context.Context) error {
	var servers []*serverproc.Server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for i := range b.opt.instances {
		dir := filepath.Join(b.root, "http")
		if i > 0 {
			dir += strconv.Itoa(i + 1)
		}
		srv, err := b.startServer(ctx, dir)
		if err != nil {
			return err
		}
		servers = append(servers, srv)
	}
	srv := servers[0]
	b.section("Server")
	b.printf("store: %s\n", b.storeDescription())
	b.printf("redis: %s\n", b.redisStatus(ctx))
	b.printf("started: /healthz answered %s after exec\n", ms(srv.Startup()))
	api, err := b.apiFor(ctx, servers)
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
	if err := b.batchPhase(ctx, srv, api); err != nil {
		return err
	}
	if err := b.fixedRatePhase(ctx, srv, api); err != nil {
		return err
	}
	b.serverMemory(servers)
	return b.storePhase(ctx, srv)
}

// serverMemory prints each server's resident memory after the phases above: the collector's
// pace trades it for CPU, so throughput figures come with it.
func (b *bench) serverMemory(servers []*serverproc.Server) {
	b.section("Server memory over the phases above")
	for i, s := range servers {
		b.printf("server %d: at most %s (VmHWM), %s now (VmRSS)\n", i+1, memOf(s.Pid(), "VmHWM"), memOf(s.Pid(), "VmRSS"))
	}
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

// apiFor is an API client of the servers holding a new tickets:write and stats:read key.
func (b *bench) apiFor(ctx context.Context, servers []*serverproc.Server) (*apiClient, error) {
	key, err := createKey(ctx, servers[0])
	if err != nil {
		return nil, err
	}
	api := &apiClient{key: key, http: b.client}
	for _, s := range servers {
		api.bases = append(api.bases, s.URL())
	}
	return api, nil
}

// issuePhase issues --tickets tickets with --clients clients and returns their tokens.
func (b *bench) issuePhase(ctx context.Context, srv *serverproc.Server, api *apiClient) ([]string, error) {
	b.logf("issuing %d tickets", b.opt.tickets)
	tokens, t := b.issue(ctx, api, "I", b.opt.tickets)
	if err := check(ctx, srv); err != nil {
		return nil, err
	}
	b.section(fmt.Sprintf("Issue tickets: POST /api/v1/tickets, %d tickets, %d clients", b.opt.tickets, b.opt.clients))
	b.printf("issued: %d in %s = %.0f tickets/s\n", t.count(http.StatusCreated), secs(t.elapsed), t.rate(http.StatusCreated))
	b.printf("by quarter of the phase: %s\n", t.trend())
	b.printf("latency: %s\n", t.lat.summary())
	b.printf("errors: %s\n", t.errorLine(http.StatusCreated))
	b.issued = t.rate(http.StatusCreated)
	if b.opt.storeURI == "" {
		b.printf("goal >= 2000 tickets/s, p50 < 30 ms, p99 < 100 ms: %s\n", metOrNot(b.issued >= 2000 &&
			t.lat.percentile(50) < 30*time.Millisecond && t.lat.percentile(99) < 100*time.Millisecond))
	} else {
		b.printf("goal >= 500 tickets/s on an external store: %s\n", metOrNot(b.issued >= 500))
	}
	waited, err := b.waitRolledUp(ctx, srv, api)
	if err != nil {
		return nil, err
	}
	b.printf("rollups caught up with the issued tickets %s after the last one; the next phase starts then\n", secs(waited))
	return tokens, nil
}

// batchSize and batchClients shape the batch import phase: the largest call the API takes,
// from a few e-systems at once.
const batchSize, batchClients = 500, 4

// batchPhase imports --tickets dossiers through POST /api/v1/tickets/batch.
func (b *bench) batchPhase(ctx context.Context, srv *serverproc.Server, api *apiClient) error {
	calls := (b.opt.tickets + batchSize - 1) / batchSize
	b.logf("importing %d dossiers in %d batch calls", calls*batchSize, calls)
	var created atomic.Int64
	t := closedLoop(ctx, calls, batchClients, func(ctx context.Context, i int) int {
		dossiers := make([]string, batchSize)
		for k := range dossiers {
			dossiers[k] = fmt.Sprintf("BENCH-B-%06d-%03d", i, k)
		}
		status, n := api.issueBatch(ctx, dossiers)
		created.Add(int64(n))
		return status
	})
	if err := check(ctx, srv); err != nil {
		return err
	}
	rate := float64(created.Load()) / t.elapsed.Seconds()
	b.imported = rate
	b.section(fmt.Sprintf("Batch import: POST /api/v1/tickets/batch, %d calls of %d dossiers, %d clients", calls, batchSize, batchClients))
	b.printf("issued: %d in %s = %.0f dossiers/s\n", created.Load(), secs(t.elapsed), rate)
	b.printf("latency per call: %s\n", t.lat.summary())
	b.printf("errors: %s\n", t.errorLine(http.StatusOK))
	b.printf("goal >= 10000 dossiers/s: %s\n", metOrNot(rate >= 10000))
	waited, err := b.waitRolledUp(ctx, srv, api)
	if err != nil {
		return err
	}
	b.printf("rollups caught up %s after the last call\n", secs(waited))
	return nil
}

// waitRolledUp waits until the server's rollups have consumed its journal, so that a phase
// measures its own work and not the rollups of the phase before.
func (b *bench) waitRolledUp(ctx context.Context, srv *serverproc.Server, api *apiClient) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < 10*time.Minute {
		if n, ok := api.journalPending(ctx); ok && n == 0 {
			return time.Since(start), nil
		}
		if err := check(ctx, srv); err != nil {
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
func (b *bench) submitPhase(ctx context.Context, srv *serverproc.Server, api *apiClient, tokens []string) error {
	b.logf("submitting %d responses", len(tokens))
	t := closedLoop(ctx, len(tokens), b.opt.clients, func(ctx context.Context, i int) int {
		return api.submit(ctx, tokens[i], overallRating(false))
	})
	if err := check(ctx, srv); err != nil {
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
	if goal := submitGoal(b.opt.storeURI); goal > 0 {
		b.printf("goal >= %d accepted/s: %s\n", goal, metOrNot(b.accepted >= float64(goal)))
	}
	return nil
}

// fixedRatePhase submits at --rate per second for --rate-seconds, open loop.
func (b *bench) fixedRatePhase(ctx context.Context, srv *serverproc.Server, api *apiClient) error {
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
	if err := check(ctx, srv); err != nil {
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

// storePhase measures the running server's store directly, to compare with submissions.
func (b *bench) storePhase(ctx context.Context, srv *serverproc.Server) error {
	uri, ok, db := b.opt.storeURI, true, b.storeDB
	if uri == "" {
		uri, ok = embedded.RunningURI(srv.DataDir())
		db = "hailong"
	}
	if !ok {
		return errors.New("bench: the server does not expose its store socket")
	}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMaxPoolSize(uint64(b.opt.clients)))
	if err != nil {
		return fmt.Errorf("bench: connect to the store: %w", err)
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	col := client.Database(db).Collection("bench_raw")
	b.logf("raw store inserts, %s each", b.opt.storeFor)
	defer func() { _ = col.Drop(context.Background()) }()
	alone, single, many := b.storeInserts(ctx, col)
	if err := check(ctx, srv); err != nil {
		return err
	}
	b.section("Store limit: mongo-driver against the server's store, scratch collection bench_raw")
	b.printf("InsertOne, 1 goroutine: %s\n", alone)
	b.printf("InsertOne, %s: %s\n", goroutines(b.opt.clients), single)
	b.printf("InsertMany of %d, %s: %s\n", storeBatch, goroutines(storeWriters), many)
	if single.perSec() > 0 {
		b.printf("accepted submissions/s ÷ single inserts/s = %.0f ÷ %.0f = %.2f\n", b.accepted, single.perSec(), b.accepted/single.perSec())
		b.printf("issued tickets/s ÷ single inserts/s = %.0f ÷ %.0f = %.2f\n", b.issued, single.perSec(), b.issued/single.perSec())
	}
	if many.perSec() > 0 {
		b.printf("imported dossiers/s ÷ documents/s of InsertMany = %.0f ÷ %.0f = %.2f\n", b.imported, many.perSec(), b.imported/many.perSec())
	}
	return nil
}

// submitGoal is the issue's target of accepted submissions per second: 5,000 on the embedded
// store, 3,000 on an external one (with two instances).
func submitGoal(storeURI string) int {
	if storeURI == "" {
		return 5000
	}
	return 3000
}

// storeWriters insert batches of storeBatch in the store phase's InsertMany run.
const storeWriters, storeBatch = 4, 500

// storeInserts times single inserts from one goroutine and from --clients goroutines, then
// batch inserts, each for --store-for.
func (b *bench) storeInserts(ctx context.Context, col *mongo.Collection) (alone, single, many throughput) {
	insertOne := func(ctx context.Context) (int, error) {
		_, err := col.InsertOne(ctx, synthResponse(rand.IntN(1e6), 1e6))
		return 1, err
	}
	alone = forDuration(ctx, 1, b.opt.storeFor, insertOne)
	single = forDuration(ctx, b.opt.clients, b.opt.storeFor, insertOne)
	many = forDuration(ctx, storeWriters, b.opt.storeFor, func(ctx context.Context) (int, error) {
		_, err := col.InsertMany(ctx, synthBatch(storeBatch), options.InsertMany().SetOrdered(false))
		return storeBatch, err
	})
	return alone, single, many
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
