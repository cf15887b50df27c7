package main

import (
	"os"
	"testing"
)

// runMainEnv makes the test binary act as the hailong command: the end-to-end tests start it as
// the server and its CLI, and the bench starts its own executable the same way.
const runMainEnv = "RUN_HAILONG_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
