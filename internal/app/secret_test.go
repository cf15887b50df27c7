package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/config"
)

func TestKeyFileIsMadeOncePrivateAndLooseOnesRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{DataDir: dir}
	first, err := sealer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFile)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v, %v; want mode 0600", info, err)
	}
	before, _ := os.ReadFile(path)
	second, err := sealer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("the key file changed on the second start")
	}
	if _, err := second.Open(first.Seal([]byte("0912345678"), "t"), "t"); err != nil {
		t.Fatalf("the second start's key does not open the first's seal: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sealer(cfg); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable key file was used: %v", err)
	}
}

func TestExternalStoreNeedsTheKeyFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	cfg := &config.Config{DataDir: dir, MongoURI: "mongodb://db.internal:27017"}
	if _, err := sealer(cfg); err == nil || !strings.Contains(err.Error(), "HAILONG_SECRET_KEY") {
		t.Errorf("MONGODB_URI without HAILONG_SECRET_KEY: %v, want a refusal naming it", err)
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFile)); err == nil {
		t.Error("a key file was made beside an external store")
	}
	cfg.SecretKey = bytes.Repeat([]byte{7}, 32)
	if _, err := sealer(cfg); err != nil {
		t.Errorf("MONGODB_URI with HAILONG_SECRET_KEY: %v", err)
	}
}
