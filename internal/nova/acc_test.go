package nova_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// Acceptance tests of the Nova layer against the dev cloud: what the real
// Nova answers to the requests the layer chooses.

// exchange is what a test expects of one keypair request: its method,
// microversion header and answer.
type exchange struct {
	method, microversion string
	status               int
}

// newRecordedClient is a client whose every request is recorded on its way
// to the real cloud (through http.DefaultTransport).
func newRecordedClient(t *testing.T, cfg nova.Config) (*nova.Client, *novatest.RecordingTransport) {
	t.Helper()
	rec := novatest.RecordOver(http.DefaultTransport)
	cfg.HTTPTransport = rec
	c, err := nova.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

// createGetDelete runs one keypair through create, read, delete and a read
// that must be a 404, and returns what was sent.
func createGetDelete(t *testing.T, c *nova.Client, rec *novatest.RecordingTransport) []novatest.Request {
	t.Helper()
	ctx := context.Background()
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomName()
	kp, err := c.CreateKeypair(ctx, "", nova.CreateKeypairOpts{Name: name, PublicKey: pair.PublicKey})
	if err != nil {
		t.Fatalf("create: %s", err)
	}
	if kp.PublicKey != pair.PublicKey || kp.Fingerprint == "" {
		t.Errorf("create returned %+v", kp)
	}
	if _, err := c.GetKeypair(ctx, "", name, ""); err != nil {
		t.Fatalf("get: %s", err)
	}
	if err := c.DeleteKeypair(ctx, "", name, ""); err != nil {
		t.Fatalf("delete: %s", err)
	}
	if _, err := c.GetKeypair(ctx, "", name, ""); !nova.IsNotFound(err) {
		t.Fatalf("get after delete: want 404, got %v", err)
	}
	return rec.KeypairRequests("")
}

func assertExchanges(t *testing.T, got []novatest.Request, want []exchange) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("sent %d keypair requests, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Method != w.method || g.Microversion != w.microversion || g.Status != w.status {
			t.Errorf("request %d: %s (microversion %q) answered %d; want %s (microversion %q) answered %d",
				i+1, g.Method, g.Microversion, g.Status, w.method, w.microversion, w.status)
		}
	}
}

// TestAccNova_microversionsPerRequest: against the real Nova (2.93), the
// layer asks for 2.2 to read (to get `type`), and sends no microversion
// to create an ssh keypair or delete one of one's own (Nova takes them as
// 2.1 and answers 200 and 202), so neither reads the version document.
func TestAccNova_microversionsPerRequest(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	c, rec := newRecordedClient(t, nova.Config{UserAgent: "terraform-provider-nova/1.2.3"})
	assertExchanges(t, createGetDelete(t, c, rec), []exchange{
		{method: "POST", microversion: "", status: 200},
		{method: "GET", microversion: "compute 2.2", status: 200},
		{method: "DELETE", microversion: "", status: 202},
		{method: "GET", microversion: "compute 2.2", status: 404},
	})
	for _, e := range rec.All() {
		if !strings.HasPrefix(e.UserAgent, "terraform-provider-nova/1.2.3 ") {
			t.Errorf("%s %s sent User-Agent %q, want it to start with the provider's name and version", e.Method, e.Path, e.UserAgent)
		}
	}
	// Authentication, the version document (once), then the keypair calls.
	if got := c.Requests(); got != 6 {
		t.Errorf("the client sent %d requests, want 6 (token, version document, 4 keypair calls)", got)
	}
}

// TestAccNova_legacyEndpoints: through /v2/{project_id} and
// /v1.1/{project_id}, no microversion header is sent and Nova answers in
// 2.1 form: 200 to create, 202 to delete.
func TestAccNova_legacyEndpoints(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	base := acctest.ComputeBaseURL(t)
	for _, shape := range []string{"/v2/%(project_id)s", "/v1.1/{project_id}"} {
		t.Run(shape, func(t *testing.T) {
			c, rec := newRecordedClient(t, nova.Config{EndpointOverrides: map[string]string{"compute": base + shape}})
			got := createGetDelete(t, c, rec)
			assertExchanges(t, got, []exchange{
				{method: "POST", status: 200},
				{method: "GET", status: 200},
				{method: "DELETE", status: 202},
				{method: "GET", status: 404},
			})
			prefix := strings.SplitN(shape, "/", 3)[1]
			for _, e := range got {
				if !strings.HasPrefix(e.Path, "/"+prefix+"/"+c.ProjectID()+"/os-keypairs") {
					t.Errorf("%s went to %s, want /%s/<project id>/os-keypairs...", e.Method, e.Path, prefix)
				}
			}
		})
	}
}

// TestAccNova_maxMicroversion: capped at 2.1, every request is sent at 2.1
// and a feature that needs more is refused before anything is sent.
func TestAccNova_maxMicroversion(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheck(t)
	c, rec := newRecordedClient(t, nova.Config{MaxMicroversion: "2.1"})
	assertExchanges(t, createGetDelete(t, c, rec), []exchange{
		{method: "POST", microversion: "", status: 200},
		{method: "GET", microversion: "compute 2.1", status: 200},
		{method: "DELETE", microversion: "", status: 202},
		{method: "GET", microversion: "compute 2.1", status: 404},
	})

	before := len(rec.KeypairRequests(""))
	_, err := c.CreateKeypair(context.Background(), "", nova.CreateKeypairOpts{Name: "x509-at-2-1", PublicKey: "irrelevant", Type: "x509"})
	var mvErr *nova.MicroversionError
	if !errors.As(err, &mvErr) || !strings.Contains(err.Error(), "2.2") || !mvErr.Capped || mvErr.Feature != nova.FeatureKeypairType {
		t.Fatalf("want a capped MicroversionError for the keypair type naming 2.2, got %v", err)
	}
	if after := len(rec.KeypairRequests("")); after != before {
		t.Errorf("%d requests were sent for a create the cap forbids", after-before)
	}
}
