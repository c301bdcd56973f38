package provider

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// The nova_keypair resource on a configured provider, against the fake
// cloud: the plan-time microversion checks of ModifyPlan, and create,
// refresh and destroy through ApplyResourceChange and ReadResource.

// TestKeypairPlan_microversions: a feature the cloud (or the provider's
// max_microversion) cannot serve fails the plan, on the argument that asks
// for it.
func TestKeypairPlan_microversions(t *testing.T) {
	capped := func(v string) string {
		return "the provider's `max_microversion` caps it at " + v + " (set in the provider block, as compute_api_version in clouds.yaml, or as OS_COMPUTE_API_VERSION)."
	}
	for _, tc := range []struct {
		what     string
		cloudMax string // "": the fake's 2.93
		provider attrs
		env      string // OS_COMPUTE_API_VERSION
		config   attrs
		attr     string
		detail   []string
	}{
		{"name with @ at cap 2.91", "", attrs{"max_microversion": "2.91"}, "", attrs{"name": "deploy@example.com", "public_key": novatest.PublicKey}, "name", []string{
			`In region "RegionOne", the keypair name "deploy@example.com" (with ` + "`@` or `.`" + `) needs compute API microversion 2.92 or later, but ` + capped("2.91"),
		}},
		{"name with . at cap 2.91, generated", "", attrs{"max_microversion": "2.91"}, "", attrs{"name": "deploy.key"}, "name", []string{
			`the keypair name "deploy.key" (with ` + "`@` or `.`" + `) needs compute API microversion 2.92 or later, but ` + capped("2.91"),
		}},
		{"x509 at cap 2.1", "", attrs{"max_microversion": "2.1"}, "", attrs{"name": "cert", "type": "x509", "public_key": novatest.Certificate}, "type", []string{
			`In region "RegionOne", type = "x509" needs compute API microversion 2.2 or later, but ` + capped("2.1"),
		}},
		{"user_id at cap 2.9", "", attrs{"max_microversion": "2.9"}, "", attrs{"name": "deployer", "public_key": novatest.PublicKey, "user_id": novatest.OtherUserID}, "user_id", []string{
			`In region "RegionOne", user_id (another user's keypair) needs compute API microversion 2.10 or later, but ` + capped("2.9"),
		}},
		{"user_id on a 2.5 cloud", "2.5", nil, "", attrs{"name": "deployer", "public_key": novatest.PublicKey, "user_id": novatest.OtherUserID}, "user_id", []string{
			`In region "RegionOne", user_id (another user's keypair) needs compute API microversion 2.10 or later, but the compute endpoint supports at most 2.5.`,
		}},
		{"OS_COMPUTE_API_VERSION", "", nil, "2.60", attrs{"name": "a@b", "public_key": novatest.PublicKey}, "name", []string{
			"needs compute API microversion 2.92 or later, but " + capped("2.60"),
		}},
	} {
		t.Run(tc.what, func(t *testing.T) {
			cloud := novatest.NewCloud(t)
			if tc.cloudMax != "" {
				cloud.SetMaxVersion(tc.cloudMax)
			}
			cloud.On(http.MethodPost, "/os-keypairs", refuse(t, "the plan created a keypair"))
			p := isolatedServer(t)
			t.Setenv("OS_COMPUTE_API_VERSION", tc.env)
			requireNoDiagnostics(t, "ConfigureProvider", p.configure(fakeCloudAuth(cloud).with(tc.provider), false))
			resp := p.planResponse(p.nullKeypair(), p.keypair(tc.config))
			summary := "Above the provider's max_microversion" // the provider's cap, not the cloud's
			if tc.cloudMax != "" {
				summary = "Not supported by this cloud"
			}
			requireError(t, resp.Diagnostics, tc.attr, summary, tc.detail...)
		})
	}
}

// TestKeypairPlan_regionWithoutEndpoint: when the plan checks a region's
// microversions and the catalog has no compute endpoint there, the error
// is on `region`.
func TestKeypairPlan_regionWithoutEndpoint(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	resp := p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "cert", "type": "x509", "public_key": novatest.Certificate, "region": "RegionTwo"}))
	requireError(t, resp.Diagnostics, "region", "No compute endpoint",
		`The service catalog has no compute endpoint for region "RegionTwo" and interface "public"; it has compute endpoints in "RegionOne". Check this `+"`region`")

	// Also for an ssh keypair of one's own, which needs no microversion,
	// and for the data sources, which read at plan time.
	resp = p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "deployer", "public_key": novatest.PublicKey, "region": "RegionOnee"}))
	requireError(t, resp.Diagnostics, "region", "No compute endpoint", `region "RegionOnee"`, `it has compute endpoints in "RegionOne"`)
	for typeName, a := range map[string]attrs{
		"nova_keypair":  {"name": "deployer", "region": "RegionOnee"},
		"nova_keypairs": {"region": "RegionOnee"},
	} {
		requireError(t, p.readDataSource(typeName, a).Diagnostics, "region", "No compute endpoint", `region "RegionOnee"`, `it has compute endpoints in "RegionOne"`)
	}
}

// refuse is a hook that fails the test with msg and lets the fake answer.
func refuse(t *testing.T, msg string) novatest.Hook {
	return func(http.ResponseWriter, *http.Request, int) bool {
		t.Error(msg)
		return false
	}
}

// TestKeypairPlan_microversionsAll: every unsupported feature of one
// keypair is reported, each on its argument.
func TestKeypairPlan_microversionsAll(t *testing.T) {
	p := configuredServer(t, novatest.NewCloud(t), attrs{"max_microversion": "2.1"})
	resp := p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "a@b", "type": "x509", "public_key": novatest.Certificate, "user_id": novatest.OtherUserID}))
	var got []string
	for _, d := range resp.Diagnostics {
		got = append(got, d.Attribute.String()+": "+d.Summary)
	}
	want := []string{
		`AttributeName("type"): Above the provider's max_microversion`,
		`AttributeName("user_id"): Above the provider's max_microversion`,
		`AttributeName("name"): Above the provider's max_microversion`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestKeypairPlan_noCap: max_microversion latest and 2.latest are no cap,
// so the fake's 2.93 serves everything.
func TestKeypairPlan_noCap(t *testing.T) {
	cloud := novatest.NewCloud(t)
	for _, latest := range []string{"latest", "2.latest"} {
		p := configuredServer(t, cloud, attrs{"max_microversion": latest})
		p.plan(p.nullKeypair(), p.keypair(attrs{"name": "a@b.c", "type": "x509", "public_key": novatest.Certificate, "user_id": novatest.OtherUserID}))
	}
}

// TestKeypairPlan_legacyEndpoint: a legacy /v2 compute endpoint speaks
// 2.1 only.
func TestKeypairPlan_legacyEndpoint(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, attrs{"endpoint_overrides": stringMap(map[string]string{"compute": cloud.URL() + "/v2/%(project_id)s"})})
	resp := p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "deployer", "user_id": novatest.OtherUserID}))
	requireError(t, resp.Diagnostics, "user_id", "Not supported by this cloud",
		"user_id (another user's keypair) needs compute API microversion 2.10 or later, but the compute endpoint is a legacy one (/v2 or /v1.1) without microversions, i.e. 2.1.")
	// What 2.1 has works there.
	_, state := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	if got := attributes(t, state)["fingerprint"]; !got.Equal(tftypes.NewValue(tftypes.String, novatest.PublicKeyFingerprint)) {
		t.Errorf("fingerprint = %s", got)
	}
}

// TestKeypairPlan_regionUnknown: a region known only at apply is not
// checked at plan time.
func TestKeypairPlan_regionUnknown(t *testing.T) {
	p := configuredServer(t, novatest.NewCloud(t), attrs{"max_microversion": "2.1"})
	p.plan(p.nullKeypair(), p.keypair(attrs{"name": "a@b", "region": unknownString}))
}

// TestKeypairPlan_versionDocumentFails: a compute endpoint whose version
// document cannot be read fails the plan.
func TestKeypairPlan_versionDocumentFails(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.On(http.MethodGet, "/v2.1/", func(w http.ResponseWriter, _ *http.Request, _ int) bool {
		novatest.NovaError(w, http.StatusServiceUnavailable, "computeFault", "Service Unavailable")
		return true
	})
	p := configuredServer(t, cloud, attrs{"max_retries": numberValue(0)})
	resp := p.planResponse(p.nullKeypair(), p.keypair(attrs{"name": "deployer", "type": "x509", "public_key": novatest.Certificate}))
	requireError(t, resp.Diagnostics, "", "Unable to read the compute API version",
		"reading the compute API version document at "+cloud.URL()+"/v2.1/: ", "503")
}

// TestKeypairPlan_generatedKeyReplaced: on a configured provider, a
// generated keypair whose key was replaced outside Terraform (the state's
// public_key is no longer its private_key's) is planned for replacement.
func TestKeypairPlan_generatedKeyReplaced(t *testing.T) {
	p := configuredServer(t, novatest.NewCloud(t), nil)
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	generated := recordedKeypair().with(attrs{"public_key": pair.PublicKey, "private_key": pair.PrivateKeyPEM})
	config := p.keypair(attrs{"name": "deployer"})

	prior := p.keypair(generated)
	resp, planned := p.plan(prior, config)
	requireReplace(t, resp, prior, planned)
	if !planned.Equal(prior) {
		t.Errorf("planned a change:\nplanned %s\nprior   %s", planned, prior)
	}

	prior = p.keypair(generated.with(attrs{"public_key": novatest.OtherPublicKey}))
	resp, planned = p.plan(prior, config)
	requireReplace(t, resp, prior, planned, "public_key")
	requireAttributes(t, planned, p.keypair(generated.with(attrs{"public_key": unknownString})))
}

// TestKeypairApply_imported: a keypair of a given public key; the state
// holds what the fake answered.
func TestKeypairApply_imported(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	resp, state := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey + "\n"})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	want := p.keypair(attrs{
		"id": "deployer", "name": "deployer", "public_key": novatest.PublicKey + "\n", "type": "ssh", "user_id": novatest.UserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
		// private_key: null.
	})
	if !state.Equal(want) {
		t.Errorf("state\n%s\nwant\n%s", state, want)
	}
	kp, ok := cloud.Has(novatest.UserID, "deployer")
	if !ok || kp.PublicKey != novatest.PublicKey || kp.Type != "ssh" {
		t.Errorf("the fake has %+v, %v; want deployer with the key, trimmed", kp, ok)
	}

	// x509: Nova's SHA-1 fingerprint, no key_algorithm.
	resp, state = p.create(attrs{"name": "cert", "type": "x509", "public_key": novatest.Certificate})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	requireAttributes(t, state, p.keypair(attrs{
		"id": "cert", "name": "cert", "public_key": novatest.Certificate, "type": "x509", "user_id": novatest.UserID,
		"region": "RegionOne", "fingerprint": novatest.CertificateFingerprint,
	}))
}

// TestKeypairApply_whitespace: a public key with whitespace around it, in
// any mix, is sent trimmed (Nova refuses leading whitespace); the state
// keeps the configured value, so the next plan is empty; the fingerprint
// function says what Nova computed.
func TestKeypairApply_whitespace(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	for i, key := range []string{
		" " + novatest.PublicKey, "\t" + novatest.PublicKey, "\n" + novatest.PublicKey, "\r\n" + novatest.PublicKey,
		novatest.PublicKey + " ", novatest.PublicKey + "\t", novatest.PublicKey + "\r\n", " \t\r\n " + novatest.PublicKey + " \n\t\r",
	} {
		name := fmt.Sprintf("ws-%d", i)
		config := p.keypair(attrs{"name": name, "public_key": key})
		resp, state := p.create(attrs{"name": name, "public_key": key})
		requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
		if kp, ok := cloud.Has(novatest.UserID, name); !ok || kp.PublicKey != novatest.PublicKey {
			t.Errorf("%q: Nova holds %+v, %v; want the key trimmed", key, kp, ok)
		}
		var recorded, fingerprint string
		_ = attributes(t, state)["public_key"].As(&recorded)
		_ = attributes(t, state)["fingerprint"].As(&fingerprint)
		if recorded != key || fingerprint != novatest.PublicKeyFingerprint {
			t.Errorf("%q: state public_key %q, fingerprint %q", key, recorded, fingerprint)
		}
		planResp, planned := p.plan(state, config)
		requireReplace(t, planResp, state, planned)
		if !planned.Equal(state) {
			t.Errorf("%q: the second plan changes\n%s\nfrom\n%s", key, planned, state)
		}
		fn := p.callFunction("fingerprint", tftypes.NewValue(tftypes.String, key))
		var got string
		if fn.Error != nil || fn.Result == nil {
			t.Fatalf("fingerprint(%q): %v", key, fn.Error)
		}
		if v := p.decode(tftypes.String, fn.Result); v.As(&got) != nil || got != fingerprint {
			t.Errorf("fingerprint(%q) = %q, Nova's %q", key, got, fingerprint)
		}
	}
}

// TestKeypairApply_generated: without public_key the provider generates
// the key pair (rsa unless key_algorithm says otherwise) and imports the
// public half.
func TestKeypairApply_generated(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	for _, tc := range []struct {
		algorithm string // "": not set
		want      string
		prefix    string
	}{
		{"", "rsa", "ssh-rsa "},
		{"ed25519", "ed25519", "ssh-ed25519 "},
		{"ecdsa", "ecdsa", "ecdsa-sha2-nistp256 "},
	} {
		t.Run(tc.want, func(t *testing.T) {
			p := p.in(t)
			name := "gen-" + tc.want
			config := attrs{"name": name}
			if tc.algorithm != "" {
				config["key_algorithm"] = tc.algorithm
			}
			resp, state := p.create(config)
			requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
			a := attributes(t, state)
			var publicKey, privateKey, fingerprint string
			if err := a["public_key"].As(&publicKey); err != nil {
				t.Fatal(err)
			}
			if err := a["private_key"].As(&privateKey); err != nil {
				t.Fatal(err)
			}
			if err := a["fingerprint"].As(&fingerprint); err != nil {
				t.Fatal(err)
			}
			derived, err := keys.PublicKeyOf(privateKey)
			if err != nil {
				t.Fatalf("private_key: %s", err)
			}
			if derived+" "+keys.Comment != publicKey || !strings.HasPrefix(publicKey, tc.prefix) {
				t.Errorf("public_key %q is not the %s private key's %q", publicKey, tc.want, derived)
			}
			requireAttributes(t, state, p.keypair(attrs{
				"id": name, "name": name, "type": "ssh", "user_id": novatest.UserID, "key_algorithm": tc.want, "region": "RegionOne",
				"public_key": publicKey, "private_key": privateKey, "fingerprint": fingerprint,
			}))
			kp, ok := cloud.Has(novatest.UserID, name)
			if !ok || kp.PublicKey != publicKey || kp.Fingerprint != fingerprint {
				t.Errorf("the fake has %+v, %v; want the public key and fingerprint of the state", kp, ok)
			}
		})
	}
}

// TestKeypairRead: a refresh (each one a new provider instance, as each
// Terraform walk is) keeps a public_key that differs from Nova's only in
// whitespace, takes Nova's key otherwise, and removes a keypair deleted
// outside Terraform. It reads the keypair list; a keypair just imported is
// read with a GET.
func TestKeypairRead(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	created := attrs{
		"id": "deployer", "name": "deployer", "public_key": "  " + novatest.PublicKey + "\n", "type": "ssh", "user_id": novatest.UserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}
	read := func(state attrs) tftypes.Value {
		t.Helper()
		p := configuredServer(t, cloud, nil)
		resp, refreshed := p.read(p.keypair(state))
		requireNoDiagnostics(t, "ReadResource", resp.Diagnostics)
		return refreshed
	}
	p := newProtocolServer(t)

	before := len(cloud.Requests())
	if state := read(created); !state.Equal(p.keypair(created)) {
		t.Errorf("state\n%s\nwant\n%s", state, p.keypair(created))
	}
	requireRequests(t, cloud.Requests()[before:], "POST /v3/auth/tokens", "GET /v2.1/", "GET /v2.1/os-keypairs?limit=1000")

	// An imported keypair (only id and name known) is filled in by a GET.
	before = len(cloud.Requests())
	if state, want := read(attrs{"id": "deployer", "name": "deployer"}), p.keypair(created.with(attrs{"public_key": novatest.PublicKey})); !state.Equal(want) {
		t.Errorf("imported state\n%s\nwant\n%s", state, want)
	}
	requireRequests(t, cloud.Requests()[before:], "POST /v3/auth/tokens", "GET /v2.1/", "GET /v2.1/os-keypairs/deployer")

	// Replaced outside Terraform under the same name.
	cloud.Seed(novatest.UserID, "deployer", novatest.OtherPublicKey)
	requireAttributes(t, read(created), p.keypair(created.with(attrs{"public_key": novatest.OtherPublicKey, "fingerprint": novatest.OtherPublicKeyFingerprint})))

	// Deleted outside Terraform.
	deleteOutOfBand(t, cloud, "deployer")
	if state := read(created); !state.IsNull() {
		t.Errorf("state %s after the keypair is gone, want null (removed)", state)
	}
}

// requireRequests requires the fake cloud to have received exactly want,
// in order.
func requireRequests(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("requests:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// deleteOutOfBand deletes the admin's keypair name from the fake cloud
// with Nova's API, as someone else would.
func deleteOutOfBand(t *testing.T, cloud *novatest.Cloud, name string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodDelete, cloud.URL()+"/v2.1/os-keypairs/"+name, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-Token", novatest.Token)
	resp, err := cloud.Server().Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("DELETE %s: %s", name, resp.Status)
	}
	if _, ok := cloud.Has(novatest.UserID, name); ok {
		t.Fatalf("the fake still has %s", name)
	}
}

// TestKeypairRead_error: a refresh Nova answers with an error other than
// 404 fails, with Nova's message.
func TestKeypairRead_error(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	// The demo user may not read the admin's keypair (Nova's policy).
	p := configuredServer(t, cloud, attrs{"user_name": novatest.OtherUserName, "password": novatest.OtherPassword, "tenant_name": novatest.OtherProjectName})
	state := p.keypair(recordedKeypair().with(attrs{"id": novatest.UserID + "/deployer", "user_id": novatest.UserID}))
	resp, _ := p.read(state)
	requireError(t, resp.Diagnostics, "", `Unable to read keypair "deployer"`,
		`Reading keypair "deployer" of user "`+novatest.UserID+`" in region "RegionOne" failed: Policy doesn't allow os_compute_api:os-keypairs:index to be performed.`)

	resp2 := p.destroy(state)
	requireError(t, resp2.Diagnostics, "", `Unable to delete keypair "deployer"`,
		`Deleting keypair "deployer" of user "`+novatest.UserID+`" in region "RegionOne" failed: Policy doesn't allow os_compute_api:os-keypairs:delete to be performed.`)
	if _, ok := cloud.Has(novatest.UserID, "deployer"); !ok {
		t.Error("the refused delete deleted the keypair")
	}
}

// TestKeypairDelete: destroy deletes the keypair from Nova; a keypair
// already gone is destroyed without error.
func TestKeypairDelete(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	resp, state := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)

	requireNoDiagnostics(t, "destroy", p.destroy(state).Diagnostics)
	if _, ok := cloud.Has(novatest.UserID, "deployer"); ok {
		t.Error("the fake still has keypair deployer after the destroy")
	}
	requireNoDiagnostics(t, "destroy of a missing keypair", p.destroy(state).Diagnostics)
}

// TestKeypairCreate_conflict: a name the user already has fails the
// create with the import block that adopts it.
func TestKeypairCreate_conflict(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.OtherPublicKey)
	cloud.Seed(novatest.OtherUserID, "deployer", novatest.OtherPublicKey)
	p := configuredServer(t, cloud, nil)
	for _, tc := range []struct {
		userID, id, who string
	}{
		{"", "deployer", "the authenticated user"},
		{novatest.OtherUserID, novatest.OtherUserID + "/deployer", `user "` + novatest.OtherUserID + `"`},
	} {
		config := attrs{"name": "deployer", "public_key": novatest.PublicKey}
		if tc.userID != "" {
			config["user_id"] = tc.userID
		}
		resp, _ := p.create(config)
		requireError(t, resp.Diagnostics, "", `Unable to create keypair "deployer"`,
			`A keypair named "deployer" already exists for `+tc.who+` in region "RegionOne"; keypair names are unique per user. `,
			"import {\n  to = nova_keypair.<resource name>\n  id = \""+tc.id+"\"\n}\n\nor: terraform import nova_keypair.<resource name> "+tc.id+"\n\n",
			"Nova said: Key pair 'deployer' already exists.")
	}
	if kp, _ := cloud.Has(novatest.UserID, "deployer"); kp.PublicKey != novatest.OtherPublicKey {
		t.Errorf("the existing keypair now holds %q", kp.PublicKey)
	}
}

// TestKeypairCreate_otherUser: an admin manages another user's keypair
// (user_id); the ID is user_id/name.
func TestKeypairCreate_otherUser(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	id := novatest.OtherUserID + "/deployer"
	resp, state := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey, "user_id": novatest.OtherUserID})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	want := attrs{
		"id": id, "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.OtherUserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}
	if !state.Equal(p.keypair(want)) {
		t.Errorf("state\n%s\nwant\n%s", state, p.keypair(want))
	}
	if _, ok := cloud.Has(novatest.OtherUserID, "deployer"); !ok {
		t.Error("the fake has no keypair deployer of the other user")
	}
	if _, ok := cloud.Has(novatest.UserID, "deployer"); ok {
		t.Error("the keypair was created for the admin")
	}

	// The next walk reads the other user's list (a list entry carries no
	// user_id: the state keeps its own).
	p = configuredServer(t, cloud, nil)
	readResp, refreshed := p.read(state)
	requireNoDiagnostics(t, "ReadResource", readResp.Diagnostics)
	requireAttributes(t, refreshed, p.keypair(want))

	requireNoDiagnostics(t, "destroy", p.destroy(refreshed).Diagnostics)
	if _, ok := cloud.Has(novatest.OtherUserID, "deployer"); ok {
		t.Error("the other user's keypair is still there after the destroy")
	}
}

// TestKeypairCreate_forbidden: a non-admin may not create another user's
// keypair; the error says so.
func TestKeypairCreate_forbidden(t *testing.T) {
	p := configuredServer(t, novatest.NewCloud(t), attrs{"user_name": novatest.OtherUserName, "password": novatest.OtherPassword, "tenant_name": novatest.OtherProjectName})
	resp, _ := p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey, "user_id": novatest.UserID})
	requireError(t, resp.Diagnostics, "", `Unable to create keypair "deployer"`,
		`Nova's policy does not let the authenticated user manage keypairs of user "`+novatest.UserID+`"`,
		"Nova said: Policy doesn't allow os_compute_api:os-keypairs:create to be performed.")
}

// TestKeypairCreate_capLoweredAfterPlan: a create the plan allowed but
// the provider's cap refuses at apply (the plan came from a provider
// without the cap) fails before anything is sent.
func TestKeypairCreate_capLoweredAfterPlan(t *testing.T) {
	cloud := novatest.NewCloud(t)
	planner := configuredServer(t, cloud, nil)
	config := planner.keypair(attrs{"name": "a@b", "public_key": novatest.PublicKey})
	_, planned := planner.plan(planner.nullKeypair(), config)

	cloud.On(http.MethodPost, "/os-keypairs", refuse(t, "the create was sent"))
	p := configuredServer(t, cloud, attrs{"max_microversion": "2.91"})
	resp, _ := p.apply(p.nullKeypair(), planned, config)
	requireError(t, resp.Diagnostics, "", `Unable to create keypair "a@b"`,
		`In region "RegionOne", the keypair name "a@b" (with `+"`@` or `.`"+`) needs compute API microversion 2.92 or later, but the provider's `+"`max_microversion`"+` caps it at 2.91 (set in the provider block, as compute_api_version in clouds.yaml, or as OS_COMPUTE_API_VERSION).`)
}

// TestKeypairUpdate_timeouts: new timeouts are recorded without a
// request.
func TestKeypairUpdate_timeouts(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	state := p.keypair(recordedKeypair())
	config := p.keypair(attrs{"name": "deployer", "public_key": testPublicKey, "timeouts": p.timeouts(attrs{"create": "1m"})})
	_, planned := p.plan(state, config)
	resp, updated := p.apply(state, planned, config)
	requireNoDiagnostics(t, "ApplyResourceChange (update)", resp.Diagnostics)
	if !updated.Equal(planned) {
		t.Errorf("update stored\n%s\nwant the plan\n%s", updated, planned)
	}
}
