package config

import (
	"strings"
	"testing"
	"time"
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

func TestSecretKeyIsBase64Of32BytesAndNeverEchoed(t *testing.T) {
	const good = "dGVzdC1vbmx5LWtleS1mb3ItZmF1bHQtdGVzdHMhISE="
	for _, tc := range []struct {
		value string
		ok    bool
	}{
		{"", true},
		{good, true},
		{strings.TrimRight(good, "="), true},
		{"c2hvcnQta2V5", false}, // 9 bytes
		{"not base64 at all, a passphrase", false},
	} {
		c, err := Load(func(k string) string {
			if k == "HAILONG_SECRET_KEY" {
				return tc.value
			}
			return ""
		})
		if tc.ok {
			if err != nil || (tc.value != "" && len(c.SecretKey) != 32) || (tc.value == "" && c.SecretKey != nil) {
				t.Errorf("%q: key %d bytes, %v", tc.value, len(c.SecretKey), err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "HAILONG_SECRET_KEY") || strings.Contains(err.Error(), tc.value) {
			t.Errorf("%q: error %v, want one naming HAILONG_SECRET_KEY without repeating the value", tc.value, err)
		}
	}
}

func TestTrustedProxies(t *testing.T) {
	for _, tc := range []struct {
		trust, list string
		want        string // the list, joined by spaces
		err         string
	}{
		{},
		{trust: "true", want: strings.Join(privateProxies, " ")},
		{list: "10.1.2.3, 192.168.0.0/16,::1", want: "10.1.2.3/32 192.168.0.0/16 ::1/128"},
		{trust: "true", list: "10.1.2.3/8", want: "10.0.0.0/8"},
		{list: "10.1.2.3,proxy.local", err: `"proxy.local" is not an IP address or CIDR`},
		{list: "10.0.0.0/33", err: "10.0.0.0/33"},
		{trust: "false", list: "10.0.0.1", err: "HAILONG_TRUST_PROXY"},
	} {
		env := map[string]string{"HAILONG_TRUST_PROXY": tc.trust, "HAILONG_TRUSTED_PROXIES": tc.list}
		c, err := Load(func(k string) string { return env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%+v: error %v, want one containing %s", tc, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%+v: %v", tc, err)
		}
		if got := strings.Join(c.TrustedProxies, " "); got != tc.want || c.TrustProxy != (tc.want != "") {
			t.Errorf("%+v: trust %v proxies %q, want %q", tc, c.TrustProxy, got, tc.want)
		}
	}
}

func TestMetricsTokenAndKioskStreams(t *testing.T) {
	for _, tc := range []struct {
		token, streams string
		err            string
	}{
		{},
		{token: "0123456789abcdef0123", streams: "3"},
		{token: "short", err: "HAILONG_METRICS_TOKEN"},
		{token: "has a space in it, long", err: "HAILONG_METRICS_TOKEN"},
		{streams: "0", err: "HAILONG_KIOSK_STREAMS"},
	} {
		env := map[string]string{"HAILONG_METRICS_TOKEN": tc.token, "HAILONG_KIOSK_STREAMS": tc.streams}
		c, err := Load(func(k string) string { return env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || (tc.token != "" && strings.Contains(err.Error(), tc.token)) {
				t.Errorf("%+v: error %v, want one naming %s without the token", tc, err, tc.err)
			}
			continue
		}
		if err != nil || c.MetricsToken != tc.token || (tc.streams == "" && c.KioskStreams != 2) {
			t.Errorf("%+v: %+v %v", tc, c, err)
		}
	}
}

func TestResponseRetentionIsFiveYearsUnlessSet(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  time.Duration
		err   bool
	}{
		{"", 5 * 365 * 24 * time.Hour, false},
		{"5y", 5 * 365 * 24 * time.Hour, false},
		{"1825d", 1825 * 24 * time.Hour, false},
		{"43800h", 43800 * time.Hour, false},
		{"2y", 730 * 24 * time.Hour, false},
		{"11y", 0, true},
		{"five years", 0, true},
	} {
		c, err := Load(func(k string) string {
			if k == "HAILONG_RESPONSE_RETENTION" {
				return tc.value
			}
			return ""
		})
		if tc.err {
			if err == nil || !strings.Contains(err.Error(), "HAILONG_RESPONSE_RETENTION") {
				t.Errorf("%q: error %v, want one naming HAILONG_RESPONSE_RETENTION", tc.value, err)
			}
			continue
		}
		if err != nil || c.ResponseRetention != tc.want {
			t.Errorf("%q: retention %v, %v; want %v", tc.value, c.ResponseRetention, err, tc.want)
		}
	}
}

func TestStoreWritersAreTwoUnlessSet(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  int
		err   bool
	}{{"", 2, false}, {"4", 4, false}, {"0", 0, true}, {"many", 0, true}} {
		c, err := Load(func(k string) string {
			if k == "HAILONG_STORE_WRITERS" {
				return tc.value
			}
			return ""
		})
		switch {
		case tc.err && (err == nil || !strings.Contains(err.Error(), "HAILONG_STORE_WRITERS")):
			t.Errorf("%q: error %v, want one naming HAILONG_STORE_WRITERS", tc.value, err)
		case !tc.err && (err != nil || c.StoreWriters != tc.want):
			t.Errorf("%q: %d writers, %v; want %d", tc.value, c.StoreWriters, err, tc.want)
		}
	}
}
