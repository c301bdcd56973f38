package provider

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// public_key_wo: the key goes to Nova and nowhere else; the state holds
// what Nova stores.

// TestKeypairWriteOnly_oldCLI: a CLI without write-only arguments
// (Terraform before 1.11, OpenTofu 1.10) is told which versions have them
// and what to do instead, on the attribute.
func TestKeypairWriteOnly_oldCLI(t *testing.T) {
	p := newProtocolServer(t)
	diags := p.validateFrom(p.keypair(attrs{"name": "deployer", "public_key_wo": testPublicKey}), false)
	var ours int
	for _, d := range diags {
		if d.Attribute.String() != `AttributeName("public_key_wo")` {
			t.Errorf("a diagnostic not on public_key_wo: %s", formatDiagnostics(diags))
		}
		if d.Summary == "Write-only argument not supported by this CLI" &&
			strings.Contains(d.Detail, "Terraform 1.11 and later and OpenTofu 1.11 and later") && strings.Contains(d.Detail, "set public_key instead") {
			ours++
		}
	}
	if ours != 1 {
		t.Errorf("want one error naming the versions with write-only arguments, got:\n%s", formatDiagnostics(diags))
	}
	// Without public_key_wo, an old CLI is fine.
	requireNoDiagnostics(t, "ValidateResourceConfig", p.validateFrom(p.keypair(attrs{"name": "deployer", "public_key": testPublicKey}), false))
}

// TestKeypairWriteOnly_plan: the plan of a keypair with public_key_wo
// holds no write-only value; public_key is Nova's to say (unknown).
func TestKeypairWriteOnly_plan(t *testing.T) {
	p := newProtocolServer(t)
	_, planned := p.plan(p.nullKeypair(), p.keypair(attrs{"name": "deployer", "public_key_wo": testPublicKey, "public_key_wo_version": numberValue(1)}))
	requireAttributes(t, planned, p.keypair(attrs{
		"name": "deployer", "type": "ssh", "public_key_wo_version": numberValue(1),
		"id": unknownString, "public_key": unknownString, "user_id": unknownString, "key_algorithm": unknownString,
		"region": unknownString, "fingerprint": unknownString, "private_key": unknownString,
		// public_key_wo: null.
	}))
	if strings.Contains(planned.String(), strings.Fields(testPublicKey)[1]) {
		t.Errorf("the plan holds the write-only key: %s", planned)
	}
}

// TestKeypairWriteOnly_apply: the create sends the write-only key; the
// state has Nova's public_key, its fingerprint and algorithm, and no
// public_key_wo; a refresh keeps it so.
func TestKeypairWriteOnly_apply(t *testing.T) {
	cloud := novatest.NewCloud(t)
	var sent string
	cloud.On(http.MethodPost, "/os-keypairs", func(_ http.ResponseWriter, r *http.Request, _ int) bool {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Keypair struct {
				PublicKey string `json:"public_key"`
			} `json:"keypair"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Error(err)
		}
		sent = req.Keypair.PublicKey
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		return false
	})
	p := configuredServer(t, cloud, nil)
	// Surrounding whitespace is trimmed: Nova cannot fingerprint a key
	// with leading whitespace.
	resp, state := p.create(attrs{"name": "deployer", "public_key_wo": " \t" + novatest.PublicKey + "\r\n", "public_key_wo_version": numberValue(3)})
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	if sent != novatest.PublicKey {
		t.Errorf("the POST sent public_key %q, want the write-only value, trimmed", sent)
	}
	want := p.keypair(attrs{
		"id": "deployer", "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.UserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint, "public_key_wo_version": numberValue(3),
		// public_key_wo and private_key: null.
	})
	if !state.Equal(want) {
		t.Errorf("state\n%s\nwant\n%s", state, want)
	}

	p = configuredServer(t, cloud, nil)
	readResp, refreshed := p.read(state)
	requireNoDiagnostics(t, "ReadResource", readResp.Diagnostics)
	if !refreshed.Equal(want) {
		t.Errorf("refreshed\n%s\nwant\n%s", refreshed, want)
	}
}

// TestKeypairWriteOnly_changes: Terraform cannot see a new write-only
// value, so it plans nothing; a new public_key_wo_version replaces the
// keypair, as does dropping public_key_wo for public_key.
func TestKeypairWriteOnly_changes(t *testing.T) {
	p := newProtocolServer(t)
	recorded := recordedKeypair().with(attrs{"public_key_wo_version": numberValue(1)})
	prior := p.keypair(recorded)

	resp, planned := p.plan(prior, p.keypair(attrs{"name": "deployer", "public_key_wo": novatest.OtherPublicKey, "public_key_wo_version": numberValue(1)}))
	requireReplace(t, resp, prior, planned)
	if !planned.Equal(prior) {
		t.Errorf("a new write-only value planned a change:\nplanned %s\nprior   %s", planned, prior)
	}

	resp, planned = p.plan(prior, p.keypair(attrs{"name": "deployer", "public_key_wo": novatest.OtherPublicKey, "public_key_wo_version": numberValue(2)}))
	requireReplace(t, resp, prior, planned, "public_key_wo_version")

	resp, planned = p.plan(prior, p.keypair(attrs{"name": "deployer", "public_key": novatest.OtherPublicKey}))
	requireReplace(t, resp, prior, planned, "public_key", "public_key_wo_version")
	if got := attributes(t, planned)["public_key_wo"]; !got.IsNull() {
		t.Errorf("public_key_wo planned %s, want null", got)
	}
}

// TestKeypairWriteOnly_versionAlone: public_key_wo_version without
// public_key_wo is refused at plan time.
func TestKeypairWriteOnly_versionAlone(t *testing.T) {
	p := newProtocolServer(t)
	requireError(t, p.validate(p.keypair(attrs{"name": "deployer", "public_key_wo_version": numberValue(1)})),
		"public_key_wo_version", "Invalid Attribute Combination", `Attribute "public_key_wo" must be specified when "public_key_wo_version" is specified`)
}

// TestKeypairWriteOnly_fromGenerated: a generated keypair given a key in
// public_key_wo is replaced (public_key unknown until Nova answers), even
// without public_key_wo_version.
func TestKeypairWriteOnly_fromGenerated(t *testing.T) {
	p := configuredServer(t, novatest.NewCloud(t), nil)
	pair, err := keys.Generate(keys.ED25519)
	if err != nil {
		t.Fatal(err)
	}
	generated := recordedKeypair().with(attrs{"public_key": pair.PublicKey, "private_key": pair.PrivateKeyPEM})
	prior := p.keypair(generated)
	resp, planned := p.plan(prior, p.keypair(attrs{"name": "deployer", "public_key_wo": novatest.OtherPublicKey}))
	requireReplace(t, resp, prior, planned, "public_key")
}
