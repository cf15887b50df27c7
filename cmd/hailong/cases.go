package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
)

// casesCmd handles `hailong cases verify`: it recounts from the stored responses which cases
// should exist and exits 1 when a response that calls for a case has none, or has two.
func casesCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] != "verify" {
		return fmt.Errorf("usage: hailong cases verify")
	}
	db, done, err := cliStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer done()
	a, err := cases.Verify(ctx, mongodb.NewCaseCensus(db))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "responses that call for a case: %d (%d still being opened); without one: %d; with more than one: %d; cases without such a response: %d\n",
		a.Expected, a.Pending, len(a.Missing), len(a.Doubled), len(a.Unbacked))
	for _, t := range a.Missing {
		fmt.Fprintf(stdout, "  no case: %s\n", cases.Ref(t))
	}
	for _, t := range a.Doubled {
		fmt.Fprintf(stdout, "  more than one case: %s\n", cases.Ref(t))
	}
	if !a.OK() {
		return fmt.Errorf("cases verify: %d responses without their case, %d with more than one", len(a.Missing), len(a.Doubled))
	}
	return nil
}
