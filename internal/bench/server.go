package bench

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/hailong/hailong/internal/serverproc"
)

// startServer starts the server on dir and a free loopback port, and waits for /healthz.
func (b *bench) startServer(ctx context.Context, dir string) (*serverproc.Server, error) {
	srv, err := serverproc.Start(ctx, serverproc.Config{
		Exe: b.exe, DataDir: dir, LogPath: filepath.Join(dir, "server.log"), Env: b.serverEnv(),
	})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return srv, nil
}

// serverEnv is the bench's settings for the server, on top of a fresh data directory and
// loopback: rate limits no single client IP reaches, the store sync mode, and Redis if given.
func (b *bench) serverEnv() []string {
	env := []string{"HAILONG_LIMIT_SUBMIT=10000000", "HAILONG_LIMIT_LOOKUP=10000000", "HAILONG_STORE_SYNC=" + b.opt.storeSync}
	if b.redisURL != "" {
		env = append(env, "REDIS_URL="+b.redisURL)
	}
	if b.opt.storeURI != "" {
		env = append(env, "MONGODB_URI="+b.opt.storeURI, "HAILONG_DB="+b.storeDB, "HAILONG_SECRET_KEY="+b.secretKey)
	}
	return env
}

// storeDescription says which store the server phases run on.
func (b *bench) storeDescription() string {
	if b.opt.storeURI == "" {
		return fmt.Sprintf("embedded (FerretDB on SQLite) in a fresh data directory, HAILONG_STORE_SYNC=%s", b.opt.storeSync)
	}
	return fmt.Sprintf("external, MONGODB_URI=%s, fresh database %s, %d instance(s) sharing it", redactURI(b.opt.storeURI), b.storeDB, b.opt.instances)
}

// redactURI leaves a password out of a store URI.
func redactURI(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxx")
	}
	return u.String()
}

// check fails when the run was interrupted or the server has exited, so that no phase reports
// figures measured against nothing.
func check(ctx context.Context, srv *serverproc.Server) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := srv.Err(); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// createKey runs `hailong apikey create` beside the server; it reaches the server's store over
// its socket and prints the key.
func createKey(ctx context.Context, srv *serverproc.Server) (string, error) {
	out, stderr, err := srv.CLI(ctx, "apikey", "create", "--name", "bench", "--scope", "tickets:write,stats:read")
	if err != nil {
		return "", fmt.Errorf("bench: apikey create: %w: %s", err, stderr)
	}
	return strings.TrimSpace(out), nil
}
