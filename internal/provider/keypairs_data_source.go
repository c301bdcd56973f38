package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ datasource.DataSource              = &keypairsDataSource{}
	_ datasource.DataSourceWithConfigure = &keypairsDataSource{}
)

// NewKeypairsDataSource is the constructor the provider registers.
func NewKeypairsDataSource() datasource.DataSource {
	return &keypairsDataSource{}
}

type keypairsDataSource struct {
	client *nova.Client
}

func (d *keypairsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keypairs"
}

var keypairListEntryTypes = map[string]attr.Type{
	"name":        types.StringType,
	"public_key":  types.StringType,
	"fingerprint": types.StringType,
	"type":        types.StringType,
}

func (d *keypairsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every keypair of a user in a region, optionally filtered. From compute microversion 2.35 the list is read in pages of " +
			"1000 (Nova's cap) following Nova's links to the end, one request per page, so it never stops short; before 2.35, in one request.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"user_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "List another user's keypairs (admins, compute microversion 2.10). Defaults to the authenticated user.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Region to list. Defaults to the provider's region.",
			},
			"name_regex": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only keypairs whose name matches this regular expression (RE2 syntax, unanchored).",
				Validators:          []validator.String{regexpValidator{}},
			},
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only keypairs of this type: " + quoted(keys.Types) + ".",
				Validators:          []validator.String{stringvalidator.OneOf(keys.Types...)},
			},
			"fingerprint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only keypairs with this fingerprint (e.g. from `provider::nova::fingerprint(file(\"id.pub\"))`); case-insensitive.",
			},
			"public_key": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keep only keypairs with this public key, ignoring surrounding whitespace.",
			},

			// Computed
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The region and user listed."},
			"keypairs": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The keypairs, in Nova's order (by name).",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the keypair."},
						"public_key":  schema.StringAttribute{Computed: true, MarkdownDescription: "The public key (or PEM certificate)."},
						"fingerprint": schema.StringAttribute{Computed: true, MarkdownDescription: "Fingerprint Nova computed."},
						"type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`ssh` or `x509`."},
					},
				},
			},
			"names": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "The names of `keypairs`, in the same order.",
			},
		},
	}
}

func (d *keypairsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *keypairsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data keypairsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet, so it cannot list keypairs.")
		return
	}
	userID := data.UserID.ValueString()
	region, ok := regionOr(ctx, d.client, data.Region, &resp.Diagnostics)
	if !ok {
		return
	}

	all, err := d.client.ListKeypairs(ctx, region, userID)
	if err != nil {
		resp.Diagnostics.Append(regionalDiagnostic(err, data.Region, "Unable to list keypairs", fmt.Sprintf("Listing the keypairs of %s in region %q failed: %s", userDescription(userID), region, errorText(err, ""))))
		return
	}

	var nameRE *regexp.Regexp
	if !data.NameRegex.IsNull() {
		nameRE = regexp.MustCompile(data.NameRegex.ValueString()) // validated
	}
	entries := []attr.Value{}
	names := []attr.Value{}
	for _, kp := range all {
		kpType := cmp.Or(kp.Type, keys.TypeSSH)
		switch {
		case nameRE != nil && !nameRE.MatchString(kp.Name),
			!data.Type.IsNull() && data.Type.ValueString() != kpType,
			!data.Fingerprint.IsNull() && !equalFold(data.Fingerprint.ValueString(), kp.Fingerprint),
			!data.PublicKey.IsNull() && !keys.SamePublicKey(data.PublicKey.ValueString(), kp.PublicKey):
			continue
		}
		entry, diags := types.ObjectValue(keypairListEntryTypes, map[string]attr.Value{
			"name":        types.StringValue(kp.Name),
			"public_key":  types.StringValue(kp.PublicKey),
			"fingerprint": types.StringValue(kp.Fingerprint),
			"type":        types.StringValue(kpType),
		})
		resp.Diagnostics.Append(diags...)
		entries = append(entries, entry)
		names = append(names, types.StringValue(kp.Name))
	}

	data.Keypairs = types.ListValueMust(types.ObjectType{AttrTypes: keypairListEntryTypes}, entries)
	data.Names = types.ListValueMust(types.StringType, names)
	data.ID = types.StringValue(region + "/" + cmp.Or(userID, d.client.UserID()))
	data.Region = types.StringValue(region)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

type keypairsDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	UserID      types.String `tfsdk:"user_id"`
	Region      types.String `tfsdk:"region"`
	NameRegex   types.String `tfsdk:"name_regex"`
	Type        types.String `tfsdk:"type"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	PublicKey   types.String `tfsdk:"public_key"`
	Keypairs    types.List   `tfsdk:"keypairs"`
	Names       types.List   `tfsdk:"names"`
}
