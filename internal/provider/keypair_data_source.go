package provider

import (
	"cmp"
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ datasource.DataSource              = &keypairDataSource{}
	_ datasource.DataSourceWithConfigure = &keypairDataSource{}
)

// NewKeypairDataSource is the constructor the provider registers.
func NewKeypairDataSource() datasource.DataSource {
	return &keypairDataSource{}
}

type keypairDataSource struct {
	client *nova.Client
}

func (d *keypairDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keypair"
}

func (d *keypairDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one keypair by name, as Nova shows it (one GET). A missing keypair is an error.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the keypair.",
			},

			// Optional
			"user_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Owner of the keypair, to look up another user's keypair (admins, compute microversion 2.10). Defaults to the authenticated user.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Region to look in. Defaults to the provider's region.",
			},

			// Computed
			"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "`name`, or `user_id/name` when `user_id` is set: as the resource's import ID."},
			"public_key":  schema.StringAttribute{Computed: true, MarkdownDescription: "The public key (or PEM certificate), as Nova stores it."},
			"fingerprint": schema.StringAttribute{Computed: true, MarkdownDescription: "Fingerprint Nova computed: MD5 colon hex for `ssh`, SHA-1 for `x509`."},
			"type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`ssh` or `x509` (`ssh` on clouds without compute microversion 2.2)."},
			"created_at":  schema.StringAttribute{Computed: true, MarkdownDescription: "When Nova created the keypair (RFC 3339, UTC)."},
		},
	}
}

func (d *keypairDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *keypairDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data keypairDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet, so it cannot read a keypair.")
		return
	}
	name := data.Name.ValueString()
	userID := data.UserID.ValueString()
	region, ok := regionOr(ctx, d.client, data.Region, &resp.Diagnostics)
	if !ok {
		return
	}

	kp, err := d.client.GetKeypair(ctx, region, name, userID)
	if nova.IsNotFound(err) {
		resp.Diagnostics.AddError("Keypair not found",
			fmt.Sprintf("Nova has no keypair %q for %s in region %q. Keypairs belong to a user: check the name, `user_id` and `region`.\n\nNova said: %s",
				name, userDescription(userID), region, nova.APIMessage(err)))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(regionalDiagnostic(err, data.Region, fmt.Sprintf("Unable to read keypair %q", name), fmt.Sprintf("Reading keypair %q%s in region %q failed: %s", name, ofUser(userID), region, errorText(err, name))))
		return
	}

	data.ID = types.StringValue(keypairID(userID, kp.Name))
	data.PublicKey = types.StringValue(kp.PublicKey)
	data.Fingerprint = types.StringValue(kp.Fingerprint)
	data.Type = types.StringValue(cmp.Or(kp.Type, keys.TypeSSH))
	data.UserID = types.StringValue(cmp.Or(kp.UserID, userID))
	data.CreatedAt = createdAt(kp.CreatedAt)
	data.Region = types.StringValue(region)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type keypairDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	UserID      types.String `tfsdk:"user_id"`
	Region      types.String `tfsdk:"region"`
	PublicKey   types.String `tfsdk:"public_key"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	Type        types.String `tfsdk:"type"`
	CreatedAt   types.String `tfsdk:"created_at"`
}
