package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova/novatest"
)

// identitySchema is nova_keypair's identity schema, as Terraform gets it.
func (p *protocolServer) identitySchema() *tfprotov6.ResourceIdentitySchema {
	p.t.Helper()
	resp, err := p.server.GetResourceIdentitySchemas(p.t.Context(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		p.t.Fatal(err)
	}
	requireNoDiagnostics(p.t, "GetResourceIdentitySchemas", resp.Diagnostics)
	s := resp.IdentitySchemas[keypairTypeName]
	if s == nil {
		p.t.Fatal("nova_keypair has no identity schema")
	}
	return s
}

// identity is an identity value of nova_keypair.
func (p *protocolServer) identity(name, userID, region any) *tfprotov6.ResourceIdentityData {
	p.t.Helper()
	value := func(v any) tftypes.Value { return tftypes.NewValue(tftypes.String, v) }
	obj := tftypes.NewValue(p.identitySchema().ValueType(), map[string]tftypes.Value{"name": value(name), "user_id": value(userID), "region": value(region)})
	return &tfprotov6.ResourceIdentityData{IdentityData: p.dynamic(obj)}
}

func (p *protocolServer) decodeIdentity(d *tfprotov6.ResourceIdentityData) tftypes.Value {
	p.t.Helper()
	if d == nil || d.IdentityData == nil {
		p.t.Fatal("no identity")
	}
	return p.decode(p.identitySchema().ValueType(), d.IdentityData)
}

// TestKeypairIdentity_schema: name is required to import by identity,
// user_id and region optional.
func TestKeypairIdentity_schema(t *testing.T) {
	p := newProtocolServer(t)
	got := map[string]string{}
	for _, a := range p.identitySchema().IdentityAttributes {
		switch {
		case a.RequiredForImport:
			got[a.Name] = "required"
		case a.OptionalForImport:
			got[a.Name] = "optional"
		}
	}
	if len(got) != 3 || got["name"] != "required" || got["user_id"] != "optional" || got["region"] != "optional" {
		t.Errorf("identity attributes %v; want name required, user_id and region optional", got)
	}
}

// TestKeypairIdentity_createAndRead: create returns the identity; a
// refresh returns the same, also for a state recorded before identities.
func TestKeypairIdentity_createAndRead(t *testing.T) {
	cloud := novatest.NewCloud(t)
	p := configuredServer(t, cloud, nil)
	config := p.keypair(attrs{"name": "deployer", "public_key": novatest.PublicKey})
	_, planned := p.plan(p.nullKeypair(), config)
	resp, err := p.server.ApplyResourceChange(t.Context(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: keypairTypeName, PriorState: p.dynamic(p.nullKeypair()), PlannedState: p.dynamic(planned), Config: p.dynamic(config),
	})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ApplyResourceChange", resp.Diagnostics)
	want := p.decodeIdentity(p.identity("deployer", novatest.UserID, "RegionOne"))
	if got := p.decodeIdentity(resp.NewIdentity); !got.Equal(want) {
		t.Errorf("identity after create %s, want %s", got, want)
	}

	p = configuredServer(t, cloud, nil)
	read, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: resp.NewState})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ReadResource", read.Diagnostics)
	if got := p.decodeIdentity(read.NewIdentity); !got.Equal(want) {
		t.Errorf("identity after a refresh of a state without one %s, want %s", got, want)
	}
}

// TestKeypairIdentity_import: an identity imports another user's keypair
// in a region named by the identity; the refresh that follows fills it
// in and keeps the identity.
func TestKeypairIdentity_import(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.OtherUserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	identity := p.identity("deployer", novatest.OtherUserID, "RegionOne")
	resp, err := p.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: keypairTypeName, Identity: identity})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ImportResourceState", resp.Diagnostics)
	if len(resp.ImportedResources) != 1 {
		t.Fatalf("%d imported resources", len(resp.ImportedResources))
	}
	imported := resp.ImportedResources[0]
	state := p.decode(p.keypairSchema().ValueType(), imported.State)
	requireAttributes(t, state, p.keypair(attrs{"id": novatest.OtherUserID + "/deployer", "name": "deployer", "user_id": novatest.OtherUserID, "region": "RegionOne"}))

	read, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: imported.State, CurrentIdentity: imported.Identity})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ReadResource", read.Diagnostics)
	requireAttributes(t, p.decode(p.keypairSchema().ValueType(), read.NewState), p.keypair(attrs{
		"id": novatest.OtherUserID + "/deployer", "name": "deployer", "public_key": novatest.PublicKey, "type": "ssh", "user_id": novatest.OtherUserID,
		"key_algorithm": "ed25519", "region": "RegionOne", "fingerprint": novatest.PublicKeyFingerprint,
	}))
	if got, want := p.decodeIdentity(read.NewIdentity), p.decodeIdentity(identity); !got.Equal(want) {
		t.Errorf("identity %s, want %s", got, want)
	}

	for _, bad := range []*tfprotov6.ResourceIdentityData{p.identity(" deployer", nil, nil), p.identity("deployer", "a/b", nil)} {
		resp, err := p.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: keypairTypeName, Identity: bad})
		if err != nil {
			t.Fatal(err)
		}
		requireError(t, resp.Diagnostics, "", "Invalid import identity")
	}
}

// TestKeypairIdentity_importOtherRegion: an identity's region, which a
// string import ID cannot carry, is the keypair's region, not the
// provider's.
func TestKeypairIdentity_importOtherRegion(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	// The provider's region is RegionTwo; every region's compute endpoint
	// is the fake's (endpoint_overrides).
	p := configuredServer(t, cloud, attrs{"region": "RegionTwo", "endpoint_overrides": stringMap(map[string]string{"compute": cloud.URL() + "/v2.1"})})
	resp, err := p.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: keypairTypeName, Identity: p.identity("deployer", nil, "RegionOne")})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ImportResourceState", resp.Diagnostics)
	imported := resp.ImportedResources[0]
	// As Terraform does, the read that follows an import gets its private
	// state (the framework marks the import there: the identity may then
	// gain the user_id the import did not name).
	read, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: imported.State, CurrentIdentity: imported.Identity, Private: imported.Private})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ReadResource", read.Diagnostics)
	var got map[string]tftypes.Value
	if err := p.decode(p.keypairSchema().ValueType(), read.NewState).As(&got); err != nil {
		t.Fatal(err)
	}
	if want := tftypes.NewValue(tftypes.String, "RegionOne"); !got["region"].Equal(want) {
		t.Errorf("region %s, want %s (the identity's, not the provider's RegionTwo)", got["region"], want)
	}
}

// TestKeypairIdentity_importOwnUserID: an identity naming the caller's own
// user_id (as `terraform query` writes it) imports the keypair as the
// caller's: its ID is the name.
func TestKeypairIdentity_importOwnUserID(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	resp, err := p.server.ImportResourceState(t.Context(), &tfprotov6.ImportResourceStateRequest{TypeName: keypairTypeName, Identity: p.identity("deployer", novatest.UserID, "RegionOne")})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ImportResourceState", resp.Diagnostics)
	requireAttributes(t, p.decode(p.keypairSchema().ValueType(), resp.ImportedResources[0].State),
		p.keypair(attrs{"id": "deployer", "name": "deployer", "user_id": novatest.UserID, "region": "RegionOne"}))
}

// TestKeypairMoveState_identityAfterRefresh: a keypair moved without a
// recorded region or user_id gets its whole identity from the first
// refresh (Terraform refuses an identity that changes).
func TestKeypairMoveState_identityAfterRefresh(t *testing.T) {
	cloud := novatest.NewCloud(t)
	cloud.Seed(novatest.UserID, "deployer", novatest.PublicKey)
	p := configuredServer(t, cloud, nil)
	moved := p.move(incumbentAddress, "openstack_compute_keypair_v2", 0, incumbentState(map[string]any{"region": "", "user_id": ""}))
	requireNoDiagnostics(t, "MoveResourceState", moved.Diagnostics)
	read, err := p.server.ReadResource(t.Context(), &tfprotov6.ReadResourceRequest{TypeName: keypairTypeName, CurrentState: moved.TargetState, CurrentIdentity: moved.TargetIdentity})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiagnostics(t, "ReadResource", read.Diagnostics)
	if got, want := p.decodeIdentity(read.NewIdentity), p.decodeIdentity(p.identity("deployer", novatest.UserID, "RegionOne")); !got.Equal(want) {
		t.Errorf("identity after the first refresh %s, want %s", got, want)
	}
}
