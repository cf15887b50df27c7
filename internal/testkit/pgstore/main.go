// Command pgstore serves a Mongo-wire store for the test suite's external-store runs: FerretDB
// (the release the embedded store uses) with its PostgreSQL handler, on a TCP port. It is the
// "real server" MONGODB_URI points at in test.sh and `hailong bench --store-uri`, where no
// MongoDB can run. It sets PostgreSQL up the way FerretDB 1.x needs to be, as its operator
// would: GIN twins of FerretDB's indexes (index.go), and custom plans for its statements,
// since FerretDB names the field of an equality filter as a parameter, and a generic plan (which
// PostgreSQL settles on after five runs of a statement on a small table) can use no index for
// it. Over loopback, give the PostgreSQL URL sslmode=disable: TLS there only costs CPU.
//
//	go run ./internal/testkit/pgstore -listen 127.0.0.1:27018 -postgresql 'postgres://127.0.0.1:5432/hailong_test?sslmode=disable'
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pgstore:", err)
		os.Exit(1)
	}
}

// run serves until SIGINT or SIGTERM.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("pgstore", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:27018", "TCP address to serve the Mongo wire protocol on")
	pg := fs.String("postgresql", "postgres://127.0.0.1:5432/hailong_test", "PostgreSQL database to keep the data in")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	storeURL, err := customPlans(*pg)
	if err != nil {
		return err
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: storeURL,
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return err
	}
	go twinIndexes(ctx, *pg, 500*time.Millisecond, log)
	fmt.Fprintf(stderr, "pgstore: serving mongodb://%s/ over %s\n", *listen, *pg)
	if err := f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// customPlans adds plan_cache_mode=force_custom_plan to the PostgreSQL URL pg, unless it sets
// a plan_cache_mode of its own: pgx sends such parameters as the session's settings.
func customPlans(pg string) (string, error) {
	u, err := url.Parse(pg)
	if err != nil {
		return "", fmt.Errorf("-postgresql: %w", err)
	}
	q := u.Query()
	if q.Get("plan_cache_mode") == "" {
		q.Set("plan_cache_mode", "force_custom_plan")
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}
