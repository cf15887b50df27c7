package embedded

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// The store's logger keeps errors only, with every attribute and group it was given.
func TestQuietLoggerKeepsErrorsWithTheirAttributes(t *testing.T) {
	var buf bytes.Buffer
	log := quiet(slog.New(slog.NewJSONHandler(&buf, nil)))
	conn := log.With("conn", "c1").WithGroup("cmd").With("name", "insert")
	conn.Warn("duplicate key")
	conn.Info("command done")
	if buf.Len() != 0 {
		t.Fatalf("logged below error: %s", buf.String())
	}
	conn.Error("disk full", "table", "t1")
	got := buf.String()
	for _, want := range []string{`"component":"store"`, `"conn":"c1"`, `"cmd":{"name":"insert","table":"t1"}`, `"msg":"disk full"`} {
		if !strings.Contains(got, want) {
			t.Errorf("log %s lacks %s", got, want)
		}
	}
}
