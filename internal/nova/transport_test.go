package nova

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// warm discovers the compute endpoint, so that the requests a test counts
// afterwards are only its own.
func warm(t *testing.T, c *Client) {
	t.Helper()
	if _, _, err := c.versions(bg(), ""); err != nil {
		t.Fatal(err)
	}
}

func overLimit(w http.ResponseWriter, retryAfter string) {
	novatest.NovaError(w, http.StatusTooManyRequests, "overLimit", "This request was rate-limited.", "Retry-After", retryAfter)
}

// attempts checks how many attempts of method went to the keypair API, by
// the recording transport and by the client's own counter.
func attempts(t *testing.T, c *Client, rt *novatest.RecordingTransport, before int64, method string, want int) []novatest.Request {
	t.Helper()
	reqs := rt.KeypairRequests(method)
	if len(reqs) != want {
		t.Errorf("%d %s attempts reached the transport, want %d", len(reqs), method, want)
	}
	if got := c.Requests() - before; got != int64(want) {
		t.Errorf("Client.Requests() grew by %d, want %d", got, want)
	}
	return reqs
}

func TestRetry_429HonoursRetryAfter(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On("GET", "/os-keypairs/kp", novatest.FailFirst(1, func(w http.ResponseWriter) { overLimit(w, "1") }))
	c, rt := newTestClient(t, f, nil)
	warm(t, c)
	before := c.Requests()

	kp, err := c.GetKeypair(bg(), "", "kp", "")
	if err != nil {
		t.Fatal(err)
	}
	if kp.PublicKey != novatest.PublicKey {
		t.Errorf("public key %q", kp.PublicKey)
	}
	reqs := attempts(t, c, rt, before, "GET", 2)
	if len(reqs) == 2 {
		if waited := reqs[1].At.Sub(reqs[0].At); waited < 900*time.Millisecond {
			t.Errorf("retried after %v; Retry-After asked for 1s", waited)
		}
		if reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
			t.Errorf("statuses %d, %d; want 429, 200", reqs[0].Status, reqs[1].Status)
		}
	}
}

func TestRetry_503TwiceThenOK(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On("GET", "/os-keypairs/kp", novatest.FailFirst(2, func(w http.ResponseWriter) {
		novatest.NovaError(w, http.StatusServiceUnavailable, "computeFault", "Service Unavailable")
	}))
	c, rt := newTestClient(t, f, nil)
	warm(t, c)
	before := c.Requests()

	if _, err := c.GetKeypair(bg(), "", "kp", ""); err != nil {
		t.Fatal(err)
	}
	attempts(t, c, rt, before, "GET", 3)
}

func TestRetry_connectionResetsOnGET(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On("GET", "/os-keypairs/kp", novatest.FailFirst(2, novatest.ResetConnection))
	c, rt := newTestClient(t, f, nil)
	warm(t, c)
	before := c.Requests()

	if _, err := c.GetKeypair(bg(), "", "kp", ""); err != nil {
		t.Fatal(err)
	}
	reqs := attempts(t, c, rt, before, "GET", 3)
	if len(reqs) == 3 && (reqs[0].Status != 0 || reqs[1].Status != 0 || reqs[2].Status != http.StatusOK) {
		t.Errorf("statuses %d, %d, %d; want two resets then 200", reqs[0].Status, reqs[1].Status, reqs[2].Status)
	}
}

func TestRetry_persistent500GivesUp(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxRetries *int
		want       int
	}{
		{"default", nil, DefaultMaxRetries + 1},
		{"max_retries 3", ptrTo(3), 4},
		{"max_retries 0", ptrTo(0), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := novatest.NewCloud(t)
			f.On("GET", "/os-keypairs/kp", novatest.FailFirst(1000, func(w http.ResponseWriter) {
				novatest.NovaError(w, http.StatusInternalServerError, "computeFault", "Unexpected API Error.")
			}))
			c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = tc.maxRetries })
			warm(t, c)
			before := c.Requests()

			_, err := c.GetKeypair(bg(), "", "kp", "")
			if err == nil || !strings.Contains(APIMessage(err), "Unexpected API Error") {
				t.Errorf("got %v, want the 500", err)
			}
			attempts(t, c, rt, before, "GET", tc.want)
		})
	}
}

// MaxRetries 0 sends one attempt even for what is retryable.
func TestRetry_maxRetriesZero(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On("GET", "/os-keypairs/kp", novatest.FailFirst(1, func(w http.ResponseWriter) { overLimit(w, "0") }))
	c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = ptrTo(0) })
	warm(t, c)
	before := c.Requests()

	_, err := c.GetKeypair(bg(), "", "kp", "")
	if !gophercloud.ResponseCodeIs(err, http.StatusTooManyRequests) {
		t.Errorf("got %v, want the 429", err)
	}
	attempts(t, c, rt, before, "GET", 1)
}

// A DELETE whose answer is lost after Nova deleted the keypair is sent
// again; the 404 it then gets is what callers treat as deleted.
func TestRetry_deleteLostResponse(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On("DELETE", "/os-keypairs/kp", func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n > 1 {
			return false
		}
		f.Commit(r) // Nova deletes the keypair; the answer is lost
		novatest.ResetConnection(w)
		return true
	})
	c, rt := newTestClient(t, f, nil)
	warm(t, c)
	before := c.Requests()

	err := c.DeleteKeypair(bg(), "", "kp", "")
	if !IsNotFound(err) {
		t.Fatalf("got %v, want a 404 (IsNotFound)", err)
	}
	if !strings.Contains(APIMessage(err), "Keypair kp not found for user "+novatest.UserID) {
		t.Errorf("APIMessage %q, want Nova's message", APIMessage(err))
	}
	attempts(t, c, rt, before, "DELETE", 2)
	if _, ok := f.Has(novatest.UserID, "kp"); ok {
		t.Error("the keypair still exists")
	}
}

// A 429 means the POST was not processed: the transport sends it again,
// and the create does not need to read anything back.
func TestRetry_post429IsRetried(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1, func(w http.ResponseWriter) { overLimit(w, "0") }))
	c, rt := newTestClient(t, f, nil)
	warm(t, c)
	before := c.Requests()

	kp, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if kp.Name != "kp" || kp.PublicKey != novatest.PublicKey {
		t.Errorf("created %+v", kp)
	}
	attempts(t, c, rt, before, "POST", 2)
	if n := len(rt.KeypairRequests("GET")); n != 0 {
		t.Errorf("%d GETs after a 429 to the POST, want none", n)
	}
}

// A POST answered 5xx is not retried by the transport: whether Nova
// processed it is unknown, and only the create can find out, by reading
// back before each new POST.
func TestRetry_post5xxIsNotRetriedByTransport(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1000, unexpectedError))
	c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = ptrTo(2) })
	warm(t, c)

	if _, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey}); err == nil {
		t.Fatal("create succeeded")
	}
	want := "POST os-keypairs, GET kp, POST os-keypairs, GET kp, POST os-keypairs, GET kp"
	if got := sequence(rt); got != want {
		t.Errorf("requests %q, want %q (no POST straight after a 5xx)", got, want)
	}
}

// A refused connection means nothing was sent: even a POST is retried.
func TestRetry_neverSentPostIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	tr := newTransport(http.DefaultTransport, 2)
	tr.baseDelay, tr.maxDelay = time.Millisecond, time.Millisecond
	req, _ := http.NewRequestWithContext(bg(), http.MethodPost, "http://"+addr+"/v2.1/os-keypairs", strings.NewReader(`{}`))
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a POST to a closed port succeeded")
	}
	if n := tr.requests.Load(); n != 3 {
		t.Errorf("%d attempts, want 3 (a refused connection is retried)", n)
	}
}

// TestRetry_unknownHostIsNotRetried: a host that does not resolve fails
// at once (it was retried for 22 s); a refused connection, which can be
// a server restarting, keeps its retries (above).
func TestRetry_unknownHostIsNotRetried(t *testing.T) {
	var dials int
	base := &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		dials++
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
	}}
	tr := newTransport(base, 6)
	req, _ := http.NewRequestWithContext(bg(), http.MethodPost, "http://keystone.example.invalid:5000/v3/auth/tokens", strings.NewReader(`{}`))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(`{}`)), nil }
	start := time.Now()
	if _, err := tr.RoundTrip(req); err == nil {
		t.Fatal("a request to a host that does not resolve succeeded")
	}
	if n := tr.requests.Load(); n != 1 || dials != 1 {
		t.Errorf("%d attempts (%d dials), want 1", n, dials)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s", d)
	}
}

// A token request is not idempotent but safe to repeat; a POST to Nova
// is neither.
func TestIsIdempotent(t *testing.T) {
	for _, c := range []struct {
		method, url       string
		idempotent, token bool
	}{
		{"GET", "http://nova/v2.1/os-keypairs", true, false},
		{"HEAD", "http://nova/v2.1/", true, false},
		{"DELETE", "http://nova/v2.1/os-keypairs/kp", true, false},
		{"PUT", "http://nova/v2.1/x", true, false},
		{"POST", "http://keystone:5000/v3/auth/tokens", false, true},
		{"POST", "http://keystone:5000/identity/v3/auth/tokens/", false, true},
		{"POST", "http://nova/v2.1/os-keypairs", false, false},
		{"POST", "http://nova/v2.1/os-keypairs/auth/tokens-not", false, false},
		{"PATCH", "http://nova/v2.1/x", false, false},
	} {
		req, _ := http.NewRequest(c.method, c.url, nil)
		if got := isIdempotent(req); got != c.idempotent {
			t.Errorf("isIdempotent(%s %s) = %v, want %v", c.method, c.url, got, c.idempotent)
		}
		if got := isTokenRequest(req); got != c.token {
			t.Errorf("isTokenRequest(%s %s) = %v, want %v", c.method, c.url, got, c.token)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	h := func(v string) http.Header { return http.Header{"Retry-After": []string{v}} }
	for _, c := range []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"1", time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"3600", maxRetryAfter, true},
		{"-5", 0, true},
		{"soon", 0, false},
		{"1.5", 0, false},
		{"", 0, false},
	} {
		got, ok := parseRetryAfter(h(c.in))
		if got != c.want || ok != c.wantOK {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.wantOK)
		}
	}
	if _, ok := parseRetryAfter(http.Header{}); ok {
		t.Error("parseRetryAfter without the header is ok")
	}

	got, ok := parseRetryAfter(h(time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)))
	if !ok || got < 8*time.Second || got > 10*time.Second {
		t.Errorf("parseRetryAfter(date in 10s) = %v, %v", got, ok)
	}
	got, ok = parseRetryAfter(h(time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)))
	if !ok || got != maxRetryAfter {
		t.Errorf("parseRetryAfter(date in 2h) = %v, %v; want the %v cap", got, ok, maxRetryAfter)
	}
	got, ok = parseRetryAfter(h("Wed, 21 Oct 2015 07:28:00 GMT"))
	if !ok || got != 0 {
		t.Errorf("parseRetryAfter(past date) = %v, %v; want 0", got, ok)
	}
}

func TestBackoff(t *testing.T) {
	tr := newTransport(nil, 6)
	for attempt := range 40 {
		d := tr.backoff(attempt)
		ceiling := min(defaultBaseDelay<<min(attempt, 16), defaultMaxDelay)
		if d < ceiling/2 || d > ceiling {
			t.Errorf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
		}
	}
}

func TestMaskJSON(t *testing.T) {
	in := `{"auth": {"identity": {"methods": ["password", "application_credential"],
		"password": {"user": {"name": "admin", "password": "hunter2"}},
		"application_credential": {"id": "ac-id", "secret": "s3cret"}},
		"scope": {"project": {"name": "admin"}}},
		"token": {"id": "tok-123", "methods": ["token"]},
		"keypair": {"name": "gen21", "private_key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE", "public_key": "ssh-rsa AAAA", "fingerprint": "56:52"},
		"list": [{"Password": "p1"}, {"X-Auth-Token": "t1", "keep": "yes"}]}`
	out := maskJSON([]byte(in))
	for _, secret := range []string{"hunter2", "s3cret", "tok-123", "BEGIN RSA", "p1", "t1"} {
		if strings.Contains(out, secret) {
			t.Errorf("masked body %s still holds %q", out, secret)
		}
	}
	for _, kept := range []string{`"name":"admin"`, `"id":"ac-id"`, `"public_key":"ssh-rsa AAAA"`, `"fingerprint":"56:52"`, `"methods":["token"]`, `"keep":"yes"`, `"name":"gen21"`} {
		if !strings.Contains(out, kept) {
			t.Errorf("masked body %s lost %s", out, kept)
		}
	}
	if maskJSON([]byte("  ")) != "" {
		t.Error("an empty body is not logged as empty")
	}
	if got := maskJSON([]byte("password=hunter2")); strings.Contains(got, "hunter2") {
		t.Errorf("a non-JSON body was logged: %s", got)
	}
}
