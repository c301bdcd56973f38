package provider

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
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

// TestProviderConfigure authenticates with the fake cloud; the client then
// serves the resource and the data sources.
func TestProviderConfigure(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)

	resp, state := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	if want := p.keypair(attrs{
		"id": "deployer", "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.UserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}); !state.Equal(want) {
		t.Errorf("state\n%s\nwant\n%s", state, want)
	}
	if _, ok := cloud.Has(novatest.UserID, "deployer"); !ok {
		t.Error("the fake has no keypair deployer after the apply")
	}
	list := p.dataSourceState("nova_keypairs", p.readDataSource("nova_keypairs", attrs{}))
	if got, want := attributes(t, list)["id"], tftypes.NewValue(tftypes.String, "RegionOne/"+novatest.UserID); !got.Equal(want) {
		t.Errorf("nova_keypairs id = %s, want %s", got, want)
	}
}

// TestProviderConfigure_cloudsYAML: the settings come from the cloud of
// clouds.yaml that `cloud` names.
func TestProviderConfigure_cloudsYAML(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := isolatedServer(t)
	t.Setenv("OS_CLIENT_CONFIG_FILE", writeCloudsYAML(t, cloud))
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(attrs{"cloud": "fake"}, false))
	resp := p.readDataSource("nova_keypairs", attrs{})
	requireNoDiagnostics(t, "ReadDataSource", resp.Diagnostics)
}

// writeCloudsYAML writes a clouds.yaml with the cloud "fake", which
// authenticates with the fake cloud as its admin in RegionOne, and
// returns its path.
func writeCloudsYAML(t *testing.T, cloud *novatest.Cloud) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "clouds.yaml")
	yaml := fmt.Sprintf("clouds:\n  fake:\n    region_name: RegionOne\n    auth:\n      auth_url: %s/v3\n      username: %s\n      password: %s\n      project_name: %s\n",
		cloud.URL(), novatest.UserName, novatest.Password, novatest.ProjectName)
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestProviderConfigure_explicitBeatsEnvironment: the one configuration
// rule through the provider block (explicit > clouds.yaml > OS_*; the full
// table is internal/nova's TestResolve_precedence).
func TestProviderConfigure_explicitBeatsEnvironment(t *testing.T) {
	cloud := novatest.NewCloud(t)
	clearOpenStackEnv(t)
	t.Setenv("OS_REGION_NAME", "RegionTwo")
	t.Setenv("OS_PASSWORD", "wrong")

	// The environment is read where the block says nothing ...
	requireError(t, firstCall(t, newProtocolServer(t), fakeCloudAuth(cloud)), "region", "No compute endpoint", `for region "RegionTwo" and interface "public"`)
	// ... and loses where it does.
	p := newProtocolServer(t)
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(fakeCloudAuth(cloud).with(attrs{"region": "RegionOne"}), false))
	list := p.dataSourceState("nova_keypairs", p.readDataSource("nova_keypairs", attrs{}))
	if got, want := attributes(t, list)["region"], tftypes.NewValue(tftypes.String, "RegionOne"); !got.Equal(want) {
		t.Errorf("nova_keypairs region = %s, want %s", got, want)
	}

	// clouds.yaml beats the environment too.
	t.Setenv("OS_CLIENT_CONFIG_FILE", writeCloudsYAML(t, cloud))
	requireNoDiagnostics(t, "ConfigureProvider", newProtocolServer(t).configure(attrs{"cloud": "fake"}, false))

	// A boolean too: insecure = false beats OS_INSECURE (no warning).
	t.Setenv("OS_INSECURE", "true")
	requireNoDiagnostics(t, "ConfigureProvider", newProtocolServer(t).configure(fakeCloudAuth(cloud).with(attrs{"region": "RegionOne", "password": novatest.Password, "insecure": boolValue(false)}), false))
}

// TestProviderConfigure_incomplete: a setting needed and set nowhere is
// named with every way to set it.
func TestProviderConfigure_incomplete(t *testing.T) {
	cloud := novatest.NewCloud(t)
	for _, tc := range []struct {
		what   string
		config attrs
		detail string
	}{
		{"nothing", attrs{},
			"The nova provider cannot authenticate: set `auth_url` (or OS_AUTH_URL, or `auth.auth_url` in clouds.yaml); " +
				"and `user_name` (or OS_USERNAME, or OS_USER_NAME, or `auth.username` in clouds.yaml), or `user_id` (or OS_USER_ID, or `auth.user_id` in clouds.yaml), " +
				"or `token` (or OS_TOKEN, or OS_AUTH_TOKEN, or `auth.token` in clouds.yaml), " +
				"or `application_credential_id` (or OS_APPLICATION_CREDENTIAL_ID, or `auth.application_credential_id` in clouds.yaml) " +
				"in the provider block, in the clouds.yaml cloud it names, or in the environment."},
		{"no password", fakeCloudAuth(cloud).with(attrs{"password": nil}),
			"The nova provider cannot authenticate: set `password` (or OS_PASSWORD, or `auth.password` in clouds.yaml) in the provider block, in the clouds.yaml cloud it names, or in the environment."},
		{"application credential without secret", attrs{"auth_url": cloud.URL() + "/v3", "application_credential_id": novatest.AppCredentialID},
			"set `application_credential_secret` (or OS_APPLICATION_CREDENTIAL_SECRET, or `auth.application_credential_secret` in clouds.yaml) in the provider block"},
		{"client certificate without key", fakeCloudAuth(cloud).with(attrs{"cert": "client.pem"}),
			"set `key` (or OS_KEY, or `key` in clouds.yaml) in the provider block"},
	} {
		t.Run(tc.what, func(t *testing.T) {
			requireError(t, isolatedServer(t).configure(tc.config, false), "", "Incomplete provider configuration", tc.detail)
		})
	}
}

// TestProviderConfigure_invalidSetting: a setting that cannot be used is
// an error on its argument, whether the block or the environment gives it.
func TestProviderConfigure_invalidSetting(t *testing.T) {
	cloud := novatest.NewCloud(t)
	missing := filepath.Join(t.TempDir(), "missing.pem")
	for _, tc := range []struct {
		what   string
		config attrs
		env    map[string]string
		attr   string
		detail string
	}{
		{"max_microversion below 2.1", attrs{"max_microversion": "2.00"}, nil, "max_microversion",
			"`max_microversion` (or OS_COMPUTE_API_VERSION, or `compute_api_version` in clouds.yaml) is \"2.00\", which is below 2.1, the oldest compute API the provider speaks."},
		{"OS_COMPUTE_API_VERSION malformed", nil, map[string]string{"OS_COMPUTE_API_VERSION": "2.x"}, "",
			"OS_COMPUTE_API_VERSION is \"2.x\", which is not a compute microversion like 2.60 (or 2, latest, 2.latest: no cap). The provider takes it as `max_microversion`: the highest compute microversion to use."},
		{"max_microversion malformed", attrs{"max_microversion": "2.x"}, nil, "max_microversion",
			"`max_microversion` (or OS_COMPUTE_API_VERSION, or `compute_api_version` in clouds.yaml) is \"2.x\", which is not a compute microversion like 2.60 (or 2, latest, 2.latest: no cap)."},
		{"OS_INTERFACE", nil, map[string]string{"OS_INTERFACE": "private"}, "endpoint_type",
			"`endpoint_type` (or OS_INTERFACE, or OS_ENDPOINT_TYPE, or `interface` in clouds.yaml) is \"private\", which is not an interface; use public, internal or admin."},
		{"OS_INSECURE", nil, map[string]string{"OS_INSECURE": "maybe"}, "insecure",
			"`insecure` (or OS_INSECURE, or `verify` in clouds.yaml) is \"maybe\", which is not a boolean (true or false)."},
		{"cacert_file missing", attrs{"cacert_file": missing}, nil, "cacert_file",
			"`cacert_file` (or OS_CACERT, or `cacert` in clouds.yaml) is \"" + missing + "\", which cannot be read. (open " + missing + ": no such file or directory)"},
		{"auth_url no URL", attrs{"auth_url": "http://[::1"}, nil, "auth_url",
			"`auth_url` (or OS_AUTH_URL, or `auth.auth_url` in clouds.yaml) is \"http://[::1\", which is not a usable URL."},
	} {
		t.Run(tc.what, func(t *testing.T) {
			p := isolatedServer(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			requireError(t, p.configure(fakeCloudAuth(cloud).with(tc.config), false), tc.attr, "Invalid provider configuration", tc.detail)
		})
	}
}

// firstCall configures p's provider with a, which must succeed without a
// diagnostic, then plans the create of a keypair: the first call that
// needs the cloud (Configure authenticates no more). It returns the
// plan's diagnostics.
func firstCall(t *testing.T, p *protocolServer, a attrs) []*tfprotov6.Diagnostic {
	t.Helper()
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(a, false))
	return p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "deployer"})).Diagnostics
}

// TestProviderConfigure_authentication: what a failed authentication
// says, by what went wrong, at the plan of a create.
func TestProviderConfigure_authentication(t *testing.T) {
	cloud := novatest.NewCloud(t)
	closed := novatest.NewCloud(t)
	closed.Server().Close()
	for _, tc := range []struct {
		what    string
		config  attrs
		authURL string
		detail  []string
	}{
		{"wrong password", attrs{"password": "wrong"}, cloud.URL() + "/v3", []string{
			"Keystone rejected the credentials: check `user_name`/`user_id`, `password`, `token` or the application credential",
			"(The request you have made requires authentication.)",
		}},
		{"not Keystone", attrs{"auth_url": cloud.URL() + "/identity/v3"}, cloud.URL() + "/identity/v3", []string{
			"check `auth_url`: it should be Keystone's identity endpoint, e.g. https://keystone.example.com:5000/v3",
		}},
		// gophercloud refuses this before sending anything: not a network
		// problem, whatever the user reads.
		{"user name and user ID", attrs{"user_id": novatest.UserID}, cloud.URL() + "/v3", []string{
			"the credentials given (in the provider block, clouds.yaml and the environment together) are not a usable combination: name the user by `user_name` or `user_id`, not both",
			"(Exactly one of Username and UserID",
		}},
		{"unreachable", attrs{"auth_url": closed.URL() + "/v3", "max_retries": numberValue(0)}, closed.URL() + "/v3", []string{
			"check `auth_url` (OS_AUTH_URL) and that Keystone is reachable from here. (dial tcp ", ": connect: connection refused)",
		}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			diags := firstCall(t, isolatedServer(t), fakeCloudAuth(cloud).with(tc.config))
			requireError(t, diags, "", "Unable to authenticate with OpenStack",
				append([]string{`The nova provider could not get a token: authenticating at ` + tc.authURL + ` as user "admin" in project "admin" failed: `}, tc.detail...)...)
		})
	}
}

// TestProviderConfigure_noComputeEndpoint: a region or interface the
// catalog has no compute endpoint for.
func TestProviderConfigure_noComputeEndpoint(t *testing.T) {
	cloud := novatest.NewCloud(t)
	for _, tc := range []struct {
		config                attrs
		region, interfaceName string
		regions               string // what the catalog has, said
	}{
		{attrs{"region": "RegionTwo"}, "RegionTwo", "public", `; it has compute endpoints in "RegionOne"`},
		{attrs{"endpoint_type": "adminURL", "region": "RegionOne"}, "RegionOne", "admin", ""},
		// Without a region, the region of the catalog's first compute
		// endpoint of that interface: none.
		{attrs{"endpoint_type": "admin"}, "", "admin", ""},
	} {
		requireError(t, firstCall(t, isolatedServer(t), fakeCloudAuth(cloud).with(tc.config)), "region", "No compute endpoint",
			fmt.Sprintf("the service catalog has no compute endpoint for region %q and interface %q%s: ", tc.region, tc.interfaceName, tc.regions),
			"check `region` (OS_REGION_NAME) and `endpoint_type` (OS_INTERFACE), or set `endpoint_overrides = { compute = \"https://...\" }`.")
	}
	// The catalog's internal endpoint is there.
	configuredServer(t, cloud, attrs{"endpoint_type": "internal"})
}

// TestProviderConfigure_cloudNotFound: a cloud clouds.yaml does not have,
// or no clouds.yaml, is an error on `cloud`.
func TestProviderConfigure_cloudNotFound(t *testing.T) {
	cloud := novatest.NewCloud(t)
	file := writeCloudsYAML(t, cloud)
	missing := filepath.Join(t.TempDir(), "clouds.yaml")
	const where = ". The cloud is named by `cloud` or OS_CLOUD; clouds.yaml is found through OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/ or /etc/openstack/."
	for _, tc := range []struct {
		file, detail string
	}{
		{file, `reading cloud "nope" from ` + file + `: no such cloud` + where},
		{missing, `reading cloud "nope" from clouds.yaml: no file found; looked for ` + missing + where},
	} {
		p := isolatedServer(t)
		t.Setenv("OS_CLIENT_CONFIG_FILE", tc.file)
		diags := p.configure(attrs{"cloud": "nope"}, false)
		requireError(t, diags, "cloud", "Invalid provider configuration", tc.detail)
		if len(diags) == 1 && diags[0].Detail != tc.detail {
			t.Errorf("detail %q, want %q", diags[0].Detail, tc.detail)
		}
	}
}

// TestProviderConfigure_insecure: insecure = true (or OS_INSECURE) is a
// warning on `insecure`; over TLS it makes an untrusted certificate
// acceptable, which cacert_file does without the warning.
func TestProviderConfigure_insecure(t *testing.T) {
	cloud := novatest.NewUnstartedCloud(t)
	cloud.Server().Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes refused on purpose
	cloud.Server().StartTLS()
	const summary = "TLS verification is off"
	const detail = "insecure = true (or OS_INSECURE, or verify: false in clouds.yaml) makes the provider accept any certificate from Keystone and Nova, " +
		"so a machine in the middle could read the password or token. Set cacert_file to the CA that signs them instead."

	requireError(t, firstCall(t, isolatedServer(t), fakeCloudAuth(cloud)), "", "Unable to authenticate with OpenStack",
		"the TLS certificate of `auth_url` was not accepted: set `cacert_file` (OS_CACERT) to the CA that signed it, or `insecure = true` to skip verification")

	p := isolatedServer(t)
	requireWarning(t, p.configure(fakeCloudAuth(cloud).with(attrs{"insecure": boolValue(true)}), false), "insecure", summary, detail)
	requireNoDiagnostics(t, "ReadDataSource", p.readDataSource("nova_keypairs", attrs{}).Diagnostics)

	p = isolatedServer(t)
	t.Setenv("OS_INSECURE", "true")
	requireWarning(t, p.configure(fakeCloudAuth(cloud), false), "insecure", summary, detail)

	p = isolatedServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cloud.Server().Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ConfigureProvider", p.configure(fakeCloudAuth(cloud).with(attrs{"cacert_file": ca}), false))
	requireNoDiagnostics(t, "ReadDataSource", p.readDataSource("nova_keypairs", attrs{}).Diagnostics)
}

// TestProviderConfigure_endpointTypeAnyCase: endpoint_type is taken in any
// case from the provider block, as from OS_INTERFACE and clouds.yaml.
func TestProviderConfigure_endpointTypeAnyCase(t *testing.T) {
	cloud := novatest.NewCloud(t)
	for _, v := range []string{"PUBLIC", "Internal", "publicURL"} {
		p := isolatedServer(t)
		config := fakeCloudAuth(cloud).with(attrs{"endpoint_type": v})
		resp, err := p.server.ValidateProviderConfig(t.Context(), &tfprotov6.ValidateProviderConfigRequest{Config: p.dynamic(p.object(p.schema.Provider, config))})
		if err != nil {
			t.Fatal(err)
		}
		requireNoDiagnostics(t, "ValidateProviderConfig "+v, resp.Diagnostics)
		requireNoDiagnostics(t, "ConfigureProvider "+v, p.configure(config, false))
	}
	p := isolatedServer(t)
	resp, err := p.server.ValidateProviderConfig(t.Context(), &tfprotov6.ValidateProviderConfigRequest{Config: p.dynamic(p.object(p.schema.Provider, attrs{"endpoint_type": "private"}))})
	if err != nil {
		t.Fatal(err)
	}
	requireError(t, resp.Diagnostics, "endpoint_type", "Invalid Attribute Value Match")
}
