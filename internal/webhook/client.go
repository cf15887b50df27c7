package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hailong/hailong/internal/outbox"
)

// Limits on every outbound request.
const (
	Timeout     = 5 * time.Second
	MaxRespBody = 64 << 10
	MaxURL      = 2048
)

// Client makes the outbound requests: 5-second timeout, no redirects followed, at most 64 KB
// of an answer read, only http and https, and (unless AllowPrivate) no private, loopback or
// link-local address, checked on the address actually dialled, after DNS, so a name cannot
// point around it.
type Client struct {
	AllowPrivate bool
	UserAgent    string
	http         *http.Client
}

// NewClient returns the outbound client.
func NewClient(allowPrivate bool, userAgent string) *Client {
	c := &Client{AllowPrivate: allowPrivate, UserAgent: userAgent}
	dialer := &net.Dialer{Timeout: Timeout, Control: c.control}
	transport := &http.Transport{
		DialContext: dialer.DialContext, Proxy: nil, TLSHandshakeTimeout: Timeout,
		ResponseHeaderTimeout: Timeout, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second,
		ForceAttemptHTTP2: true,
	}
	c.http = &http.Client{Transport: transport, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return c
}

// control refuses a connection to a forbidden address, after the name was resolved.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: unexpected address %q", address)
	}
	if !c.AllowPrivate && Forbidden(ap.Addr()) {
		return fmt.Errorf("the address %s is private, loopback or link-local (refused unless HAILONG_WEBHOOK_ALLOW_PRIVATE=true)", ap.Addr())
	}
	return nil
}

// Forbidden reports whether a webhook must not reach addr: loopback, private, link-local,
// unspecified, multicast, or the shared address space operators use inside their networks.
func Forbidden(addr netip.Addr) bool {
	addr = addr.Unmap()
	return addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() ||
		netip.MustParsePrefix("100.64.0.0/10").Contains(addr) || netip.MustParsePrefix("0.0.0.0/8").Contains(addr)
}

// urlError is why a URL cannot be registered, as a message key.
type urlError struct{ key string }

func (e *urlError) Error() string { return e.key }

// CheckURL says why u cannot be a webhook endpoint, or nil: an absolute http(s) URL without
// user information, and not a literal forbidden address or a name for this machine.
func (c *Client) CheckURL(u string) *urlError {
	p, err := url.Parse(u)
	if err != nil || len(u) > MaxURL || p.Host == "" || p.Opaque != "" {
		return &urlError{"error.webhook_url"}
	}
	if p.Scheme != "http" && p.Scheme != "https" {
		return &urlError{"error.webhook_url_scheme"}
	}
	if p.User != nil || p.Fragment != "" {
		return &urlError{"error.webhook_url"}
	}
	if c.AllowPrivate {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(p.Hostname()), ".")
	if addr, err := netip.ParseAddr(host); err == nil {
		if Forbidden(addr) {
			return &urlError{"error.webhook_url_private"}
		}
		return nil
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || !strings.Contains(host, ".") ||
		strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return &urlError{"error.webhook_url_private"}
	}
	return nil
}

// payload is the JSON body of a delivery.
type payload struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// Body is the JSON body delivering ev: its type, when it happened and its data.
func Body(ev *outbox.Event) ([]byte, error) {
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	return json.Marshal(payload{Type: ev.Type, Timestamp: ev.At, Data: data})
}

// Sign is the webhook-signature header for a message id sent at ts with body, under each key:
// "v1," and the base64 HMAC-SHA256 of "id.timestamp.body", space-separated.
func Sign(keys [][]byte, id string, ts time.Time, body []byte) string {
	var sigs []string
	for _, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// Post makes one signed POST of body to u. A 2xx answer is delivered; anything else, or no
// answer, is a failure to retry, except a URL that can never be reached this way.
func (c *Client) Post(ctx context.Context, u, id string, now time.Time, body []byte, keys [][]byte) outbox.Outcome {
	if err := c.CheckURL(u); err != nil {
		return outbox.Outcome{Err: errors.New("the URL is no longer allowed"), Permanent: true}
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return outbox.Outcome{Err: err, Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", Sign(keys, id, now, body))
	resp, err := c.http.Do(req)
	if err != nil {
		return outbox.Outcome{Err: plainError(err)}
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, MaxRespBody))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return outbox.Outcome{Status: resp.StatusCode}
	}
	msg := fmt.Sprintf("HTTP %d", resp.StatusCode)
	if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
		msg += " (redirects are not followed: " + clip(loc, 200) + ")"
	} else if s := strings.TrimSpace(string(excerpt)); s != "" {
		msg += ": " + clip(s, 200)
	}
	return outbox.Outcome{Status: resp.StatusCode, Err: errors.New(msg)}
}

// plainError is err without the request's method and URL, which the log has already.
func plainError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", Timeout)
	}
	return err
}
