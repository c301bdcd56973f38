package provider

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// name_prefix: the provider names the keypair.

// generatedName matches a name made of prefix "web-": the prefix, then a
// UTC timestamp to 1/10000 s and an 8-digit hex counter.
var generatedNameOfWeb = regexp.MustCompile(`^web-20[0-9]{16}[0-9a-f]{8}$`)

// TestKeypairNamePrefix_plan: a keypair named by prefix has an unknown
// name (and ID) until it is created.
func TestKeypairNamePrefix_plan(t *testing.T) {
	p := newProtocolServer(t)
	_, planned := p.plan(p.nullKeypair(), p.keypair(attrs{"name_prefix": "web-", "public_key": testPublicKey}))
	requireAttributes(t, planned, p.keypair(attrs{
		"name_prefix": "web-", "public_key": testPublicKey, "type": "ssh", "name": unknownString, "id": unknownString,
		"user_id": unknownString, "key_algorithm": unknownString, "region": unknownString, "fingerprint": unknownString, "private_key": unknownString,
	}))
}

// TestKeypairNamePrefix_apply: each create takes a new name that starts
// with the prefix, fits Nova's rules and sorts by creation time.
func TestKeypairNamePrefix_apply(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	var names []string
	for range 2 {
		resp, state := p.create(attrs{"name_prefix": "web-", "public_key": novatest.PublicKey})
		requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
		var name, id string
		a := attributes(t, state)
		if err := a["name"].As(&name); err != nil {
			t.Fatal(err)
		}
		if err := a["id"].As(&id); err != nil {
			t.Fatal(err)
		}
		if !generatedNameOfWeb.MatchString(name) || id != name || keypairNameProblem(name) != "" {
			t.Errorf("name %q, id %q: want web- and a 26-character suffix, a valid name, and the ID the name", name, id)
		}
		if _, ok := cloud.Has(novatest.UserID, name); !ok {
			t.Errorf("the fake has no keypair %q", name)
		}
		requireAttributes(t, state, p.keypair(attrs{"id": name, "name": name, "name_prefix": "web-", "public_key": novatest.PublicKey, "type": "ssh",
			"user_id": novatest.UserID, "key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint}))
		names = append(names, name)
	}
	if names[0] >= names[1] {
		t.Errorf("names %q do not sort in the order they were made", names)
	}

	// The longest prefix makes a name of 255 characters.
	long := strings.Repeat("k", namePrefixMaxLength)
	resp, state := p.create(attrs{"name_prefix": long, "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	var name string
	if err := attributes(t, state)["name"].As(&name); err != nil {
		t.Fatal(err)
	}
	if len(name) != nameMaxLength || !strings.HasPrefix(name, long) {
		t.Errorf("name %q has %d characters, want %d starting with the prefix", name, len(name), nameMaxLength)
	}
}

// TestKeypairNamePrefix_conflict: when Nova answers that a generated name
// is taken (409), the create takes the next name.
func TestKeypairNamePrefix_conflict(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.On(http.MethodPost, "/os-keypairs", func(w http.ResponseWriter, _ *http.Request, n int) bool {
		if n > 1 {
			return false
		}
		novatest.NovaError(w, http.StatusConflict, "conflictingRequest", "Key pair 'web-x' already exists.")
		return true
	})
	p := configuredServer(t, cloud, nil)
	resp, state := p.create(attrs{"name_prefix": "web-", "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	var name string
	if err := attributes(t, state)["name"].As(&name); err != nil {
		t.Fatal(err)
	}
	if _, ok := cloud.Has(novatest.UserID, name); !ok || !generatedNameOfWeb.MatchString(name) {
		t.Errorf("state name %q: not a generated name the fake holds", name)
	}

	// A name of the configuration's own is never changed.
	resp, _ = p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	resp, _ = p.create(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != `Unable to create keypair "deployer"` {
		t.Errorf("a taken name of the configuration: want the conflict error, got:\n%s", formatDiagnostics(resp.Diagnostics))
	}
}

// TestKeypairNamePrefix_changes: a new prefix replaces the keypair only
// when its name does not start with it; a name that stays is no change.
func TestKeypairNamePrefix_changes(t *testing.T) {
	p := newProtocolServer(t)
	const name = "web-2026113004100012340000000a"
	recorded := recordedKeypair().with(attrs{"id": name, "name": name, "name_prefix": "web-"})
	prior := p.keypair(recorded)
	config := attrs{"public_key": testPublicKey}

	resp, planned := p.plan(prior, p.keypair(config.with(attrs{"name_prefix": "web-"})))
	requireReplace(t, resp, prior, planned)
	if !planned.Equal(prior) {
		t.Errorf("planned a change:\nplanned %s\nprior   %s", planned, prior)
	}

	resp, planned = p.plan(prior, p.keypair(config.with(attrs{"name_prefix": "web"})))
	requireReplace(t, resp, prior, planned)
	requireAttributes(t, planned, p.keypair(recorded.with(attrs{"name_prefix": "web"})))

	resp, planned = p.plan(prior, p.keypair(config.with(attrs{"name_prefix": "db-"})))
	requireReplace(t, resp, prior, planned, "name_prefix")

	// An imported keypair (no name_prefix recorded) is adopted by a prefix
	// its name has, in place.
	imported := p.keypair(recorded.with(attrs{"name_prefix": nil}))
	resp, planned = p.plan(imported, p.keypair(config.with(attrs{"name_prefix": "web-"})))
	requireReplace(t, resp, imported, planned)

	// From name_prefix to the same name written out: no replacement.
	resp, planned = p.plan(prior, p.keypair(config.with(attrs{"name": name})))
	requireReplace(t, resp, prior, planned)
}

// TestKeypairNamePrefix_microversion: a prefix with `@` or `.` needs 2.92,
// and the plan says so on name_prefix.
func TestKeypairNamePrefix_microversion(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.On(http.MethodPost, "/os-keypairs", refuse(t, "the plan created a keypair"))
	p := configuredServer(t, cloud, attrs{"max_microversion": "2.91"})
	resp := p.planResponse(p.nullKeypair(), p.keypair(attrs{"name_prefix": "deploy@example.com-"}))
	requireError(t, resp.Diagnostics, "name_prefix", "Above the provider's max_microversion",
		`In region "RegionOne", the keypair name prefix "deploy@example.com-" (with `+"`@` or `.`"+`) needs compute API microversion 2.92 or later, but the provider's `+"`max_microversion`"+` caps it at 2.91`)
	p = configuredServer(t, cloud, nil)
	p.plan(p.nullKeypair(), p.keypair(attrs{"name_prefix": "deploy@example.com-"}))
}
