// Package faulttest runs the hailong binary as a subprocess and injects faults into it and its
// dependencies (SIGKILL, SIGTERM, Redis or the store going away), then checks that every
// response the service acknowledged with 201 is stored exactly once. It holds only tests.
package faulttest
