package nova

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

func unexpectedError(w http.ResponseWriter) {
	novatest.NovaError(w, http.StatusInternalServerError, "computeFault", "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/")
}

// sequence returns the keypair API attempts as "METHOD last-path-element".
func sequence(rt *novatest.RecordingTransport) string {
	var s []string
	for _, r := range rt.KeypairRequests("") {
		s = append(s, r.Method+" "+r.Path[strings.LastIndex(r.Path, "/")+1:])
	}
	return strings.Join(s, ", ")
}

func TestCreateKeypair_returnsWhatNovaAnswers(t *testing.T) {
	f := novatest.NewCloud(t)
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "imp-ed25519", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if kp.Name != "imp-ed25519" || kp.PublicKey != novatest.PublicKey || kp.Type != "ssh" || kp.UserID != novatest.UserID || kp.Fingerprint == "" {
		t.Errorf("created %+v", kp)
	}
	if got := sequence(rt); got != "POST os-keypairs" {
		t.Errorf("requests %q, want one POST and no read", got)
	}
}

// (a) Nova created the keypair but the answer was lost: the create reads it
// back, finds the key it sent, and succeeds without a second POST.
func TestCreateKeypair_lostResponseAfterCommit(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", func(w http.ResponseWriter, r *http.Request, n int) bool {
		f.Commit(r) // Nova creates the keypair; the answer is lost
		novatest.ResetConnection(w)
		return true
	})
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatalf("create with a lost answer: %v", err)
	}
	if kp.Name != "kp" || kp.PublicKey != novatest.PublicKey {
		t.Errorf("got %+v", kp)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp" {
		t.Errorf("requests %q, want one POST and one GET", got)
	}
}

// (b) A 500 without a keypair behind it: the read-back finds nothing, so the
// POST is sent again.
func TestCreateKeypair_5xxWithoutCommitIsSentAgain(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1, unexpectedError))
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if kp.PublicKey != novatest.PublicKey {
		t.Errorf("got %+v", kp)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp, POST os-keypairs" {
		t.Errorf("requests %q, want POST, GET (404), POST", got)
	}
	if _, ok := f.Has(novatest.UserID, "kp"); !ok {
		t.Error("no keypair in Nova")
	}
}

// The same after a 503 with Retry-After: the second POST waits for it.
func TestCreateKeypair_503HonoursRetryAfter(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1, func(w http.ResponseWriter) {
		novatest.NovaError(w, http.StatusServiceUnavailable, "computeFault", "Service Unavailable", "Retry-After", "1")
	}))
	c, rt := newTestClient(t, f, nil)

	if _, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey}); err != nil {
		t.Fatal(err)
	}
	posts := rt.KeypairRequests("POST")
	if len(posts) != 2 {
		t.Fatalf("%d POSTs, want 2", len(posts))
	}
	if waited := posts[1].At.Sub(posts[0].At); waited < 900*time.Millisecond {
		t.Errorf("the second POST came %v after the 503; Retry-After asked for 1s", waited)
	}
}

// (c) The answer was lost and the keypair of that name holds another key:
// that is a conflict, not success.
func TestCreateKeypair_lostResponseOtherKeyIsConflict(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "kp", novatest.OtherPublicKey)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1000, novatest.ResetConnection))
	c, rt := newTestClient(t, f, nil)

	_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	var conflict *ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("got %v (%T), want a *ConflictError", err, err)
	}
	if conflict.Name != "kp" || !strings.Contains(err.Error(), `"kp"`) || !strings.Contains(err.Error(), "another public key") {
		t.Errorf("conflict error %q", err)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp" {
		t.Errorf("requests %q, want one POST and one GET", got)
	}
	if kp, _ := f.Has(novatest.UserID, "kp"); kp.PublicKey != novatest.OtherPublicKey {
		t.Error("the existing keypair was changed")
	}
}

// (d) A 409 to the first POST is a plain conflict: no read-back.
func TestCreateKeypair_409IsReturnedAsIs(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "imp-rsa", novatest.PublicKey)
	c, rt := newTestClient(t, f, nil)

	_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "imp-rsa", PublicKey: novatest.PublicKey})
	if !IsConflict(err) {
		t.Fatalf("got %v, want a 409 (IsConflict)", err)
	}
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		t.Error("a plain 409 was turned into a *ConflictError")
	}
	if got := APIMessage(err); got != "Key pair 'imp-rsa' already exists." {
		t.Errorf("APIMessage %q", got)
	}
	if got := sequence(rt); got != "POST os-keypairs" {
		t.Errorf("requests %q, want the POST only", got)
	}
}

// A first POST that Nova commits late (after the read-back found nothing)
// makes the second POST a 409; that 409 is resolved by reading back too,
// and the keypair is ours.
func TestCreateKeypair_conflictAfterUncertainAttemptIsResolved(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1, unexpectedError))
	f.On("GET", "/os-keypairs/kp", func(w http.ResponseWriter, r *http.Request, n int) bool {
		if n == 1 {
			novatest.NovaError(w, http.StatusNotFound, "itemNotFound", "Keypair kp not found for user "+novatest.UserID)
			f.Seed(novatest.UserID, "kp", novatest.PublicKey) // the first POST completes now
			return true
		}
		return false
	})
	c, rt := newTestClient(t, f, nil)

	kp, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err != nil {
		t.Fatalf("got %v, want success", err)
	}
	if kp.PublicKey != novatest.PublicKey {
		t.Errorf("got %+v", kp)
	}
	if got := sequence(rt); got != "POST os-keypairs, GET kp, POST os-keypairs, GET kp" {
		t.Errorf("requests %q", got)
	}
}

// The read-back loop is bounded by max_retries.
func TestCreateKeypair_givesUp(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1000, unexpectedError))
	c, rt := newTestClient(t, f, func(cfg *Config) { cfg.MaxRetries = ptrTo(2) })

	_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err == nil || !strings.Contains(APIMessage(err), "Unexpected API Error") {
		t.Fatalf("got %v, want the 500", err)
	}
	if n := len(rt.KeypairRequests("POST")); n != 3 {
		t.Errorf("%d POSTs, want 3 (max_retries 2)", n)
	}
}

// When the read-back fails too, the error says both.
func TestCreateKeypair_readBackFails(t *testing.T) {
	f := novatest.NewCloud(t)
	f.On("POST", "/os-keypairs", novatest.FailFirst(1000, novatest.ResetConnection))
	f.On("GET", "/os-keypairs/kp", novatest.FailFirst(1000, func(w http.ResponseWriter) {
		novatest.NovaError(w, http.StatusForbidden, "forbidden", "Policy doesn't allow os_compute_api:os-keypairs:show to be performed.")
	}))
	c, rt := newTestClient(t, f, nil)

	_, err := c.CreateKeypair(bg(), "", CreateKeypairOpts{Name: "kp", PublicKey: novatest.PublicKey})
	if err == nil || !strings.Contains(err.Error(), "may have failed") || !strings.Contains(err.Error(), "os-keypairs:show") {
		t.Fatalf("got %v, want an error naming the lost create and the failed read", err)
	}
	if n := len(rt.KeypairRequests("POST")); n != 1 {
		t.Errorf("%d POSTs, want 1", n)
	}
}

func TestGetKeypair_notFound(t *testing.T) {
	f := novatest.NewCloud(t)
	c, _ := newTestClient(t, f, nil)

	_, err := c.GetKeypair(bg(), "", "nope", "")
	if !IsNotFound(err) {
		t.Fatalf("got %v, want IsNotFound", err)
	}
	if got := APIMessage(err); got != "Keypair nope not found for user "+novatest.UserID {
		t.Errorf("APIMessage %q", got)
	}
	if err := c.DeleteKeypair(bg(), "", "nope", ""); !IsNotFound(err) {
		t.Errorf("delete of a missing keypair: got %v, want IsNotFound", err)
	}
}

// Names are sent path-escaped and read back as they are.
func TestGetKeypair_nameEscaping(t *testing.T) {
	f := novatest.NewCloud(t)
	f.Seed(novatest.UserID, "my key", novatest.PublicKey)
	f.Seed(novatest.UserID, "a@b.c", novatest.PublicKey)
	c, _ := newTestClient(t, f, nil)
	for _, name := range []string{"my key", "a@b.c"} {
		kp, err := c.GetKeypair(bg(), "", name, "")
		if err != nil || kp.Name != name {
			t.Errorf("GetKeypair(%q) = %+v, %v", name, kp, err)
		}
	}
}
