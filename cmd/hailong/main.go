// Command hailong runs the Hài Lòng citizen satisfaction service and its admin commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "hailong:", err)
		os.Exit(1)
	}
}

const usage = `Usage: hailong [command]

Commands:
  serve                 run the server (the default)
  apikey create --name NAME [--scope tickets:write,stats:read]
                        create an API key and print it once
  apikey list           list API keys (without secrets)
  apikey revoke ID      revoke an API key
  user create --name N --role admin|manager|viewer|officer [--agency CODE] [--counter CODE]
                        create a user; the password comes from HAILONG_USER_PASSWORD or stdin
  demo                  run the server with a year of demo data (prints sign-in details)
  rollup verify         recount every response and compare with the rollups (exit 1 on a difference)
  rollup rebuild        replace the rollups with a full recount (run with the servers stopped)
  cases verify          recount the follow-up cases from the responses (exit 1 on a missing or doubled case)
  backup --out FILE     copy the embedded store to FILE while the server runs
  restore FILE          put a backup in place in HAILONG_DATA_DIR (no server running, no data yet)
  healthcheck           exit 0 when the local server is ready (for container health checks)
  bench [flags]         load-test a throwaway local server and print figures

hailong COMMAND --help describes a command. Configuration comes from the environment;
see README.md.
`

// run is the whole program: it parses args, owns the signal context, and returns instead of
// exiting so tests can drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cmd, rest := "serve", args
	if len(args) > 0 {
		cmd, rest = args[0], args[1:]
	}
	if _, known := commandHelp[cmd]; (known || cmd == "bench") && wantsHelp(rest) {
		return printHelp(ctx, cmd, getenv, stdout)
	}
	switch cmd {
	case "serve":
		return serve(ctx, getenv, stderr)
	case "apikey":
		return apikeyCmd(ctx, rest, getenv, stdout, stderr)
	case "user":
		return userCmd(ctx, rest, getenv, os.Stdin, stdout, stderr)
	case "demo":
		return demo(ctx, getenv, stdout, stderr)
	case "rollup":
		return rollupCmd(ctx, rest, getenv, stdout, stderr)
	case "cases":
		return casesCmd(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, rest, getenv, stdout)
	case "healthcheck":
		return healthcheck(ctx, getenv)
	case "bench":
		return benchCmd(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
