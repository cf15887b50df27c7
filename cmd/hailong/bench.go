package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hailong/hailong/internal/bench"
)

// benchCmd handles `hailong bench`: it load-tests this executable, started as a child server.
func benchCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: find this executable: %w", err)
	}
	return bench.Run(ctx, exe, args, getenv, stdout, stderr)
}
