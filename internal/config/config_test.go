package config

import (
	"strings"
	"testing"
)

func TestRedisPrefixDefaultsFromTheDatabaseName(t *testing.T) {
	for _, tc := range []struct{ db, prefix, want, err string }{
		{want: "hl:hailong:"},
		{db: "hue", want: "hl:hue:"},
		{db: "hue", prefix: "tt-hue/", want: "tt-hue/"},
		{prefix: "has space", err: "HAILONG_REDIS_PREFIX"},
	} {
		env := map[string]string{"HAILONG_DB": tc.db, "HAILONG_REDIS_PREFIX": tc.prefix}
		c, err := Load(func(k string) string { return env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: error %v, want one naming %s", tc, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if c.RedisPrefix != tc.want {
			t.Errorf("%+v: prefix %q, want %q", tc, c.RedisPrefix, tc.want)
		}
	}
}
