package acctest

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
)

// Fault is what the FaultProxy does to one request instead of passing it
// through.
type Fault string

const (
	// DropResponse forwards the request, so that Nova acts on it, then
	// resets the client's connection without a byte of response: an
	// answer lost on the way back.
	DropResponse Fault = "drop-response"
	// Commit503 forwards the request, so that Nova acts on it, then
	// answers 503 instead of Nova's answer, as a load balancer that gave
	// up waiting does.
	Commit503 Fault = "503-after-commit"
	// Reply503 answers 503 (Retry-After: 1) without forwarding: Nova
	// never sees the request.
	Reply503 Fault = "503"
	// Reply429 answers 429 (Retry-After: 1) without forwarding.
	Reply429 Fault = "429"
	// RateLimited is Reply429 because the plan's token bucket was empty.
	RateLimited Fault = "429-rate-limit"
)

// ListKeypairs is the Method of FaultRule and Counts for a keypair list
// (GET .../os-keypairs): counted apart from the other GETs.
const ListKeypairs = "LIST"

// requestKind is r's method, or ListKeypairs for a keypair list.
func requestKind(r *http.Request) string {
	if r.Method == http.MethodGet && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/os-keypairs") {
		return ListKeypairs
	}
	return r.Method
}

// FaultRule makes every Every-th request of Method ("" is any method;
// ListKeypairs is a keypair list, which "GET" does not include)
// fail with Fault.
type FaultRule struct {
	Method string
	Fault  Fault
	Every  int
}

// FaultPlan is what a FaultProxy does. Rules are tried in order; the
// first that fires decides. Each rule counts the requests it is tried on,
// so for a given sequence of requests the faults are always the same.
type FaultPlan struct {
	Rules []FaultRule
	// Seed picks where in each rule's cycle the first fault falls.
	Seed uint64
	// RateLimit, if > 0, is a token bucket of RateLimit requests a second
	// (burst RateLimit), checked before the rules: a request that finds it
	// empty is answered 429 with Retry-After: 1 and not forwarded.
	RateLimit int
	// Delay is a round trip added to every forwarded request: half before
	// it goes to Nova (the request read whole; a client that hangs up
	// meanwhile is not forwarded), half after Nova answered (Nova has
	// acted; the answer is late).
	Delay time.Duration
}

// FaultProxy is a reverse proxy on 127.0.0.1 in front of a service on
// 127.0.0.1 (the dev cloud's Nova) that injects the faults of its plan
// and counts what it did. It is safe for concurrent use.
type FaultProxy struct {
	// URL is the proxy's base URL, http://127.0.0.1:PORT.
	URL string

	server *httptest.Server
	proxy  *httputil.ReverseProxy

	delay time.Duration

	mu     sync.Mutex
	posted []string // keypair names of creates received
	rules  []ruleState
	bucket *tokenBucket
	counts map[string]*FaultCounts // by method
}

// FaultCounts is what the proxy did with the requests of one method.
type FaultCounts struct {
	Requests  int // received
	Forwarded int // sent to Nova, which answered
	Faults    map[Fault]int
	// Committed counts DropResponse and Commit503 faults on requests Nova
	// had answered 2xx: it did what was asked, the client never learnt.
	Committed int
}

type ruleState struct {
	FaultRule
	seen, phase int
}

type faultKey struct{}

// injected is the error ModifyResponse returns to replace Nova's answer.
type injected struct{ fault Fault }

func (e injected) Error() string { return "injected fault " + string(e.fault) }

// NewFaultProxy starts a FaultProxy in front of target, whose host must
// be a loopback address, and stops it when the test ends.
func NewFaultProxy(t testing.TB, target string, plan FaultPlan, tlsConfig *tls.Config) *FaultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || !isLoopback(u.Hostname()) {
		t.Fatalf("fault proxy: target %q is not on the loopback interface; the proxy only talks to 127.0.0.1", target)
	}
	upstream := &url.URL{Scheme: u.Scheme, Host: u.Host}

	p := &FaultProxy{counts: map[string]*FaultCounts{}, delay: plan.Delay}
	for i, r := range plan.Rules {
		if r.Every < 1 {
			t.Fatalf("fault proxy: rule %d: Every must be at least 1", i)
		}
		seeded := rand.New(rand.NewPCG(plan.Seed, uint64(i)))
		p.rules = append(p.rules, ruleState{FaultRule: r, phase: seeded.IntN(r.Every)})
	}
	if plan.RateLimit > 0 {
		p.bucket = &tokenBucket{rate: float64(plan.RateLimit), tokens: float64(plan.RateLimit), last: time.Now()}
	}

	dialer := &net.Dialer{Timeout: 5 * time.Second}
	transport := &http.Transport{
		Proxy: nil, // never through an HTTP proxy from the environment
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil || !isLoopback(host) {
				return nil, fmt.Errorf("fault proxy: refusing to connect to %q: not a loopback address", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:       tlsConfig,
		ResponseHeaderTimeout: 60 * time.Second,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       30 * time.Second,
	}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			// Nova builds the links in its answers (version document,
			// keypairs_links) from Host: keep them pointing at the proxy.
			r.Out.Host = r.In.Host
		},
		Transport:      transport,
		ModifyResponse: p.modifyResponse,
		ErrorHandler:   p.errorHandler,
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	p.server = httptest.NewUnstartedServer(p)
	p.server.Listener.Close()
	p.server.Listener = listener
	p.server.Start()
	p.URL = p.server.URL
	t.Cleanup(func() {
		p.server.Close()
		transport.CloseIdleConnections()
		t.Logf("fault proxy in front of %s: %s", upstream, p)
	})
	return p
}

// StartNovaFaultProxy starts a FaultProxy in front of the compute
// endpoint that the environment's cloud (OS_CLOUD, else the OS_*
// variables) has in its catalog, and returns it with the URL to give the
// provider as `endpoint_overrides = { compute = ... }`.
func StartNovaFaultProxy(t testing.TB, plan FaultPlan) (*FaultProxy, string) {
	t.Helper()
	endpoint, tlsConfig, err := computeEndpoint(context.Background())
	if err != nil {
		t.Fatalf("finding the compute endpoint in the catalog: %v", err)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatalf("compute endpoint %q: %v", endpoint, err)
	}
	p := NewFaultProxy(t, endpoint, plan, tlsConfig)
	return p, strings.TrimRight(p.URL+u.EscapedPath(), "/")
}

// computeEndpoint authenticates like the provider does (clouds.yaml, else
// OS_* variables) and returns the catalog's compute endpoint.
func computeEndpoint(ctx context.Context) (string, *tls.Config, error) {
	var (
		ao        gophercloud.AuthOptions
		eo        gophercloud.EndpointOpts
		tlsConfig *tls.Config
		err       error
	)
	if os.Getenv("OS_CLOUD") != "" {
		ao, eo, tlsConfig, err = clouds.Parse()
	} else {
		ao, err = openstack.AuthOptionsFromEnv()
		eo.Region = os.Getenv("OS_REGION_NAME")
	}
	if err != nil {
		return "", nil, err
	}
	pc, err := openstack.NewClient(ao.IdentityEndpoint)
	if err != nil {
		return "", nil, err
	}
	if tlsConfig != nil {
		pc.HTTPClient = http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	}
	if err := openstack.Authenticate(ctx, pc, ao); err != nil {
		return "", nil, err
	}
	sc, err := openstack.NewComputeV2(pc, eo)
	if err != nil {
		return "", nil, err
	}
	return sc.Endpoint, tlsConfig, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (p *FaultProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch fault := p.decide(requestKind(r)); fault {
	case Reply503:
		reply(w, http.StatusServiceUnavailable, "serviceUnavailable", "The service is temporarily unavailable (injected by the fault proxy).")
	case Reply429, RateLimited:
		reply(w, http.StatusTooManyRequests, "overLimit", "This request was rate-limited.")
	default:
		if name, ok := postedName(r); ok {
			p.mu.Lock()
			p.posted = append(p.posted, name)
			p.mu.Unlock()
		}
		if p.delay > 0 {
			// Go's server notices a client that hangs up only once the
			// request body is read: read it first, so that a POST whose
			// client leaves during the delay is not forwarded either.
			if r.Body != nil {
				body, err := io.ReadAll(r.Body)
				if err != nil {
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			select {
			case <-time.After(p.delay / 2):
			case <-r.Context().Done():
				return // the client hung up on the way: Nova never sees it
			}
		}
		p.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), faultKey{}, fault)))
	}
}

// postedName is the keypair name of a keypair create (POST
// .../os-keypairs), read from its body, which it puts back.
func postedName(r *http.Request) (string, bool) {
	if r.Method != http.MethodPost || !strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/os-keypairs") || r.Body == nil {
		return "", false
	}
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var create struct {
		Keypair struct {
			Name string `json:"name"`
		} `json:"keypair"`
	}
	if err != nil || json.Unmarshal(body, &create) != nil {
		return "", false
	}
	return create.Keypair.Name, true
}

// Posted is the name of every keypair create the proxy received, in
// order, a name as often as it was sent.
func (p *FaultProxy) Posted() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posted...)
}

// decide counts a request and picks its fault ("" for none).
func (p *FaultProxy) decide(method string) Fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.countsLocked(method)
	c.Requests++
	fault := Fault("")
	if p.bucket != nil && !p.bucket.take(time.Now()) {
		fault = RateLimited
	}
	for i := 0; i < len(p.rules) && fault == ""; i++ {
		r := &p.rules[i]
		if r.Method != "" && r.Method != method {
			continue
		}
		r.seen++
		if (r.seen+r.phase)%r.Every == 0 {
			fault = r.Fault
		}
	}
	if fault != "" {
		c.Faults[fault]++
	}
	return fault
}

func (p *FaultProxy) countsLocked(method string) *FaultCounts {
	c, ok := p.counts[method]
	if !ok {
		c = &FaultCounts{Faults: map[Fault]int{}}
		p.counts[method] = c
	}
	return c
}

// modifyResponse sees Nova's answer; for DropResponse and Commit503 it
// replaces it, through errorHandler.
func (p *FaultProxy) modifyResponse(resp *http.Response) error {
	time.Sleep(p.delay / 2) // Nova has answered; the answer is on its way
	fault, _ := resp.Request.Context().Value(faultKey{}).(Fault)
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.countsLocked(requestKind(resp.Request))
	c.Forwarded++
	if fault != DropResponse && fault != Commit503 {
		return nil
	}
	if resp.StatusCode/100 == 2 {
		c.Committed++
	}
	return injected{fault}
}

func (p *FaultProxy) errorHandler(w http.ResponseWriter, r *http.Request, err error) {
	var inj injected
	switch {
	case errors.As(err, &inj) && inj.fault == DropResponse:
		hangUp(w)
	case errors.As(err, &inj):
		reply(w, http.StatusServiceUnavailable, "serviceUnavailable", "The service is temporarily unavailable (injected by the fault proxy after Nova answered).")
	default:
		reply(w, http.StatusBadGateway, "computeFault", "fault proxy: "+err.Error())
	}
}

// hangUp resets the connection without writing a response.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // closes the connection without a response
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // RST rather than FIN
	}
	_ = conn.Close()
}

// reply answers like Nova does: {"<kind>": {"code": N, "message": "..."}}.
func reply(w http.ResponseWriter, code int, kind, message string) {
	body := map[string]any{"code": code, "message": message}
	if code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	if code == http.StatusTooManyRequests {
		body["retryAfter"] = "1"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{kind: body})
}

// Counts is what the proxy did with the requests of method ("" sums every
// method).
func (p *FaultProxy) Counts(method string) FaultCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	sum := FaultCounts{Faults: map[Fault]int{}}
	for m, c := range p.counts {
		if method != "" && m != method {
			continue
		}
		sum.Requests += c.Requests
		sum.Forwarded += c.Forwarded
		sum.Committed += c.Committed
		for f, n := range c.Faults {
			sum.Faults[f] += n
		}
	}
	return sum
}

// String summarises the counts, by method.
func (p *FaultProxy) String() string {
	p.mu.Lock()
	methods := make([]string, 0, len(p.counts))
	for m := range p.counts {
		methods = append(methods, m)
	}
	p.mu.Unlock()
	sort.Strings(methods)
	var parts []string
	for _, m := range methods {
		c := p.Counts(m)
		faults := make([]string, 0, len(c.Faults))
		for f, n := range c.Faults {
			faults = append(faults, fmt.Sprintf("%s=%d", f, n))
		}
		sort.Strings(faults)
		parts = append(parts, fmt.Sprintf("%s: %d requests, %d forwarded, faults [%s], %d committed then lost",
			m, c.Requests, c.Forwarded, strings.Join(faults, " "), c.Committed))
	}
	return strings.Join(parts, "; ")
}

// tokenBucket allows rate requests a second, in bursts of up to rate.
type tokenBucket struct {
	rate, tokens float64
	last         time.Time
}

func (b *tokenBucket) take(now time.Time) bool {
	b.tokens = min(b.rate, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
