package nova

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// Retry policy defaults.
const (
	DefaultMaxRetries = 6
	defaultBaseDelay  = 500 * time.Millisecond
	defaultMaxDelay   = 30 * time.Second
	// maxRetryAfter bounds how long a Retry-After header can make us wait.
	maxRetryAfter = 60 * time.Second
	// responseHeaderTimeout is how long one attempt waits for an answer: a
	// request whose response is lost fails after this, and is retried.
	responseHeaderTimeout = 60 * time.Second
)

// transport is the HTTP layer under gophercloud: every request to Keystone
// and Nova passes through it once per attempt. It retries what is safe to
// retry, logs each exchange through tflog with secrets masked, and counts
// requests.
type transport struct {
	base       http.RoundTripper
	maxRetries int
	baseDelay  time.Duration
	maxDelay   time.Duration

	requests atomic.Int64

	mu      sync.Mutex
	secrets []string // password, application credential secret, tokens

	logBodies bool
}

func newTransport(base http.RoundTripper, maxRetries int) *transport {
	return &transport{
		base:       base,
		maxRetries: maxRetries,
		baseDelay:  defaultBaseDelay,
		maxDelay:   defaultMaxDelay,
		logBodies:  traceEnabled(),
	}
}

// traceEnabled reports whether TF_LOG (or TF_LOG_PROVIDER) asks for
// TRACE, the only level at which bodies are logged.
func traceEnabled() bool {
	for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_NOVA"} {
		if strings.EqualFold(os.Getenv(v), "TRACE") {
			return true
		}
	}
	return false
}

// addSecret makes s masked wherever the provider logs it.
func (t *transport) addSecret(s string) {
	if s == "" {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, have := range t.secrets {
		if have == s {
			return
		}
	}
	t.secrets = append(t.secrets, s)
}

func (t *transport) maskedContext(ctx context.Context) context.Context {
	t.mu.Lock()
	secrets := append([]string(nil), t.secrets...)
	t.mu.Unlock()
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, sensitiveKeys...)
	if len(secrets) > 0 {
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
	}
	return ctx
}

// sensitiveKeys are JSON keys and log field keys whose values are never
// logged.
var sensitiveKeys = []string{"password", "secret", "private_key", "token", "X-Auth-Token", "X-Subject-Token"}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := t.maskedContext(req.Context())

	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}

		start := time.Now()
		t.requests.Add(1)
		resp, err := t.base.RoundTrip(r)
		t.log(ctx, r, resp, err, attempt, time.Since(start))

		if resp != nil {
			if tok := resp.Header.Get("X-Subject-Token"); tok != "" {
				t.addSecret(tok)
			}
		}

		delay, retry := t.shouldRetry(req, resp, err, attempt)
		if !retry {
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		tflog.Debug(ctx, "retrying OpenStack API request", map[string]any{
			"method": req.Method, "url": req.URL.Redacted(), "attempt": attempt + 1, "delay_ms": delay.Milliseconds(),
		})
		timer := time.NewTimer(delay)
		select {
		case <-req.Context().Done():
			timer.Stop()
			if err == nil {
				err = req.Context().Err()
			}
			return nil, err
		case <-timer.C:
		}
	}
}

// shouldRetry decides whether an attempt is retried, and after how long.
//
// GET, HEAD, DELETE and PUT are retried on connection errors, timeouts,
// 429 and 5xx. So is a token request to Keystone. A POST to Nova is
// retried only when it is known not to have been processed: 429, or a
// connection that was never made. Its other failures are ambiguous (the
// keypair may exist) and go back to the caller, which resolves them by
// reading the keypair back.
func (t *transport) shouldRetry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.maxRetries || req.Context().Err() != nil {
		return 0, false
	}
	if req.Body != nil && req.GetBody == nil {
		return 0, false // cannot replay the body
	}
	safe := isIdempotent(req) || isTokenRequest(req)
	if err != nil {
		if tlsRefused(err) {
			return 0, false // the same certificates get the same answer
		}
		if hostUnknown(err) {
			return 0, false // a name that does not resolve will not in a moment (a refused connection may)
		}
		if safe || neverSent(err) {
			return t.backoff(attempt), true
		}
		return 0, false
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return t.serverDelay(resp, attempt), true
	case resp.StatusCode == http.StatusServiceUnavailable && safe:
		return t.serverDelay(resp, attempt), true
	case resp.StatusCode >= 500 && safe:
		return t.backoff(attempt), true
	}
	return 0, false
}

// isIdempotent reports whether the method is idempotent (RFC 9110 9.2.2):
// repeating the request has the effect of sending it once.
func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodPut, http.MethodOptions:
		return true
	}
	return false
}

// isTokenRequest reports a POST to Keystone's /auth/tokens. It is not
// idempotent (each one issues a token), but safe to repeat: a second
// token is as good as the first.
func isTokenRequest(req *http.Request) bool {
	return req.Method == http.MethodPost && strings.HasSuffix(strings.TrimRight(req.URL.Path, "/"), "/auth/tokens")
}

// hostUnknown reports a host name the resolver says does not exist
// (NXDOMAIN): not transient, unlike a resolver that timed out.
func hostUnknown(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}

// neverSent reports whether err happened before the request could reach
// the server: the connection was refused or could not be made.
func neverSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// tlsRefused reports a TLS handshake that failed over certificates: the
// server's was not trusted, or the server refused ours (a TLS alert).
func tlsRefused(err error) bool {
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidErr x509.CertificateInvalidError
	var opErr *net.OpError
	return errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) ||
		errors.As(err, &invalidErr) || (errors.As(err, &opErr) && opErr.Op == "remote error")
}

// backoff is exponential with equal jitter: for d = base * 2^attempt
// (capped at maxDelay), half of d plus a random delay up to the other half.
func (t *transport) backoff(attempt int) time.Duration {
	d := t.baseDelay << min(attempt, 16)
	if d <= 0 || d > t.maxDelay {
		d = t.maxDelay
	}
	return d/2 + rand.N(d/2+1)
}

// serverDelay honours Retry-After (seconds or an HTTP date), else backs off.
func (t *transport) serverDelay(resp *http.Response, attempt int) time.Duration {
	if d, ok := parseRetryAfter(resp.Header); ok {
		return jitterAfter(d)
	}
	return t.backoff(attempt)
}

// jitterAfter waits at least d, as Retry-After asks, plus up to half of it
// again, so that requests told to wait the same time do not all come back
// at once and trip the same rate limit.
func jitterAfter(d time.Duration) time.Duration {
	return d + rand.N(d/2+1)
}

// parseRetryAfter parses a Retry-After header (seconds, or an HTTP date)
// into how long to wait, bounded to a minute; false when the header is
// missing or malformed.
func parseRetryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = time.Until(at)
	} else {
		return 0, false
	}
	return max(0, min(d, maxRetryAfter)), true
}

// log writes one exchange: DEBUG for the summary, TRACE for bodies with
// every sensitive value masked. Tokens are never logged: headers are not
// logged except the microversion and request id.
func (t *transport) log(ctx context.Context, req *http.Request, resp *http.Response, err error, attempt int, took time.Duration) {
	fields := map[string]any{
		"method":      req.Method,
		"url":         req.URL.Redacted(),
		"duration_ms": took.Milliseconds(),
		"attempt":     attempt + 1,
	}
	if mv := req.Header.Get("OpenStack-API-Version"); mv != "" {
		fields["microversion"] = mv
	}
	if err != nil {
		fields["error"] = err.Error()
		tflog.Debug(ctx, "OpenStack API request failed", fields)
		return
	}
	fields["status"] = resp.StatusCode
	if id := cmp.Or(resp.Header.Get("X-Openstack-Request-Id"), resp.Header.Get("X-Compute-Request-Id")); id != "" {
		fields["request_id"] = id
	}
	tflog.Debug(ctx, "OpenStack API request", fields)
	if !t.logBodies {
		return
	}
	trace := maps.Clone(fields)
	if req.GetBody != nil {
		if body, err := req.GetBody(); err == nil {
			b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
			body.Close()
			trace["request_body"] = maskJSON(b)
		}
	}
	if resp.Body != nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		if rerr == nil {
			trace["response_body"] = maskJSON(b)
		}
	}
	tflog.Trace(ctx, "OpenStack API exchange", trace)
}

// maskJSON returns body with the value of every sensitive key (at any
// depth) replaced, and the id of any "token" object. Bodies that are not
// JSON are not logged.
func maskJSON(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "(non-JSON body not logged)"
	}
	v = maskValue(v, "")
	out, err := json.Marshal(v)
	if err != nil {
		return "(body not logged)"
	}
	const limit = 16 << 10
	if len(out) > limit {
		return string(out[:limit]) + "...(truncated)"
	}
	return string(out)
}

func maskValue(v any, parent string) any {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if isSensitiveKey(k) && !isContainer(child) || (parent == "token" && k == "id") {
				x[k] = "***"
				continue
			}
			x[k] = maskValue(child, k)
		}
		return x
	case []any:
		for i := range x {
			x[i] = maskValue(x[i], parent)
		}
		return x
	}
	return v
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func isSensitiveKey(k string) bool {
	for _, s := range sensitiveKeys {
		if strings.EqualFold(k, s) {
			return true
		}
	}
	return false
}
