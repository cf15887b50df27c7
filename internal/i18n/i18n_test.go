package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// placeholder matches the {name} and %d placeholders a text may carry.
var placeholder = regexp.MustCompile(`\{[a-z_]+\}|%d`)

// Every language has the same keys, none empty, in NFC (so Vietnamese diacritics compare
// byte for byte); a translation may leave out a placeholder but not invent one, so a
// misspelt name shows.
func TestCatalogueIsComplete(t *testing.T) {
	c := catalogue()
	vi, en := c["vi"], c["en"]
	if len(vi) < 200 {
		t.Fatalf("vi.json has %d keys; expected the whole catalogue", len(vi))
	}
	for _, l := range Languages {
		for key, text := range c[l] {
			switch {
			case strings.TrimSpace(text) == "":
				t.Errorf("%s.json: %q is empty", l, key)
			case !norm.NFC.IsNormalString(text):
				t.Errorf("%s.json: %q is not in NFC", l, key)
			}
			if _, ok := vi[key]; !ok {
				t.Errorf("%q is in %s.json but not in vi.json", key, l)
			}
		}
	}
	for key, text := range vi {
		other, ok := en[key]
		if !ok {
			t.Errorf("%q is in vi.json but not in en.json", key)
			continue
		}
		if p, q := placeholders(text), placeholders(other); !subset(p, q) && !subset(q, p) {
			t.Errorf("%q: placeholders %v in vi.json but %v in en.json", key, p, q)
		}
	}
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func placeholders(text string) []string {
	p := placeholder.FindAllString(text, -1)
	slices.Sort(p)
	return slices.Compact(p)
}

func TestLookUp(t *testing.T) {
	if got := T("en", "app.tagline"); got != "Rate the public administrative service" {
		t.Errorf("T(en) = %q", got)
	}
	if got := T("fr", "app.tagline"); got != T("vi", "app.tagline") {
		t.Errorf("T(fr) = %q; want the Vietnamese text", got)
	}
	if got := T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("an unknown key gives %q; want the key itself", got)
	}
}

// A value that looks like a placeholder is not filled in turn: user input is shown as typed.
func TestFillIsOnePass(t *testing.T) {
	if got := Fill("{a} and {b}", "a", "{b}", "b", "x"); got != "{b} and x" {
		t.Errorf("Fill = %q", got)
	}
	if got := Fill("{a} stays"); got != "{a} stays" {
		t.Errorf("Fill without args = %q", got)
	}
}
