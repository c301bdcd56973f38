package provider

import (
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

const incumbentAddress = "registry.terraform.io/terraform-provider-openstack/openstack"

// incumbentState is openstack_compute_keypair_v2 state as SDKv2 writes
// it (schema version 0): every attribute present, "" where unset.
func incumbentState(changes map[string]any) []byte {
	s := map[string]any{
		"id": "deployer", "region": "RegionOne", "name": "deployer", "public_key": novatest.PublicKey,
		"private_key": "", "fingerprint": novatest.PublicKeyFingerprint, "user_id": "", "value_specs": nil, // v3.4.0 records user_id only when configured
	}
	for k, v := range changes {
		s[k] = v
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}

func (p *protocolServer) move(address, typeName string, version int64, raw []byte) *tfprotov6.MoveResourceStateResponse {
	p.t.Helper()
	resp, err := p.server.MoveResourceState(p.t.Context(), &tfprotov6.MoveResourceStateRequest{
		SourceProviderAddress: address, SourceTypeName: typeName, SourceSchemaVersion: version,
		SourceState: &tfprotov6.RawState{JSON: raw}, TargetTypeName: keypairTypeName,
	})
	if err != nil {
		p.t.Fatal(err)
	}
	return resp
}

// TestKeypairMoveState: the shapes of openstack_compute_keypair_v2 state
// a `moved` block brings, from every address of the openstack provider,
// become nova_keypair state and identity.
func TestKeypairMoveState(t *testing.T) {
	pair, err := keys.Generate(keys.RSA)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's own keypair: no user_id recorded, so no identity yet
	// (the first refresh sets it whole).
	base := attrs{
		"id": "deployer", "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh",
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}
	for _, tc := range []struct {
		what    string
		address string
		source  map[string]any
		want    attrs
	}{
		{"an imported key", incumbentAddress, nil, base},
		{"from OpenTofu 1.12", "registry.opentofu.org/terraform-provider-openstack/openstack", nil, base},
		{"from OpenTofu 1.10 (bare name)", "openstack", nil, base},
		{"a key Nova generated", incumbentAddress, map[string]any{"public_key": pair.PublicKey, "private_key": pair.PrivateKeyPEM},
			base.with(attrs{"public_key": pair.PublicKey, "private_key": pair.PrivateKeyPEM, "key_algorithm": "rsa"})},
		{"another user's", incumbentAddress, map[string]any{"user_id": novatest.OtherUserID},
			base.with(attrs{"user_id": novatest.OtherUserID})}, // the refresh names the user in the ID
		{"another region", incumbentAddress, map[string]any{"region": "RegionTwo"}, base.with(attrs{"region": "RegionTwo"})},
		{"a trailing newline", incumbentAddress, map[string]any{"public_key": novatest.PublicKey + "\n"}, base.with(attrs{"public_key": novatest.PublicKey + "\n"})},
		{"no region recorded", incumbentAddress, map[string]any{"region": ""}, base.with(attrs{"region": nil})},
	} {
		t.Run(tc.what, func(t *testing.T) {
			p := newProtocolServer(t) // the framework does not configure a resource to move state
			resp := p.move(tc.address, "openstack_compute_keypair_v2", 0, incumbentState(tc.source))
			requireNoDiagnostics(t, "MoveResourceState", resp.Diagnostics)
			requireAttributes(t, p.decode(p.keypairSchema().ValueType(), resp.TargetState), p.keypair(tc.want))
			name, _ := tc.want["name"].(string)
			identity := p.decodeIdentity(resp.TargetIdentity)
			if tc.want["region"] == nil || tc.want["user_id"] == nil {
				if !identity.IsNull() {
					t.Errorf("identity %s; want null, for the first refresh to set whole", identity)
				}
				return
			}
			var got map[string]tftypes.Value
			if err := identity.As(&got); err != nil {
				t.Fatal(err)
			}
			if want := tftypes.NewValue(tftypes.String, name); !got["name"].Equal(want) {
				t.Errorf("identity name %s, want %s", got["name"], want)
			}
		})
	}
}

// TestKeypairMoveState_refused: a move from another resource type, from
// another provider's keypair, or of a state version this provider does
// not know is refused, saying what it accepts.
func TestKeypairMoveState_refused(t *testing.T) {
	p := newProtocolServer(t)
	for _, tc := range []struct {
		address, typeName string
		version           int64
	}{
		{incumbentAddress, "openstack_compute_instance_v2", 0},
		{"registry.terraform.io/hashicorp/aws", "openstack_compute_keypair_v2", 0},
		{incumbentAddress, "openstack_compute_keypair_v2", 1},
	} {
		resp := p.move(tc.address, tc.typeName, tc.version, incumbentState(nil))
		requireError(t, resp.Diagnostics, "", "Unsupported move")
	}
}

// TestKeypairMoveState_valueSpecs: value_specs, which only shaped the
// incumbent's create request, are dropped with a warning naming them.
func TestKeypairMoveState_valueSpecs(t *testing.T) {
	p := newProtocolServer(t)
	resp := p.move(incumbentAddress, "openstack_compute_keypair_v2", 0, incumbentState(map[string]any{"value_specs": map[string]string{"foo": "bar"}}))
	requireWarning(t, resp.Diagnostics, "", "value_specs not moved", "(foo)")
}

// TestKeypairMoveState_otherUserRefresh: another user's keypair moved
// from the incumbent (ID the name, user_id the owner) is refreshed from
// its owner's list, and its ID becomes user_id/name.
func TestKeypairMoveState_otherUserRefresh(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.OtherUserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	moved := p.move(incumbentAddress, "openstack_compute_keypair_v2", 0, incumbentState(map[string]any{"user_id": novatest.OtherUserID}))
	requireNoDiagnostics(t, "MoveResourceState", moved.Diagnostics)
	resp, state := p.read(p.decode(p.keypairSchema().ValueType(), moved.TargetState))
	requireNoDiagnostics(t, "ReadResource", resp.Diagnostics)
	requireAttributes(t, state, p.keypair(attrs{
		"id": novatest.OtherUserID + "/deployer", "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.OtherUserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}))
}
