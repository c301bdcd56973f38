package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = &keypairResource{}

// keypairIdentityModel is a nova_keypair's resource identity (Terraform
// and OpenTofu 1.12+): what names a keypair in Nova, and never changes.
type keypairIdentityModel struct {
	Name   types.String `tfsdk:"name"`
	UserID types.String `tfsdk:"user_id"`
	Region types.String `tfsdk:"region"`
}

// IdentitySchema is the identity: name (required to import by identity),
// user_id and region (optional: the authenticated user, the provider's
// region).
func (r *keypairResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"name": identityschema.StringAttribute{
				RequiredForImport: true,
				Description:       "Name of the keypair.",
			},
			"user_id": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "ID of the user who owns the keypair. To import, omit it for your own keypair; set it for another user's (admins, compute microversion 2.10).",
			},
			"region": identityschema.StringAttribute{
				OptionalForImport: true,
				Description:       "Region whose Nova holds the keypair. To import, omit it for the provider's region.",
			},
		},
	}
}

// identityOf is the identity of a keypair whose state is s.
func identityOf(s keypairResourceModel) keypairIdentityModel {
	return keypairIdentityModel{Name: s.Name, UserID: s.UserID, Region: s.Region}
}

// setIdentity sets identity (nil when the CLI has no identity support) to
// the identity of state s.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, s keypairResourceModel, diags *diag.Diagnostics) {
	if identity == nil {
		return
	}
	id := identityOf(s)
	diags.Append(identity.Set(ctx, &id)...)
}

// importByIdentity starts the state of a keypair imported by identity:
// the import block's `identity = { name = ..., user_id = ..., region = ... }`.
// A user_id that is the caller's own (as `terraform query` writes it)
// imports the keypair as the caller's: its ID is the name, as after a
// create or an import by name.
func (r *keypairResource) importByIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id keypairIdentityModel
	resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name, userID := id.Name.ValueString(), id.UserID.ValueString()
	if why := keypairNameProblem(name); why != "" {
		resp.Diagnostics.AddError("Invalid import identity", fmt.Sprintf("The identity's name %q %s.", name, why))
		return
	}
	if strings.Contains(userID, "/") {
		resp.Diagnostics.AddError("Invalid import identity", fmt.Sprintf("The identity's user_id %q contains `/`, which no user ID has.", userID))
		return
	}
	owner := userID
	if owner != "" && r.client != nil && r.client.Authenticate(ctx) == nil && r.client.UserID() == owner {
		owner = ""
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), keypairID(owner, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	if userID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("user_id"), userID)...)
	}
	if region := id.Region.ValueString(); region != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), region)...)
	}
}
