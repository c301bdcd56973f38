package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// Ctrl-C: Terraform calls StopProvider, which cancels every call in
// flight; it then waits for them. A create whose POST reached Nova must
// still come back with the keypair's state, or it is lost: for a
// generated key, with the only copy of its private key.

// quickSettle shortens the looks of a settle for test t.
func quickSettle(t *testing.T) {
	saved := nova.SettleLooks
	nova.SettleLooks = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}
	t.Cleanup(func() { nova.SettleLooks = saved })
}

// stopAt is a hook that lets Nova act on the request when commit is set,
// then stops the provider (as Terraform does on Ctrl-C) while the answer
// is on its way, and never answers.
func stopAt(t *testing.T, cloud *novatest.Cloud, p **protocolServer, commit bool) novatest.Hook {
	return func(w http.ResponseWriter, r *http.Request, _ int) bool {
		if commit {
			cloud.Commit(r)
		}
		if _, err := (*p).server.StopProvider(t.Context(), &tfprotov6.StopProviderRequest{}); err != nil {
			t.Error(err)
		}
		select { // the client gives up; the answer never comes
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
		novatest.ResetConnection(w)
		return true
	}
}

// TestKeypairApply_stoppedAfterCommit: imported and generated keys alike,
// the state records the keypair Nova made; the generated one keeps its
// private key, whose public half is the key in Nova.
func TestKeypairApply_stoppedAfterCommit(t *testing.T) {
	for what, config := range map[string]attrs{
		"imported":  {"name": "deployer", "public_key": novatest.PublicKey},
		"generated": {"name": "deployer", "key_algorithm": "ed25519"},
	} {
		t.Run(what, func(t *testing.T) {
			cloud := novatest.NewCloud(t)
			var p *protocolServer
			cloud.On(http.MethodPost, "/os-keypairs", stopAt(t, cloud, &p, true))
			p = configuredServer(t, cloud, nil)
			resp, state := p.create(config)
			requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
			kp, ok := cloud.Has(novatest.UserID, "deployer")
			if !ok {
				t.Fatal("the fake does not hold the keypair")
			}
			a := attributes(t, state)
			var publicKey, privateKey, fingerprint string
			_ = a["public_key"].As(&publicKey)
			_ = a["private_key"].As(&privateKey)
			_ = a["fingerprint"].As(&fingerprint)
			if publicKey != kp.PublicKey || fingerprint != kp.Fingerprint {
				t.Errorf("state public_key %q, fingerprint %q; Nova holds %q, %q", publicKey, fingerprint, kp.PublicKey, kp.Fingerprint)
			}
			if config["key_algorithm"] != nil {
				derived, err := keys.PublicKeyOf(privateKey)
				if err != nil || !sameKeyMaterial(derived, kp.PublicKey) {
					t.Errorf("the state's private_key (%v) is not the key in Nova", err)
				}
			}
			if n := strings.Count(strings.Join(cloud.Requests(), "\n"), "POST /v2.1/os-keypairs"); n != 1 {
				t.Errorf("%d POSTs, want 1: nothing is sent again after a stop", n)
			}
		})
	}
}

// TestKeypairApply_stoppedBeforeNova: a POST Nova never got leaves no
// state and an error saying the keypair was not created.
func TestKeypairApply_stoppedBeforeNova(t *testing.T) {
	quickSettle(t)
	cloud := novatest.NewCloud(t)
	var p *protocolServer
	cloud.On(http.MethodPost, "/os-keypairs", stopAt(t, cloud, &p, false))
	p = configuredServer(t, cloud, nil)
	resp, state := p.create(attrs{"name": "deployer", "key_algorithm": "ed25519"})
	requireError(t, resp.Diagnostics, "", `Unable to create keypair "deployer"`, "context canceled", `Nova did not hold keypair "deployer" 7ms after the create was cut short: it was not created`)
	if !state.IsNull() {
		t.Errorf("state %s, want none", state)
	}
}

// TestKeypairDestroy_stopped: a DELETE cut short by a stop removes the
// keypair from state only if Nova no longer holds it.
func TestKeypairDestroy_stopped(t *testing.T) {
	quickSettle(t)
	for _, commit := range []bool{true, false} {
		cloud := novatest.NewCloud(t)
		cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
		var p *protocolServer
		cloud.On(http.MethodDelete, "/os-keypairs/deployer", stopAt(t, cloud, &p, commit))
		p = configuredServer(t, cloud, nil)
		resp := p.destroy(p.keypair(recordedKeypair().with(attrs{"public_key": novatest.PublicKey, "user_id": novatest.UserID})))
		_, held := cloud.Has(novatest.UserID, "deployer")
		if commit != (len(resp.Diagnostics) == 0) || commit == held {
			t.Errorf("DELETE committed %v: diagnostics %s, Nova holds it %v", commit, formatDiagnostics(resp.Diagnostics), held)
		}
		if !commit {
			requireError(t, resp.Diagnostics, "", `Unable to delete keypair "deployer"`, "Nova still held it 7ms later: it was not deleted", "It stays in the state")
		}
	}
}

// TestKeypairApply_stoppedUnsettled: when the keypair cannot be read back
// after a stop, it is kept in the state (Terraform taints it, as the
// apply has an error), with the generated private key, rather than lost
// track of.
func TestKeypairApply_stoppedUnsettled(t *testing.T) {
	cloud := novatest.NewCloud(t)
	var p *protocolServer
	cloud.On(http.MethodPost, "/os-keypairs", stopAt(t, cloud, &p, true))
	cloud.On(http.MethodGet, "/os-keypairs/deployer", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		novatest.NovaError(w, http.StatusForbidden, "forbidden", "Policy doesn't allow os_compute_api:os-keypairs:show to be performed.")
		return true
	})
	p = configuredServer(t, cloud, nil)
	resp, state := p.create(attrs{"name": "deployer", "key_algorithm": "ed25519"})
	requireError(t, resp.Diagnostics, "", `Unable to create keypair "deployer"`, "could not be read back", "Nova may or may not hold it", "kept in the state as tainted")
	a := attributes(t, state)
	var name, privateKey string
	_ = a["name"].As(&name)
	_ = a["private_key"].As(&privateKey)
	if name != "deployer" || privateKey == "" || !a["fingerprint"].IsNull() {
		t.Errorf("state %s: want the keypair kept, with its private key and no fingerprint", state)
	}
}

// TestClientDiagnostic_stoppedWhileAuthenticating: Ctrl-C during the
// token request is said to be that, not blamed on auth_url.
func TestClientDiagnostic_stoppedWhileAuthenticating(t *testing.T) {
	err := &nova.AuthError{AuthURL: "http://keystone:5000/v3", Who: `user "admin"`, Failure: nova.AuthUnreachable,
		Err: fmt.Errorf("Post \"http://keystone:5000/v3/auth/tokens\": %w", context.Canceled)}
	d := clientDiagnostic(err, `Unable to create keypair "deployer"`, "unused")
	if d.Summary() != `Unable to create keypair "deployer"` || !strings.Contains(d.Detail(), "Terraform stopped the provider while it was authenticating") || strings.Contains(d.Detail(), "auth_url") {
		t.Errorf("diagnostic %q: %q", d.Summary(), d.Detail())
	}
}
