package faulttest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hailong/hailong/internal/serverproc"
)

// A backup taken while submissions are being accepted must hold every response acknowledged
// before it started, restore into a fresh data directory a server then runs on with rollups
// equal to a recount, and a restore must refuse the running server's directory.
func TestBackupUnderLoadRestoresEveryAcknowledgedResponse(t *testing.T) {
	skipShort(t)
	skipExternal(t, "hailong backup copies the embedded store; MongoDB has its own tools")
	s := startServer(t, "a", t.TempDir())
	c := newClient()
	tokens := issueTickets(t, c, s.base, s.apiKey(), "BACKUP", 900)
	l := startPacedLoad(c, s.base, tokens, 8, 5*time.Millisecond)
	for sent, _ := l.progress(); sent < len(tokens)/3; sent, _ = l.progress() {
		time.Sleep(5 * time.Millisecond)
	}

	out := filepath.Join(t.TempDir(), "hailong.backup")
	backupStart := time.Now()
	if stdout, stderr, err := s.cli("backup", "--out", out); err != nil {
		t.Fatalf("hailong backup: %v\n%s%s", err, stdout, stderr)
	}
	took := time.Since(backupStart)
	sentAfter, _ := l.progress()
	if _, stderr, err := s.cli("restore", out); err == nil || !strings.Contains(stderr, "in use by a running server") {
		t.Errorf("hailong restore into the running server's data directory: %v, %q; want a refusal", err, stderr)
	}
	tl := tallyOf(l.Wait())
	expectAllCreated(t, "during the backup", tl)
	var ackedBefore []string
	for _, o := range l.outcomes {
		if o.err == nil && o.status == 201 && o.end.Before(backupStart) {
			ackedBefore = append(ackedBefore, o.token)
		}
	}
	t.Logf("backup took %s; %d responses acknowledged before it, %d submissions sent by its end, %d in all",
		took.Round(time.Millisecond), len(ackedBefore), sentAfter, len(tl.acked))
	if sentAfter == len(tokens) {
		t.Logf("warning: the load ended before the backup did")
	}

	fresh := t.TempDir()
	restore := exec.Command(binary, "restore", out)
	restore.Env = append(serverproc.CleanEnv(), "HAILONG_DATA_DIR="+fresh)
	if b, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("hailong restore into a fresh directory: %v\n%s", err, b)
	}
	r := startServer(t, "restored", fresh)
	db := r.store()
	// Every response acknowledged before the backup began is in it; the ones acknowledged during
	// it may be; none beyond the tokens submitted.
	checkStored(t, db, ackedBefore, tl.attempted)
	r.verifyRollups(db)
	if _, err := os.Stat(out); err != nil {
		t.Errorf("the backup file is gone after the restore: %v", err)
	}
}
