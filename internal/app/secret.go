package app

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/config"
)

// KeyFile is the name of the sealing key's file in the data directory (embedded store only).
const KeyFile = "secret.key"

// sealer is the sealer of citizens' contact details. Its key is HAILONG_SECRET_KEY; without it
// the embedded store keeps one in the data directory, made once with mode 0600. An external
// store needs the key kept outside it, so MONGODB_URI without HAILONG_SECRET_KEY is refused.
func sealer(cfg *config.Config) (*cases.Sealer, error) {
	key := cfg.SecretKey
	if key == nil {
		if cfg.MongoURI != "" {
			return nil, errors.New("HAILONG_SECRET_KEY is required with MONGODB_URI: it encrypts citizens' contact details and must be kept outside the database (make one with: openssl rand -base64 32, and give every instance the same)")
		}
		var err error
		if key, err = keyFile(filepath.Join(cfg.DataDir, KeyFile)); err != nil {
			return nil, err
		}
	}
	return cases.NewSealer(key)
}

// keyFile reads the key at path, creating it first when missing. A key file others can read
// is refused rather than used: it would unlock every contact for any user of the machine.
func keyFile(path string) ([]byte, error) {
	if err := createKeyFile(path); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read the key file: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("the key file %s has mode %04o: others could read the key to citizens' contact details; make it private with: chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the key file: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) != cases.KeySize {
		return nil, fmt.Errorf("the key file %s does not hold the base64 of %d bytes", path, cases.KeySize)
	}
	return key, nil
}

// createKeyFile writes a new random key to path unless a file is there: it is written whole
// under a temporary name (mode 0600, as os.CreateTemp makes it), synced, then linked to path,
// so path never holds half a key.
func createKeyFile(path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	key := make([]byte, cases.KeySize)
	_, _ = rand.Read(key)
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-*.tmp")
	if err != nil {
		return fmt.Errorf("create the key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
			err = nil // another process made it first: use theirs
		}
	}
	if err != nil {
		return fmt.Errorf("create the key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

// syncDir makes a new name in dir survive a power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
