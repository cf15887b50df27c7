// Command pgstore serves a Mongo-wire store for the test suite's external-store runs: FerretDB
// (the release the embedded store uses) with its PostgreSQL handler, on a TCP port. It is the
// "real server" MONGODB_URI points at in test.sh, where no MongoDB can run.
//
//	go run ./internal/testkit/pgstore -listen 127.0.0.1:27018 -postgresql postgres://127.0.0.1:5432/hailong_test
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

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
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Handler:       "postgresql",
		PostgreSQLURL: *pg,
		Logger:        slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "pgstore: serving mongodb://%s/ over %s\n", *listen, *pg)
	if err := f.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
