package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestUserCreateChecksLikeTheAdminForm: the CLI refuses what the admin form refuses, so no
// officer without an agency and a counter (who would see every agency's figures) is created.
func TestUserCreateChecksLikeTheAdminForm(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HAILONG_DATA_DIR": dir, "HAILONG_USER_PASSWORD": "mật khẩu đủ dài 2026"}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "hoa", "--role", "officer"}, "counter"},
		{[]string{"--name", "hoa", "--role", "officer", "--counter", "c1"}, "counter"},
		{[]string{"--name", "hoa", "--role", "officer", "--agency", "NOWHERE", "--counter", "c1"}, "unit"},
		{[]string{"--name", "hoa", "--role", "manager", "--agency", "NOWHERE"}, "unit"},
	} {
		var out, errOut bytes.Buffer
		err := userCmd(context.Background(), append([]string{"create"}, tc.args...), getenv, strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.want) {
			t.Errorf("user create %v: %v, want an error about the %s", tc.args, err, tc.want)
		}
	}
	env["HAILONG_USER_PASSWORD"] = "short"
	var out, errOut bytes.Buffer
	if err := userCmd(context.Background(), []string{"create", "--name", "hoa", "--role", "admin"}, getenv, strings.NewReader(""), &out, &errOut); err == nil || !strings.Contains(err.Error(), "10") {
		t.Errorf("a short password: %v, want an error naming the minimum length", err)
	}
	env["HAILONG_USER_PASSWORD"] = "mật khẩu đủ dài 2026"
	if err := userCmd(context.Background(), []string{"create", "--name", "Hoa", "--role", "admin"}, getenv, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("a valid admin: %v", err)
	}
}
