package novatest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one attempt as a client sent it, and how it ended.
type Request struct {
	Method, Path string
	Query        url.Values
	// Microversion is the OpenStack-API-Version header, e.g. "compute 2.2".
	Microversion string
	// NovaVersion is the legacy X-OpenStack-Nova-API-Version header.
	NovaVersion string
	UserAgent   string
	// At is when the attempt was sent.
	At time.Time
	// Status is the answer's status code, 0 when the attempt failed
	// without an answer (connection reset, refused, ...).
	Status int
}

// RecordingTransport is an http.RoundTripper that records every attempt
// and sends it on through another transport. Put it under a client (as
// its HTTP transport) to see each attempt its retries make, not only the
// outcome.
type RecordingTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	reqs []Request
}

// NewRecordingTransport records and then sends through a transport
// without keep-alive, so that a connection the fake drops (ResetConnection)
// is never retried by net/http itself: every retry seen is the client's.
// Its connections are closed when the test ends.
func NewRecordingTransport(t testing.TB) *RecordingTransport {
	base := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(base.CloseIdleConnections)
	return &RecordingTransport{base: base}
}

// RecordOver records and then sends through base unchanged
// (http.DefaultTransport when nil), e.g. against a real cloud.
func RecordOver(base http.RoundTripper) *RecordingTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &RecordingTransport{base: base}
}

// RoundTrip records req and sends it through the underlying transport.
func (rt *RecordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := Request{
		Method:       req.Method,
		Path:         req.URL.Path,
		Query:        req.URL.Query(),
		Microversion: req.Header.Get("OpenStack-API-Version"),
		NovaVersion:  req.Header.Get("X-OpenStack-Nova-API-Version"),
		UserAgent:    req.Header.Get("User-Agent"),
		At:           time.Now(),
	}
	resp, err := rt.base.RoundTrip(req)
	if err == nil {
		rec.Status = resp.StatusCode
	}
	rt.mu.Lock()
	rt.reqs = append(rt.reqs, rec)
	rt.mu.Unlock()
	return resp, err
}

// All returns the attempts so far, in the order they ended.
func (rt *RecordingTransport) All() []Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return slices.Clone(rt.reqs)
}

// KeypairRequests returns the attempts of method ("" for any) on the
// keypair API (paths containing /os-keypairs).
func (rt *RecordingTransport) KeypairRequests(method string) []Request {
	var out []Request
	for _, r := range rt.All() {
		if strings.Contains(r.Path, "/os-keypairs") && (method == "" || r.Method == method) {
			out = append(out, r)
		}
	}
	return out
}

// Last returns the last keypair API attempt; the test fails when there is
// none.
func (rt *RecordingTransport) Last(t testing.TB) Request {
	t.Helper()
	reqs := rt.KeypairRequests("")
	if len(reqs) == 0 {
		t.Fatal("no keypair API request was sent")
	}
	return reqs[len(reqs)-1]
}
