package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"slices"
)

// commandHelp is each subcommand's help, printed by `hailong COMMAND --help` without starting
// or opening anything.
var commandHelp = map[string]string{
	"serve": `Usage: hailong serve

Runs the server (the default command) until SIGINT or SIGTERM, on the configuration in the
environment (see README.md). The first start on an empty store creates the user "admin" when
HAILONG_ADMIN_PASSWORD is set; otherwise create the first admin with
  hailong user create --name admin --role admin
`,
	"demo": `Usage: hailong demo

Runs the server with a year of demo data under HAILONG_DATA_DIR (./data by default), loaded
once. The first run creates the user "admin" with HAILONG_ADMIN_PASSWORD, or with a random
password it prints; later runs on the same data directory keep that password and say so.
To start over, stop the server and delete the data directory.
`,
	"apikey": `Usage:
  hailong apikey create --name NAME [--scope tickets:write,stats:read]
                        create an API key and print it once (scopes: tickets:write, stats:read,
                        cases:read, cases:write)
  hailong apikey list   list API keys (without secrets)
  hailong apikey revoke ID
                        revoke an API key
`,
	"user": `Usage: hailong user create --name N --role admin|manager|viewer|officer [--agency CODE] [--counter CODE]

Creates a staff user. The password comes from HAILONG_USER_PASSWORD or, failing that, one line
of standard input, so it never appears in the process list. --agency limits the user to a unit
and its subunits; officers also need --counter.
`,
	"rollup": `Usage:
  hailong rollup verify   recount every response and compare with the rollups (exit 1 on a difference)
  hailong rollup rebuild  replace the rollups with a full recount (run with the servers stopped)
`,
	"cases": `Usage: hailong cases verify

Recounts from the stored responses which follow-up cases should exist; exits 1 when a response
that calls for a case has none, or has more than one.
`,
	"backup": `Usage: hailong backup --out FILE

Copies the embedded store to FILE (which must not exist) while the server runs. With
MONGODB_URI set, use mongodump instead.
`,
	"restore": `Usage: hailong restore FILE

Puts a backup in place in HAILONG_DATA_DIR: no server may run on it and it must not hold the
database yet.
`,
	"healthcheck": `Usage: hailong healthcheck

Exits 0 when the local server on HAILONG_ADDR answers /readyz, for container health checks.
`,
}

// wantsHelp reports whether args ask for help rather than for the command to run.
func wantsHelp(args []string) bool {
	return slices.ContainsFunc(args, func(a string) bool {
		return a == "-h" || a == "-help" || a == "--help" || a == "help"
	})
}

// printHelp writes cmd's help to stdout; bench's flags are listed by the bench itself.
func printHelp(ctx context.Context, cmd string, getenv func(string) string, stdout io.Writer) error {
	if cmd == "bench" {
		err := benchCmd(ctx, []string{"-h"}, getenv, stdout, stdout)
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	_, err := io.WriteString(stdout, commandHelp[cmd])
	return err
}
