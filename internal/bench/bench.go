// Package bench is `hailong bench`: it load-tests a throwaway local server, started as a child
// process, and prints a plain-text report of throughput, latency and stats query figures.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Run is `hailong bench`: it drives a real server, exe started as a child process on loopback,
// and prints a plain-text report of what it measured. args are the subcommand's flags.
func Run(ctx context.Context, exe string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	opt, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	out, closeOut, err := reportWriter(stdout, opt.out)
	if err != nil {
		return err
	}
	defer closeOut()
	b, err := newBench(opt, exe, getenv, out, stderr)
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
	opt      *flags
	exe      string // the hailong binary, started as `serve` and `apikey create`
	root     string // temporary directory holding every data directory
	redisURL string
	out      io.Writer // the report
	progress io.Writer // progress lines (stderr)
	client   *http.Client
	// accepted submissions, issued tickets and imported dossiers per second, for the store
	// comparison
	accepted, issued, imported float64
	// storeDB and secretKey are the database and contact key of servers on --store-uri.
	storeDB, secretKey string
}

func newBench(opt *flags, exe string, getenv func(string) string, out, progress io.Writer) (*bench, error) {
	root, err := os.MkdirTemp("", "hailong-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: temporary directory: %w", err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &bench{
		opt: opt, exe: exe, root: root, redisURL: getenv("REDIS_URL"),
		out: out, progress: progress, client: newHTTPClient(opt.clients),
		storeDB: fmt.Sprintf("bench_%d", time.Now().UnixNano()), secretKey: base64.StdEncoding.EncodeToString(key),
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
		if b.opt.storeURI != "" {
			fmt.Fprintf(b.out, "database %s kept on the external store\n", b.storeDB)
		}
		return
	}
	_ = os.RemoveAll(b.root)
	if b.opt.storeURI != "" {
		dropDatabase(b.opt.storeURI, b.storeDB)
	}
}

// dropDatabase removes the bench's database from the external store, as far as it can.
func dropDatabase(uri, name string) {
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetTimeout(time.Minute))
	if err != nil {
		return
	}
	defer func() { _ = client.Disconnect(context.Background()) }()
	_ = client.Database(name).Drop(context.Background())
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
