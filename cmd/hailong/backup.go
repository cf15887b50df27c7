package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/embedded"
)

// errMongoBackup sends MongoDB deployments to MongoDB's own tools.
var errMongoBackup = errors.New("MONGODB_URI is set: back up and restore MongoDB with mongodump and mongorestore (see README.md)")

// embeddedConfig loads the configuration of a deployment on the embedded store.
func embeddedConfig(getenv func(string) string) (*config.Config, error) {
	cfg, err := config.Load(getenv)
	if err == nil && cfg.MongoURI != "" {
		err = errMongoBackup
	}
	return cfg, err
}

// backupCmd handles `hailong backup --out FILE`: a consistent copy of the embedded store,
// taken while the server runs.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "the backup file to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return fmt.Errorf("usage: hailong backup --out FILE")
	}
	cfg, err := embeddedConfig(getenv)
	if err != nil {
		return err
	}
	if err := embedded.Backup(ctx, cfg.DataDir, cfg.Database, *out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "backed up database %s of %s to %s\n", cfg.Database, cfg.DataDir, *out)
	return err
}

// restoreCmd handles `hailong restore FILE`: it puts a backup in place in a data directory no
// server runs on and that does not hold the database yet.
func restoreCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: hailong restore FILE")
	}
	cfg, err := embeddedConfig(getenv)
	if err != nil {
		return err
	}
	err = embedded.Restore(ctx, cfg.DataDir, cfg.Database, args[0])
	switch {
	case errors.Is(err, embedded.ErrLocked):
		return fmt.Errorf("the data directory %s is in use by a running server: stop it, or restore into another HAILONG_DATA_DIR", cfg.DataDir)
	case errors.Is(err, embedded.ErrNotEmpty):
		return fmt.Errorf("%w; move the data directory %s aside (or choose another HAILONG_DATA_DIR) and restore again", err, cfg.DataDir)
	case err != nil:
		return err
	}
	_, err = fmt.Fprintf(stdout, "restored %s as database %s in %s\n", args[0], cfg.Database, cfg.DataDir)
	return err
}
