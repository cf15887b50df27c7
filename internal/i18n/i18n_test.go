package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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

// keyArg gives, for each function taking a translation key, the position of the key.
var keyArg = map[string]int{"Msg": 0, "Errorf": 1, "NewFieldError": 2, "T": 1, "Format": 1, "t": 1}

// Every key the Go code and the page templates name exists in every language, so a missing
// translation fails CI.
func TestKeysUsedInCodeExist(t *testing.T) {
	keys := map[string]string{} // key → where it is used
	if err := keysInTemplates("../../public/templates", keys); err != nil {
		t.Fatal(err)
	}
	pages := len(keys)
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			return keysIn(path, keys)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if pages < 150 || len(keys)-pages < 150 {
		t.Fatalf("found %d keys in the templates and %d more in the Go code; the scan is missing calls", pages, len(keys)-pages)
	}
	for _, key := range slices.Sorted(maps.Keys(keys)) {
		for _, l := range Languages {
			if _, ok := catalogue()[l][key]; !ok {
				t.Errorf("%s: key %q is missing from %s.json", keys[key], key, l)
			}
		}
	}
}

// keysIn adds the literal keys passed to the translation functions in the file at path.
func keysIn(path string, keys map[string]string) error {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return err
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		pos, ok := keyArg[calleeName(call.Fun)]
		if !ok || pos >= len(call.Args) {
			return true
		}
		if lit, ok := call.Args[pos].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if key, err := strconv.Unquote(lit.Value); err == nil {
				keys[key] = fset.Position(lit.Pos()).String()
			}
		}
		return true
	})
	return nil
}

// calleeName is the name of a translation function called as f, survey.F, i18n.F or x.t,
// or "" for any other call (fmt.Errorf among them).
func calleeName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); f.Sel.Name == "t" || ok && (x.Name == "survey" || x.Name == "i18n") {
			return f.Sel.Name
		}
	}
	return ""
}

// templateKey matches a literal key passed to the templates' t function: {{t $l "dash.title"}}.
var templateKey = regexp.MustCompile(`[{(]t \S+ "([^"]+)"`)

// keysInTemplates adds the literal keys the page templates under dir translate.
func keysInTemplates(dir string, keys map[string]string) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.html"))
	if err != nil || len(names) == 0 {
		return fmt.Errorf("no templates in %s: %v", dir, err)
	}
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		for _, m := range templateKey.FindAllSubmatch(b, -1) {
			keys[string(m[1])] = name
		}
	}
	return nil
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
