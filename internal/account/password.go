package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// MinPasswordLength is the fewest characters (not bytes) a password may have.
const MinPasswordLength = 10

// ErrWeakPassword is returned by Hash for a password shorter than MinPasswordLength.
var ErrWeakPassword = fmt.Errorf("auth: a password needs at least %d characters", MinPasswordLength)

// The argon2id parameters of new hashes (OWASP's recommended minimum is m=19 MiB, t=2).
const (
	argonTime    = 2
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// hashSlots bounds how many hashes run at once: each takes 64 MiB, so a burst of sign-ins
// cannot exhaust the server's memory.
var hashSlots = make(chan struct{}, 4)

// Hash returns the PHC string of password: $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>.
func Hash(password string) (string, error) {
	password = norm.NFC.String(password)
	if utf8.RuneCountInString(password) < MinPasswordLength {
		return "", ErrWeakPassword
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := derive(password, salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// Verify reports whether password matches the PHC string encoded. The error is for a malformed
// or unsupported hash, never for a wrong password.
func Verify(encoded, password string) (bool, error) {
	p, err := parse(encoded)
	if err != nil {
		return false, err
	}
	key := derive(norm.NFC.String(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// derive runs argon2id, waiting for a free slot. Passwords are compared in Unicode NFC so one
// typed with combining marks (Unikey "tổ hợp") matches the same one typed precomposed.
func derive(password string, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey([]byte(password), salt, time, memory, threads, keyLen)
}

type params struct {
	time, memory uint32
	threads      uint8
	salt, key    []byte
}

var errMalformed = errors.New("auth: malformed password hash")

// parse reads a PHC argon2id string, refusing parameters outside sane bounds so a tampered hash
// cannot make a sign-in burn unbounded memory or time.
func parse(encoded string) (params, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return params{}, errMalformed
	}
	var p params
	var m, t, threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil || n != 3 ||
		fmt.Sprintf("m=%d,t=%d,p=%d", m, t, threads) != parts[3] {
		return params{}, errMalformed
	}
	if t < 1 || t > 16 || threads < 1 || threads > 16 || m < 8*threads || m > 1024*1024 {
		return params{}, errMalformed
	}
	p.time, p.memory, p.threads = t, m, uint8(threads)
	var err error
	if p.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return params{}, errMalformed
	}
	if p.key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return params{}, errMalformed
	}
	return p, nil
}
