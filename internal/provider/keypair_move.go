package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithMoveState = &keypairResource{}

// incumbentKeypairType is terraform-provider-openstack's keypair resource,
// whose state a `moved` block can bring to nova_keypair (Terraform 1.8+,
// OpenTofu 1.10+).
const incumbentKeypairType = "openstack_compute_keypair_v2"

// incumbentKeypairState is openstack_compute_keypair_v2's state, SDKv2
// schema version 0, as Terraform stores it: unset strings are "".
type incumbentKeypairState struct {
	ID          string            `json:"id"`
	Region      string            `json:"region"`
	Name        string            `json:"name"`
	PublicKey   string            `json:"public_key"`
	PrivateKey  string            `json:"private_key"`
	Fingerprint string            `json:"fingerprint"`
	UserID      string            `json:"user_id"`
	ValueSpecs  map[string]string `json:"value_specs"`
}

// MoveState accepts the state of terraform-provider-openstack's
// openstack_compute_keypair_v2 (schema version 0), from any registry
// address of the openstack provider, so that
//
//	moved {
//	  from = openstack_compute_keypair_v2.deployer
//	  to   = nova_keypair.deployer
//	}
//
// plans no change. A move from anything else is refused.
func (r *keypairResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: r.moveFromIncumbent}}
}

func (r *keypairResource) moveFromIncumbent(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != incumbentKeypairType || !isOpenStackProvider(req.SourceProviderAddress) {
		resp.Diagnostics.AddError("Unsupported move",
			fmt.Sprintf("nova_keypair accepts state moved from terraform-provider-openstack's %s only, not from %s of %q. "+
				"To adopt an existing keypair, use an import block instead.", incumbentKeypairType, req.SourceTypeName, req.SourceProviderAddress))
		return
	}
	if req.SourceSchemaVersion != 0 {
		resp.Diagnostics.AddError("Unsupported move",
			fmt.Sprintf("nova_keypair knows %s's state version 0, not version %d. Import the keypair with an import block instead.", incumbentKeypairType, req.SourceSchemaVersion))
		return
	}
	if req.SourceRawState == nil {
		resp.Diagnostics.AddError("Unsupported move", "The moved "+incumbentKeypairType+" has no state.")
		return
	}
	var src incumbentKeypairState
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil {
		resp.Diagnostics.AddError("Unsupported move", fmt.Sprintf("The state of the moved %s cannot be read: %s.", incumbentKeypairType, err))
		return
	}
	if src.Name == "" {
		resp.Diagnostics.AddError("Unsupported move", fmt.Sprintf("The state of the moved %s has no name.", incumbentKeypairType))
		return
	}

	// The incumbent's ID is the name, and it records the owner's user ID
	// for every keypair, the caller's own too. The move keeps both; the
	// first refresh, which knows the caller, makes the ID user_id/name
	// for another user's keypair (see Read).
	state := keypairResourceModel{
		ID:           types.StringValue(src.Name),
		Name:         types.StringValue(src.Name),
		PublicKey:    stringOrNull(src.PublicKey),
		Type:         types.StringValue("ssh"), // the incumbent has no type: every keypair it manages is ssh
		UserID:       stringOrNull(src.UserID),
		KeyAlgorithm: algorithmOf(src.PublicKey),
		Region:       stringOrNull(src.Region),
		Fingerprint:  stringOrNull(src.Fingerprint),
		PrivateKey:   stringOrNull(src.PrivateKey),
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, &state)...)
	if src.UserID != "" && src.Region != "" {
		setIdentity(ctx, resp.TargetIdentity, state, &resp.Diagnostics)
	}
	// Else the identity stays null: the first refresh, which knows the
	// provider's region and the owner, sets it. An identity set now and
	// completed then would be an identity change, which Terraform refuses.
	if len(src.ValueSpecs) > 0 {
		keys := make([]string, 0, len(src.ValueSpecs))
		for k := range src.ValueSpecs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		resp.Diagnostics.AddWarning("value_specs not moved",
			fmt.Sprintf("The moved %s had value_specs (%s), extra fields of its create request. They have no meaning once the keypair exists, and nova_keypair has none.", incumbentKeypairType, strings.Join(keys, ", ")))
	}
}

// isOpenStackProvider reports whether a provider address names the
// openstack provider: registry.terraform.io/terraform-provider-openstack/openstack,
// registry.opentofu.org/..., or the bare "openstack" OpenTofu 1.10 sends.
func isOpenStackProvider(address string) bool {
	parts := strings.Split(address, "/")
	return parts[len(parts)-1] == "openstack"
}

// stringOrNull is s, or null for SDKv2's "" (unset).
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
