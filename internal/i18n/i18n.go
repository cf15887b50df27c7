// Package i18n holds every user-facing text in Vietnamese and English, kept in
// public/i18n/{vi,en}.json so a translator edits one place, and looks texts up by key.
package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/hailong/hailong/public"
)

// Languages lists the supported languages, the default first.
var Languages = []string{"vi", "en"}

// catalogue is every language's texts by key, read once from the embedded files. The files are
// part of the binary, so a broken one is a build mistake: it panics, and the tests catch it.
var catalogue = sync.OnceValue(func() map[string]map[string]string {
	c, err := load(public.FS)
	if err != nil {
		panic(err)
	}
	return c
})

func load(fsys fs.FS) (map[string]map[string]string, error) {
	c := map[string]map[string]string{}
	for _, l := range Languages {
		b, err := fs.ReadFile(fsys, "i18n/"+l+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: read translations: %w", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: parse i18n/%s.json: %w", l, err)
		}
		c[l] = m
	}
	return c, nil
}

// T returns the text of key in lang, falling back to Vietnamese and then to the key itself.
func T(lang, key string) string {
	if v, ok := catalogue()[lang][key]; ok {
		return v
	}
	if v, ok := catalogue()["vi"][key]; ok {
		return v
	}
	return key
}

// Format is T with each {name} placeholder filled; args are name, value pairs.
func Format(lang, key string, args ...string) string {
	return Fill(T(lang, key), args...)
}

// Fill replaces each {name} placeholder of text by its value, in one pass, so a value that
// itself looks like a placeholder is left as it is; args are name, value pairs.
func Fill(text string, args ...string) string {
	if len(args) == 0 {
		return text
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(text)
}
