package nova

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// Ctrl-C: Terraform stops the provider, which cancels the request
// context of every call in flight. A create or delete cut short that way
// is settled, never retried.

// quickSettle shortens the settle looks for test t.
func quickSettle(t *testing.T) {
	saved := SettleLooks
	SettleLooks = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}
	t.Cleanup(func() { SettleLooks = saved })
}

// cancelInFlight is a hook that, when commit is set, lets Nova act on the
// request first; then it cancels the client's context (Terraform's stop
// arriving while the request is at Nova or its answer on the way back)
// and never answers.
func cancelInFlight(f *novatest.Cloud, cancel context.CancelFunc, commit bool) novatest.Hook {
	return func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if commit {
			f.Commit(r)
		}
		cancel()
		// The client gives up; the answer never comes.
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		novatest.ResetConnection(w)
		return true
	}
}

// TestCreateKeypair_cancelledAfterCommit: the keypair Nova made is
// returned, with no error, and no second POST is sent.
func TestCreateKeypair_cancelledAfterCommit(t *testing.T) {
	f := novatest.NewCloud(t)
	ctx, cancel := context.WithCancel(bg())
	f.On(http.MethodPost, "/os-keypairs", cancelInFlight(f, cancel, true))
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatalf("create cancelled after Nova made the keypair: %v", err)
	}
	if kp.Name != "kp" || kp.PublicKey != novatest.PublicKey || kp.Fingerprint != novatest.PublicKeyFingerprint {
		t.Errorf("got %+v", kp)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp" {
		t.Errorf("requests %q, want the POST and one GET", got)
	}
}

// TestCreateKeypair_cancelledBeforeNova: a POST that never reached Nova
// is reported as not created, after Nova was asked (more than once: it
// could still be handling it), and is not sent again.
func TestCreateKeypair_cancelledBeforeNova(t *testing.T) {
	quickSettle(t)
	f := novatest.NewCloud(t)
	ctx, cancel := context.WithCancel(bg())
	f.On(http.MethodPost, "/os-keypairs", cancelInFlight(f, cancel, false))
	c, rt := newTestClient(t, f, nil)

	_, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `Nova did not hold keypair "kp" 7ms after the create was cut short: it was not created`) {
		t.Fatalf("error %v, want the cancellation and that the keypair was not created", err)
	}
	if got, want := sequence(rt), "POST os-keypairs"+strings.Repeat(", GET kp", len(SettleLooks)); got != want {
		t.Errorf("requests %q, want %q", got, want)
	}
	if _, ok := f.Has(novatest.UserID, "kp"); ok {
		t.Error("the fake holds kp")
	}
}

// TestCreateKeypair_cancelledLateCommit: Nova makes the keypair a moment
// after the client gave up (it was still handling the POST): the second
// look finds it.
func TestCreateKeypair_cancelledLateCommit(t *testing.T) {
	f := novatest.NewCloud(t)
	ctx, cancel := context.WithCancel(bg())
	f.On(http.MethodPost, "/os-keypairs", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		cancel()
		f.Seed(novatest.UserID, "kp", novatest.PublicKey) // Nova finishes after the client hung up
		novatest.ResetConnection(w)
		return true
	})
	c, rt := newTestClient(t, f, nil)
	f.On(http.MethodGet, "/os-keypairs/kp", func(w http.ResponseWriter, _ *http.Request, n int) bool {
		if n == 1 { // the first look comes too early
			novatest.NovaError(w, http.StatusNotFound, "itemNotFound", "Keypair kp not found for user "+novatest.UserID)
			return true
		}
		return false
	})

	kp, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil || kp.Name != "kp" {
		t.Fatalf("got %+v, %v; want kp", kp, err)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp, GET kp" {
		t.Errorf("requests %q", got)
	}
}

// TestCreateKeypair_cancelledUnsettled: when the keypair cannot be read
// back either, the error says the outcome is unknown.
func TestCreateKeypair_cancelledUnsettled(t *testing.T) {
	f := novatest.NewCloud(t)
	ctx, cancel := context.WithCancel(bg())
	f.On(http.MethodPost, "/os-keypairs", cancelInFlight(f, cancel, true))
	f.On(http.MethodGet, "/os-keypairs/kp", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		novatest.NovaError(w, http.StatusForbidden, "forbidden", "Policy doesn't allow os_compute_api:os-keypairs:show to be performed.")
		return true
	})
	c, _ := newTestClient(t, f, nil)

	_, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	var unsettled *UnsettledError
	if !errors.As(err, &unsettled) || unsettled.Op != "create" || !strings.Contains(err.Error(), "Nova may or may not hold it") {
		t.Fatalf("error %v, want an *UnsettledError", err)
	}
}

// TestDeleteKeypair_cancelled: a DELETE cut short succeeds if Nova no
// longer holds the keypair, and fails (the keypair stays in state) if it
// does.
func TestDeleteKeypair_cancelled(t *testing.T) {
	quickSettle(t)
	for _, commit := range []bool{true, false} {
		f := novatest.NewCloud(t)
		f.Seed(novatest.UserID, "kp", novatest.PublicKey)
		ctx, cancel := context.WithCancel(bg())
		f.On(http.MethodDelete, "/os-keypairs/kp", cancelInFlight(f, cancel, commit))
		c, rt := newTestClient(t, f, nil)

		err := c.DeleteKeypair(ctx, "", "kp", "")
		_, held := f.Has(novatest.UserID, "kp")
		switch {
		case commit && (err != nil || held):
			t.Errorf("DELETE done, then cancelled: error %v, still held %v; want success", err, held)
		case !commit && (!errors.Is(err, context.Canceled) || !held):
			t.Errorf("DELETE cancelled before Nova: error %v, still held %v; want the cancellation", err, held)
		}
		want := "DELETE kp, GET kp" // gone at the first look
		if !commit {
			want = "DELETE kp" + strings.Repeat(", GET kp", len(SettleLooks)) // still there at every look
		}
		if got := sequence(rt); got != want {
			t.Errorf("requests %q, want %q", got, want)
		}
		var stillHeld *StillHeldError
		if !commit && (!errors.As(err, &stillHeld) || !strings.Contains(err.Error(), "it was not deleted")) {
			t.Errorf("error %v, want a *StillHeldError", err)
		}
	}
}

// TestCreateKeypair_timeoutAfterCommit: the create timeout running out
// while Nova's answer is on its way is settled like a stop.
func TestCreateKeypair_timeoutAfterCommit(t *testing.T) {
	f := novatest.NewCloud(t)
	ctx, cancel := context.WithTimeout(bg(), 300*time.Millisecond)
	defer cancel()
	f.On(http.MethodPost, "/os-keypairs", func(w http.ResponseWriter, r *http.Request, _ int) bool {
		f.Commit(r)
		<-ctx.Done() // the answer is later than the timeout
		novatest.ResetConnection(w)
		return true
	})
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil || kp.Name != "kp" {
		t.Fatalf("got %+v, %v; want kp", kp, err)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp" {
		t.Errorf("requests %q, want the POST and one GET", got)
	}
}

// TestCreateKeypair_cancelledBeforeSending: a create whose context is over
// before its POST sends nothing and reads nothing back.
func TestCreateKeypair_cancelledBeforeSending(t *testing.T) {
	f := novatest.NewCloud(t)
	c, rt := newTestClient(t, f, nil)
	if err := c.Authenticate(bg()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg())
	cancel()
	_, err := c.CreateKeypair(ctx, "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), `keypair "kp" was not created`) {
		t.Errorf("error %v", err)
	}
	if got := sequence(rt); got != "" {
		t.Errorf("requests %q, want none", got)
	}
}
