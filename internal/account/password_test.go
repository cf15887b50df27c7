package account_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/hailong/hailong/internal/account"
)

func TestHashRoundTrip(t *testing.T) {
	h, err := account.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("hash %q is not a PHC argon2id string with the expected parameters", h)
	}
	if ok, err := account.Verify(h, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := account.Verify(h, "correct horse batterx"); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	other, _ := account.Hash("correct horse battery")
	if other == h {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
}

func TestWeakPasswordIsRefused(t *testing.T) {
	for _, pw := range []string{"", "short", "123456789", "mậtkhẩu12"} {
		if _, err := account.Hash(pw); !errors.Is(err, account.ErrWeakPassword) {
			t.Errorf("Hash(%q): %v, want ErrWeakPassword", pw, err)
		}
	}
	// Ten characters are enough even when they take more bytes.
	if _, err := account.Hash("mậtkhẩu123"); err != nil {
		t.Errorf("ten Vietnamese characters: %v", err)
	}
}

func TestTamperedHashIsRejected(t *testing.T) {
	h, err := account.Hash("đúng mật khẩu rồi")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	flip := func(s string) string {
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	changedKey := strings.Join(append(parts[:5:5], flip(parts[5])), "$")
	changedSalt := strings.Join(append(parts[:4:4], flip(parts[4]), parts[5]), "$")
	for name, enc := range map[string]string{"key": changedKey, "salt": changedSalt} {
		if ok, err := account.Verify(enc, "đúng mật khẩu rồi"); ok || err != nil {
			t.Errorf("changed %s: %v %v, want a mismatch", name, ok, err)
		}
	}
	for _, enc := range []string{
		"",
		"plaintext",
		strings.Replace(h, "argon2id", "argon2i", 1),
		strings.Replace(h, "v=19", "v=16", 1),
		strings.Replace(h, "m=65536", "m=99999999", 1),
		strings.Replace(h, "t=2", "t=0", 1),
		strings.Replace(h, "p=2", "p=2x", 1),
		h[:len(h)-30],
		h + "$extra",
		strings.Replace(h, parts[4], "!!!!", 1),
	} {
		if ok, err := account.Verify(enc, "đúng mật khẩu rồi"); ok || err == nil {
			t.Errorf("Verify(%q): %v %v, want an error", enc, ok, err)
		}
	}
}

func TestVietnamesePasswordMatchesInEitherUnicodeForm(t *testing.T) {
	// Most keyboards send precomposed letters (NFC); Unikey's "tổ hợp" mode sends combining marks.
	const precomposed = "Hài Lòng Đà Nẵng 2026"
	const combining = "Ha\u0300i Lo\u0300ng \u0110a\u0300 Na\u0306\u0303ng 2026"
	if precomposed == combining {
		t.Fatal("the test strings should differ in bytes")
	}
	h, err := account.Hash(combining)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{precomposed, combining} {
		if ok, err := account.Verify(h, pw); !ok || err != nil {
			t.Errorf("Verify(%q): %v %v", pw, ok, err)
		}
	}
	for _, pw := range []string{"Hai Long Da Nang 2026", "Hài Lòng Đà Nẵng 2025", "hài lòng đà nẵng 2026"} {
		if ok, _ := account.Verify(h, pw); ok {
			t.Errorf("Verify(%q) matched a different password", pw)
		}
	}
}
