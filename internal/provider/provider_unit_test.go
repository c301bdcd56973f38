package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// TestProviderConfigure_unknown: a provider block with a value known only
// after apply (here auth_url) does not authenticate, and reports nothing;
// resources and data sources then say what they cannot do yet.
func TestProviderConfigure_unknown(t *testing.T) {
	p := newProtocolServer(t)
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(attrs{"auth_url": unknownString, "cloud": "devcloud-admin"}, false))

	resp, _ := p.read(p.keypair(recordedKeypair()))
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Keypair not refreshed" {
		t.Errorf("read: want the warning \"Keypair not refreshed\", got:\n%s", formatDiagnostics(resp.Diagnostics))
	}
	for typeName, a := range map[string]attrs{"nova_keypair": {"name": "deployer"}, "nova_keypairs": {}} {
		resp := p.readDataSource(typeName, a)
		requireError(t, resp.Diagnostics, "", "Provider not configured", "The nova provider's configuration is not known yet, so it cannot ")
	}
}

// TestProviderConfigure_deferred: where Terraform can defer (1.9+ with
// -allow-deferral), an unknown provider block defers the keypair's plan.
func TestProviderConfigure_deferred(t *testing.T) {
	p := newProtocolServer(t)
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(attrs{"region": unknownString}, true))
	resp, _ := p.plan(p.nullKeypair(), p.keypair(attrs{"name": "deployer"}))
	if resp.Deferred == nil || resp.Deferred.Reason != tfprotov6.DeferredReasonProviderConfigUnknown {
		t.Errorf("Deferred = %+v, want the reason %s", resp.Deferred, tfprotov6.DeferredReasonProviderConfigUnknown)
	}
}

func TestClientFrom(t *testing.T) {
	var diags diag.Diagnostics
	if c := clientFrom(nil, &diags); c != nil || diags.HasError() {
		t.Errorf("clientFrom(nil) = %v, %v; want nil and no error", c, diags)
	}
	if c := clientFrom("not a client", &diags); c != nil || diags.ErrorsCount() != 1 ||
		diags[0].Summary() != "Unexpected provider data" ||
		diags[0].Detail() != "Expected *nova.Client, got string. Please report this issue to the provider developers." {
		t.Errorf("clientFrom(string) = %v, %v; want nil and the error \"Unexpected provider data\"", c, diags)
	}
}
