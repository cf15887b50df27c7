package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hailong/hailong/internal/account"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/org"
)

// userCmd handles `hailong user create --name N --role R [--agency CODE] [--counter CODE]`.
// The password is read from HAILONG_USER_PASSWORD or, failing that, one line of standard input,
// so it never appears in the process list.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: hailong user create --name N --role admin|manager|viewer|officer [--agency CODE] [--counter CODE]")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("name", "", "sign-in name")
	role := fs.String("role", "", "admin, manager, viewer or officer")
	agency := fs.String("agency", "", "agency code the user is limited to (empty: whole organisation)")
	counter := fs.String("counter", "", "counter code (officers)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" || !account.ValidRole(*role) {
		return fmt.Errorf("user create needs --name and --role admin|manager|viewer|officer")
	}
	password, err := readPassword(getenv, stdin, stderr)
	if err != nil {
		return err
	}
	db, done, err := cliStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer done()
	units, err := mongodb.NewUnitStore(db).Units(ctx)
	if err != nil {
		return err
	}
	u := account.User{Name: strings.ToLower(strings.TrimSpace(*name)), Role: *role, Agency: *agency, Counter: *counter, CreatedAt: time.Now().UTC()}
	exists := func(code string) bool {
		return slices.ContainsFunc(units, func(un org.Unit) bool { return un.Code == code })
	}
	if err := u.CheckNew(password, exists); err != nil { // the admin form's checks
		return fmt.Errorf("user create: %w", err)
	}
	if u.PasswordHash, err = account.Hash(password); err != nil {
		return err
	}
	if err := mongodb.NewUserStore(db).CreateUser(ctx, u); err != nil {
		return err
	}
	_ = mongodb.NewAuditStore(db).Record(ctx, account.AuditEntry{At: time.Now().UTC(), User: "cli", Action: "user.create", Target: u.Name, Detail: u.Role})
	_, err = fmt.Fprintf(stdout, "user %s created with role %s\n", u.Name, u.Role)
	return err
}

func readPassword(getenv func(string) string, stdin io.Reader, stderr io.Writer) (string, error) {
	if p := getenv("HAILONG_USER_PASSWORD"); p != "" {
		return p, nil
	}
	fmt.Fprintf(stderr, "Password (at least %d characters): ", account.MinPasswordLength)
	var line string
	if _, err := fmt.Fscanln(stdin, &line); err != nil {
		return "", fmt.Errorf("read the password from standard input or HAILONG_USER_PASSWORD: %w", err)
	}
	return line, nil
}
