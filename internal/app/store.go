package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/embedded"
	"github.com/hailong/hailong/internal/mongodb"
)

// OpenStore connects to MONGODB_URI, or starts the embedded store under the data directory.
// A CLI command run beside a server reaches that server's embedded store over its socket;
// a second server refuses to start on the same directory.
func OpenStore(ctx context.Context, cfg *config.Config, log *slog.Logger, cli bool) (*mongodb.DB, func(), error) {
	if cfg.MongoURI != "" {
		db, err := mongodb.Open(ctx, cfg.MongoURI, cfg.Database)
		if err != nil {
			return nil, nil, err
		}
		db.SetWriters(cfg.StoreWriters)
		return db, func() { _ = db.Close(context.Background()) }, nil
	}
	es, err := embedded.Start(cfg.DataDir, log, cfg.StoreSync)
	if errors.Is(err, embedded.ErrLocked) {
		return openRunning(ctx, cfg, cli)
	}
	if err != nil {
		return nil, nil, err
	}
	db, err := mongodb.Open(ctx, es.URI, cfg.Database)
	if err == nil {
		err = db.SerialWrites()
	}
	if err != nil {
		if db != nil {
			_ = db.Close(context.Background())
		}
		es.Stop()
		return nil, nil, err
	}
	return db, func() { _ = db.Close(context.Background()); es.Stop() }, nil
}

func openRunning(ctx context.Context, cfg *config.Config, cli bool) (*mongodb.DB, func(), error) {
	if !cli {
		return nil, nil, fmt.Errorf("the data directory %s is in use by another hailong server; stop it or set HAILONG_DATA_DIR", cfg.DataDir)
	}
	uri, ok := embedded.RunningURI(cfg.DataDir)
	if !ok {
		return nil, nil, fmt.Errorf("the data directory %s is locked by another process that does not serve its store; retry once it has stopped", cfg.DataDir)
	}
	db, err := mongodb.Open(ctx, uri, cfg.Database)
	if err != nil {
		return nil, nil, fmt.Errorf("reach the running server's store at %s: %w", uri, err)
	}
	return db, func() { _ = db.Close(context.Background()) }, nil
}
