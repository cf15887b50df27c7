package kiosk

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Refs seals dossier references: what a counter's tablets are pushed instead of the survey
// token. A sealed reference carries the counter, the token and the issue time, encrypted and
// authenticated with a key every instance shares, so issuing a ticket stores nothing for its
// reference and redeeming one reads nothing: only the server can open it, and only a tablet of
// that counter is answered (see Service.Redeem).
type Refs struct {
	aead  cipher.AEAD
	nonce []byte // the key of the nonces, derived from the sealing key
}

// sealedPrefix starts a sealed reference; a reference without it was stored when issued.
const sealedPrefix = "rfs_"

// NewRefs returns the sealer of references with key, 32 bytes (AES-256-GCM).
func NewRefs(key []byte) (*Refs, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := sha256.Sum256(append([]byte("hailong kiosk reference nonce|"), key...))
	return &Refs{aead: aead, nonce: nonce[:]}, nil
}

// Seal returns the reference to d's dossier. The nonce is derived from what is sealed (as in
// SIV), so a dossier has one reference however often it is sealed, and two dossiers never share
// a nonce.
func (r *Refs) Seal(d *CurrentDossier) string {
	plain := binary.BigEndian.AppendUint64(nil, uint64(d.IssuedAt.UnixMilli()))
	plain = append(plain, byte(len(d.Counter)))
	plain = append(append(plain, d.Counter...), d.Token...)
	mac := hmac.New(sha256.New, r.nonce)
	mac.Write(plain)
	nonce := mac.Sum(nil)[:r.aead.NonceSize()]
	return sealedPrefix + base64.RawURLEncoding.EncodeToString(r.aead.Seal(nonce, nonce, plain, []byte(sealedPrefix)))
}

var errNotSealed = errors.New("kiosk: not a sealed reference")

// Open returns the counter, token and issue time sealed in ref; an error for anything Seal did
// not make with this key.
func (r *Refs) Open(ref string) (*CurrentDossier, error) {
	enc, ok := strings.CutPrefix(ref, sealedPrefix)
	if !ok || len(enc) > 512 {
		return nil, errNotSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || len(raw) < r.aead.NonceSize() {
		return nil, errNotSealed
	}
	n := r.aead.NonceSize()
	plain, err := r.aead.Open(nil, raw[:n], raw[n:], []byte(sealedPrefix))
	if err != nil || len(plain) < 9 || len(plain) < 9+int(plain[8]) {
		return nil, errNotSealed
	}
	at := time.UnixMilli(int64(binary.BigEndian.Uint64(plain))).UTC()
	counter, token := string(plain[9:9+int(plain[8])]), string(plain[9+int(plain[8]):])
	return &CurrentDossier{Counter: counter, Token: token, Ref: ref, IssuedAt: at}, nil
}

// Sealed reports whether ref has the shape of a sealed reference.
func Sealed(ref string) bool { return strings.HasPrefix(ref, sealedPrefix) }
