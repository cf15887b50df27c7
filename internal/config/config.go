// Package config loads Hài Lòng's configuration from HAILONG_* and related environment
// variables and validates it, so a bad value stops start-up with a message naming it.
package config

import (
	"encoding/base64"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Config is the whole server configuration.
type Config struct {
	Addr      string // HAILONG_ADDR
	BaseURL   string // HAILONG_BASE_URL, no trailing slash
	DataDir   string // HAILONG_DATA_DIR
	StoreSync string // HAILONG_STORE_SYNC: "full" or "normal" (embedded store only)
	MongoURI  string // MONGODB_URI; empty means the embedded store
	// StoreWriters (HAILONG_STORE_WRITERS) is how many batch writers an instance runs for
	// submissions and for tickets on an external store (the embedded store takes one).
	StoreWriters  int
	Database      string        // HAILONG_DB
	RedisURL      string        // REDIS_URL; empty means the in-process limiter
	RedisPrefix   string        // HAILONG_REDIS_PREFIX: starts every Redis key and channel; default hl:<Database>:
	TicketTTL     time.Duration // HAILONG_TICKET_TTL
	AdminPassword string        // HAILONG_ADMIN_PASSWORD
	IPHashSalt    string        // HAILONG_IP_SALT; when unset, a random salt stored once in the database
	TrustProxy    bool          // HAILONG_TRUST_PROXY: take the client IP from X-Forwarded-For set by a trusted proxy
	// TrustedProxies (HAILONG_TRUSTED_PROXIES) are the proxies whose X-Forwarded-For is believed,
	// as CIDRs; empty when TrustProxy is false. With TrustProxy and no list, loopback and private
	// ranges, where a reverse proxy beside the server sits.
	TrustedProxies []string
	// SecretKey (HAILONG_SECRET_KEY, base64 of 32 bytes) seals citizens' contact details; nil
	// means a key file in DataDir, which only the embedded store allows.
	SecretKey []byte
	// MetricsToken (HAILONG_METRICS_TOKEN), when set, is the bearer token /metrics asks for.
	MetricsToken string
	// KioskStreams (HAILONG_KIOSK_STREAMS) is how many event streams one tablet may hold open on
	// one instance.
	KioskStreams int
	Limits       Limits
	// ResponseRetention (HAILONG_RESPONSE_RETENTION) is how long a response keeps its dossier
	// code, comment and answers; after it only what the rollups count remains.
	ResponseRetention time.Duration
	// SMTPURL (HAILONG_SMTP_URL: smtp://user:pass@host:587, or smtps:// for TLS from the first
	// byte) is where alerts and invitations are mailed from; empty means e-mail is off.
	SMTPURL string
	// MailFrom (HAILONG_MAIL_FROM) is the sender of every e-mail, e.g. "Hài Lòng <khaosat@example.gov.vn>".
	MailFrom string
	// WebhookAllowPrivate (HAILONG_WEBHOOK_ALLOW_PRIVATE) lets webhooks reach private, loopback and
	// link-local addresses, which are refused otherwise.
	WebhookAllowPrivate bool
}

// Limits are the per-client-IP rate limits, as requests per minute.
type Limits struct {
	Lookup    int // HAILONG_LIMIT_LOOKUP: survey page and definition look-ups
	Submit    int // HAILONG_LIMIT_SUBMIT: response submissions
	ShortCode int // HAILONG_LIMIT_SHORTCODE: short-code entries (kept low against enumeration)
	SignIn    int // HAILONG_LIMIT_SIGNIN: sign-in attempts
	Pair      int // HAILONG_LIMIT_PAIR: kiosk pairing requests (each may create a device record)
	// HandIssue is HAILONG_LIMIT_HAND_ISSUE: dossiers an officer completes by hand, per officer
	// (not per IP): a hand-issued ticket is one the officer could answer.
	HandIssue int
}

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Addr:          or(getenv("HAILONG_ADDR"), ":8080"),
		BaseURL:       strings.TrimRight(or(getenv("HAILONG_BASE_URL"), "http://localhost:8080"), "/"),
		DataDir:       or(getenv("HAILONG_DATA_DIR"), "./data"),
		StoreSync:     or(getenv("HAILONG_STORE_SYNC"), "full"),
		MongoURI:      getenv("MONGODB_URI"),
		Database:      or(getenv("HAILONG_DB"), "hailong"),
		RedisURL:      getenv("REDIS_URL"),
		RedisPrefix:   getenv("HAILONG_REDIS_PREFIX"),
		AdminPassword: getenv("HAILONG_ADMIN_PASSWORD"),
		IPHashSalt:    getenv("HAILONG_IP_SALT"),
		MetricsToken:  strings.TrimSpace(getenv("HAILONG_METRICS_TOKEN")),
		SMTPURL:       strings.TrimSpace(getenv("HAILONG_SMTP_URL")),
		MailFrom:      strings.TrimSpace(getenv("HAILONG_MAIL_FROM")),
	}
	var errs []string
	add := func(err error) {
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	add(c.checkAddr())
	add(c.checkBaseURL())
	add(c.checkURIs())
	add(c.checkRedisPrefix())
	if c.StoreSync != "full" && c.StoreSync != "normal" {
		add(fmt.Errorf("HAILONG_STORE_SYNC=%q must be full or normal", c.StoreSync))
	}
	var err error
	c.TicketTTL, err = duration(getenv, "HAILONG_TICKET_TTL", 30*24*time.Hour)
	add(err)
	c.ResponseRetention, err = duration(getenv, "HAILONG_RESPONSE_RETENTION", 5*year)
	add(err)
	c.TrustProxy, err = boolean(getenv, "HAILONG_TRUST_PROXY")
	add(err)
	add(c.loadTrustedProxies(getenv("HAILONG_TRUST_PROXY"), getenv("HAILONG_TRUSTED_PROXIES")))
	add(c.loadLimits(getenv))
	c.KioskStreams, err = positiveInt(getenv, "HAILONG_KIOSK_STREAMS", 2)
	add(err)
	c.StoreWriters, err = positiveInt(getenv, "HAILONG_STORE_WRITERS", 2)
	add(err)
	if c.MetricsToken != "" && (len(c.MetricsToken) < 16 || strings.ContainsFunc(c.MetricsToken, func(r rune) bool { return r <= ' ' || r > '~' })) {
		add(fmt.Errorf("HAILONG_METRICS_TOKEN must be at least 16 printable ASCII characters without spaces (make one with: openssl rand -hex 32)"))
	}
	c.SecretKey, err = secretKey(getenv("HAILONG_SECRET_KEY"))
	add(err)
	add(c.checkMail())
	c.WebhookAllowPrivate, err = boolean(getenv, "HAILONG_WEBHOOK_ALLOW_PRIVATE")
	add(err)
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// Variables lists every environment variable Load reads, so other parts (the deployment
// files' checks) never keep a list of their own.
func Variables() []string {
	var names []string
	_, _ = Load(func(k string) string { names = append(names, k); return "" })
	return names
}

// checkMail checks the SMTP URL and the sender, which it needs.
func (c *Config) checkMail() error {
	if c.SMTPURL == "" {
		return nil
	}
	u, err := url.Parse(c.SMTPURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
		return fmt.Errorf("HAILONG_SMTP_URL must look like smtp://user:password@host:587 (or smtps:// for TLS from the start)")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("HAILONG_SMTP_URL has a bad port %q", p)
		}
	}
	if c.MailFrom == "" {
		return fmt.Errorf("HAILONG_MAIL_FROM is needed with HAILONG_SMTP_URL: the sender's address, e.g. \"Hài Lòng <khaosat@example.gov.vn>\"")
	}
	if _, err := mail.ParseAddress(c.MailFrom); err != nil {
		return fmt.Errorf("HAILONG_MAIL_FROM=%q is not an e-mail address (e.g. \"Hài Lòng <khaosat@example.gov.vn>\")", c.MailFrom)
	}
	return nil
}

func (c *Config) checkAddr() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("HAILONG_ADDR=%q is not host:port (e.g. :8080)", c.Addr)
	}
	return nil
}

func (c *Config) checkBaseURL() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return fmt.Errorf("HAILONG_BASE_URL=%q must be an absolute http(s) URL such as https://hailong.example.gov.vn", c.BaseURL)
	}
	return nil
}

func (c *Config) checkURIs() error {
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return fmt.Errorf("MONGODB_URI must start with mongodb:// or mongodb+srv://")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		return fmt.Errorf("REDIS_URL must start with redis:// or rediss://")
	}
	if strings.ContainsAny(c.Database, "/\\. \"$") || c.Database == "" {
		return fmt.Errorf("HAILONG_DB=%q is not a valid database name", c.Database)
	}
	return nil
}

// checkRedisPrefix defaults the prefix from the database name, so two deployments sharing a
// Redis are kept apart unless they also share a database name.
func (c *Config) checkRedisPrefix() error {
	if c.RedisPrefix == "" {
		c.RedisPrefix = "hl:" + c.Database + ":"
	}
	if strings.ContainsFunc(c.RedisPrefix, func(r rune) bool { return r <= ' ' || r == 0x7f }) || len(c.RedisPrefix) > 64 {
		return fmt.Errorf("HAILONG_REDIS_PREFIX=%q must be at most 64 characters without spaces or control characters", c.RedisPrefix)
	}
	return nil
}

// privateProxies are the proxies HAILONG_TRUST_PROXY=true alone trusts: loopback and private
// ranges, where the reverse proxy of a container network or a cluster sits.
var privateProxies = []string{"127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"}

// loadTrustedProxies reads HAILONG_TRUSTED_PROXIES (IPs or CIDRs, comma-separated). A list
// turns the proxy trust on; HAILONG_TRUST_PROXY=false beside a list is a contradiction.
func (c *Config) loadTrustedProxies(trust, list string) error {
	var bad []string
	for _, v := range strings.Split(list, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		p, err := proxyPrefix(v)
		if err != nil {
			bad = append(bad, v)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch {
	case len(bad) > 0:
		return fmt.Errorf("HAILONG_TRUSTED_PROXIES: %q is not an IP address or CIDR (e.g. 10.0.0.5 or 10.0.0.0/8)", strings.Join(bad, ", "))
	case len(c.TrustedProxies) > 0 && trust != "" && !c.TrustProxy:
		return fmt.Errorf("HAILONG_TRUSTED_PROXIES is set but HAILONG_TRUST_PROXY=%q: unset one of them", trust)
	case len(c.TrustedProxies) > 0:
		c.TrustProxy = true
	case c.TrustProxy:
		c.TrustedProxies = slices.Clone(privateProxies)
	}
	return nil
}

// proxyPrefix reads an IP or a CIDR as a canonical CIDR.
func proxyPrefix(v string) (string, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return "", err
		}
		return p.Masked().String(), nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("not an IP")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()).String(), nil
}

func (c *Config) loadLimits(getenv func(string) string) error {
	var errs []string
	for _, l := range []struct {
		name string
		dst  *int
		def  int
	}{
		{"HAILONG_LIMIT_LOOKUP", &c.Limits.Lookup, 120},
		{"HAILONG_LIMIT_SUBMIT", &c.Limits.Submit, 30},
		{"HAILONG_LIMIT_SHORTCODE", &c.Limits.ShortCode, 10},
		{"HAILONG_LIMIT_SIGNIN", &c.Limits.SignIn, 10},
		{"HAILONG_LIMIT_PAIR", &c.Limits.Pair, 10},
		{"HAILONG_LIMIT_HAND_ISSUE", &c.Limits.HandIssue, 10},
	} {
		v, err := positiveInt(getenv, l.name, l.def)
		if err != nil {
			errs = append(errs, err.Error())
		}
		*l.dst = v
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// secretKey decodes HAILONG_SECRET_KEY. The message never repeats the value: it is a secret.
func secretKey(v string) ([]byte, error) {
	if v == "" {
		return nil, nil
	}
	v = strings.TrimSpace(v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(v); err == nil && len(key) == 32 {
			return key, nil
		}
	}
	return nil, fmt.Errorf("HAILONG_SECRET_KEY must be the base64 of 32 random bytes (make one with: openssl rand -base64 32)")
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// day and year are the units of durations in whole days ("30d") or years ("5y", 365 days each).
const (
	day  = 24 * time.Hour
	year = 365 * day
)

// duration accepts Go durations ("720h"), whole days ("30d") and whole years ("5y").
func duration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(v, "d"); ok {
		d, err = whole(days, day)
	} else if years, ok := strings.CutSuffix(v, "y"); ok {
		d, err = whole(years, year)
	} else {
		d, err = time.ParseDuration(v)
	}
	if err != nil || d < time.Minute || d > 3650*24*time.Hour {
		return 0, fmt.Errorf("%s=%q must be a duration between 1m and 3650d, such as 30d or 720h", name, v)
	}
	return d, nil
}

// whole is n units, n a whole number.
func whole(n string, unit time.Duration) (time.Duration, error) {
	i, err := strconv.Atoi(n)
	return time.Duration(i) * unit, err
}

func boolean(getenv func(string) string, name string) (bool, error) {
	v := getenv(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q must be true or false", name, v)
	}
	return b, nil
}

func positiveInt(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10_000_000 {
		return def, fmt.Errorf("%s=%q must be a whole number from 1 to 10000000", name, v)
	}
	return n, nil
}
