package nova

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// TestShared_failureIsTheResult: a failure that only looks like a
// context's end (net/http's "timeout awaiting response headers" is a
// context.DeadlineExceeded) is the result, for every caller, after one
// run; it is not run again and again.
func TestShared_failureIsTheResult(t *testing.T) {
	var g singleflight.Group
	var runs atomic.Int32
	timeout := fmt.Errorf("net/http: timeout awaiting response headers: %w", context.DeadlineExceeded)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := shared(ctx, &g, "k", func(context.Context) (int, error) { runs.Add(1); return 0, timeout })
	if !errors.Is(err, timeout) || runs.Load() != 1 {
		t.Errorf("got %v after %d runs; want the timeout after 1", err, runs.Load())
	}
}

// TestShared_firstCallerGone: when the caller running the shared call is
// canceled, a caller still waiting runs it again with its own context.
func TestShared_firstCallerGone(t *testing.T) {
	var g singleflight.Group
	started := make(chan struct{})
	first, cancelFirst := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() {
		_, err := shared(first, &g, "k", func(ctx context.Context) (int, error) {
			close(started)
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("first caller: %v, want context.Canceled", err)
		}
	})
	<-started
	var second int
	var secondErr error
	wg.Go(func() {
		second, secondErr = shared(t.Context(), &g, "k", func(context.Context) (int, error) { return 2, nil })
	})
	time.Sleep(50 * time.Millisecond) // the second caller joins the first's call
	cancelFirst()
	wg.Wait()
	if secondErr != nil || second != 2 {
		t.Errorf("second caller: %d, %v; want 2 from its own run", second, secondErr)
	}
}

// silentServer accepts connections and never answers; it returns its URL
// and how many connections it accepted.
func silentServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return "http://" + ln.Addr().String(), &accepted
}

// TestAuthenticate_keystoneNeverAnswers: when Keystone never answers, the
// request times out and Authenticate fails with an *AuthError that says
// to check auth_url, at once and without spinning; a later call gets the
// same error without another request.
func TestAuthenticate_keystoneNeverAnswers(t *testing.T) {
	u, accepted := silentServer(t)
	c, err := New(Config{AuthURL: u + "/v3", UserName: "u", Password: "p", ProjectName: "p", Getenv: func(string) string { return "" },
		HTTPTransport: &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond}, MaxRetries: ptrTo(0)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err = c.Authenticate(ctx)
	var authErr *AuthError
	if !errors.As(err, &authErr) || authErr.Failure != AuthUnreachable {
		t.Fatalf("Authenticate: %v; want an *AuthError, AuthUnreachable", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Authenticate took %v: it ran until the caller's deadline", took)
	}
	if err := c.Authenticate(ctx); !errors.As(err, &authErr) || accepted.Load() != 1 {
		t.Errorf("second Authenticate: %v after %d connections; want the kept error and 1 connection", err, accepted.Load())
	}
}

// TestAuthenticate_callerOutOfTime: when the caller's time runs out
// during authentication, the failure is an *AuthError naming Keystone,
// not a bare "context deadline exceeded", and it is not kept: a caller
// with time tries again.
func TestAuthenticate_callerOutOfTime(t *testing.T) {
	u, accepted := silentServer(t)
	c, err := New(Config{AuthURL: u + "/v3", UserName: "u", Password: "p", ProjectName: "p", Getenv: func(string) string { return "" }, MaxRetries: ptrTo(0)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		err := c.Authenticate(ctx)
		cancel()
		var authErr *AuthError
		if !errors.As(err, &authErr) || authErr.Failure != AuthUnreachable || authErr.AuthURL != u+"/v3" {
			t.Fatalf("Authenticate %d: %v; want an *AuthError for %s/v3, AuthUnreachable", i, err, u)
		}
	}
	if n := accepted.Load(); n != 2 {
		t.Errorf("%d connections; want 2 (the failure was not kept)", n)
	}
}

// TestFindKeypair_listTimesOut: a list page that times out fails the
// reads waiting for it, after the retries, instead of being sent again
// until their deadline.
func TestFindKeypair_listTimesOut(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.PublicKey)
	f.On(http.MethodGet, "/os-keypairs", func(_ http.ResponseWriter, r *http.Request, _ int) bool {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		return false
	})
	c, _ := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = ptrTo(1) })
	c.transport.base = &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond} // authenticated: only Nova is slow
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err := c.FindKeypair(ctx, "", "kp", "")
	if err == nil || ctx.Err() != nil || time.Since(start) > 5*time.Second {
		t.Errorf("FindKeypair: %v after %v; want the timeout, soon", err, time.Since(start))
	}
	lists := 0
	for _, r := range f.Requests() {
		if r == "GET /v2.1/os-keypairs?limit=1000" {
			lists++
		}
	}
	if lists != 2 {
		t.Errorf("%d list requests; want 2 (one and its retry)", lists)
	}
}

// TestFindKeypair_markerRefused: when the keypair that ends a page is
// deleted before the next page is read, Nova refuses the marker (400);
// the index reads the list again from the start and finds the keypair.
func TestFindKeypair_markerRefused(t *testing.T) {
	f := novatest.NewCloud(t)
	f.SetMaxLimit(10)
	for i := range 25 {
		f.Seed(novatest.UserID, fmt.Sprintf("kp-%02d", i), novatest.PublicKey)
	}
	c, _ := newTestClient(t, f, nil)
	if _, err := c.FindKeypair(t.Context(), "", "kp-03", ""); err != nil {
		t.Fatal(err)
	}
	other, _ := newTestClient(t, f, nil)
	if err := other.DeleteKeypair(t.Context(), "", "kp-09", ""); err != nil { // the first page's marker
		t.Fatal(err)
	}
	kp, err := c.FindKeypair(t.Context(), "", "kp-24", "")
	if err != nil || kp.Name != "kp-24" {
		t.Fatalf("FindKeypair kp-24: %+v, %v", kp, err)
	}
	var markers []string
	for _, r := range f.Requests() {
		if strings.Contains(r, "marker=") {
			markers = append(markers, r)
		}
	}
	// kp-09 refused; from the start again: kp-09 is gone, so page 1 ends
	// at kp-10, then kp-20.
	if want := []string{"marker=kp-09", "marker=kp-10", "marker=kp-20"}; len(markers) != len(want) {
		t.Errorf("pages after the first: %v; want markers %v", markers, want)
	}
}

// TestEachKeypair: every keypair, in Nova's order, across pages; reading
// stops, with no further page, when yield says so.
func TestEachKeypair(t *testing.T) {
	f := novatest.NewCloud(t)
	f.SetMaxLimit(2)
	for i := range 5 {
		f.Seed(novatest.UserID, fmt.Sprintf("kp-%d", i), novatest.PublicKey)
	}
	c, _ := newTestClient(t, f, nil)
	var names []string
	if err := c.EachKeypair(t.Context(), "", "", func(kp Keypair) bool { names = append(names, kp.Name); return true }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names, " "); got != "kp-0 kp-1 kp-2 kp-3 kp-4" {
		t.Errorf("each: %q", got)
	}

	c, _ = newTestClient(t, f, nil)
	before := len(f.Requests())
	names = nil
	if err := c.EachKeypair(t.Context(), "", "", func(kp Keypair) bool { names = append(names, kp.Name); return len(names) < 2 }); err != nil {
		t.Fatal(err)
	}
	pages := 0
	for _, r := range f.Requests()[before:] {
		if strings.Contains(r, "/os-keypairs?") {
			pages++
		}
	}
	if len(names) != 2 || pages != 1 {
		t.Errorf("stopping after 2: %v from %d pages; want 2 from 1", names, pages)
	}
}
