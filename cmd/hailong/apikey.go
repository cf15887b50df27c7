package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hailong/hailong/internal/app"
	"github.com/hailong/hailong/internal/config"
	"github.com/hailong/hailong/internal/mongodb"
)

// apikeyCmd handles `hailong apikey create|list|revoke`.
func apikeyCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("apikey needs a subcommand: create, list or revoke")
	}
	db, done, err := cliStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer done()
	keys := mongodb.NewAPIKeyStore(db)
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
		fs.SetOutput(stderr)
		name := fs.String("name", "", "what the key is for, e.g. one-stop e-system")
		scope := fs.String("scope", "tickets:write", "comma-separated scopes: tickets:write, stats:read")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if strings.TrimSpace(*name) == "" {
			return fmt.Errorf("apikey create needs --name")
		}
		scopes, err := mongodb.ParseScopes(*scope)
		if err != nil {
			return err
		}
		secret, k, err := keys.CreateAPIKey(ctx, strings.TrimSpace(*name), scopes, time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "API key %s (%s) created with scopes %s. It is shown once; store it now.\n", k.ID, k.Name, strings.Join(k.Scopes, ","))
		_, err = fmt.Fprintln(stdout, secret)
		return err
	case "list":
		list, err := keys.APIKeys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tREVOKED")
		for _, k := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", k.ID, k.Name, strings.Join(k.Scopes, ","), k.CreatedAt.Format("2006-01-02"), k.Revoked)
		}
		return tw.Flush()
	case "revoke":
		if len(args) != 2 {
			return fmt.Errorf("usage: hailong apikey revoke ID")
		}
		return keys.RevokeAPIKey(ctx, args[1])
	}
	return fmt.Errorf("unknown apikey subcommand %q", args[0])
}

// cliStore opens the store for an admin command: the running server's when there is one.
func cliStore(ctx context.Context, getenv func(string) string, stderr io.Writer) (*mongodb.DB, func(), error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, nil, err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, done, err := app.OpenStore(ctx, cfg, log, true)
	if err != nil {
		return nil, nil, err
	}
	if err := db.EnsureSchema(ctx); err != nil {
		done()
		return nil, nil, err
	}
	return db, done, nil
}
