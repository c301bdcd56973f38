package provider

import (
	"cmp"
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var _ list.ListResourceWithConfigure = &keypairListResource{}

// NewKeypairListResource is the list resource nova_keypair, for
// `terraform query` (Terraform 1.14+): the keypairs a cloud already has,
// each with its identity and, asked for, its resource object, so that
// `terraform query -generate-config-out=FILE` writes the import blocks and
// resources that adopt them.
func NewKeypairListResource() list.ListResource {
	return &keypairListResource{}
}

type keypairListResource struct {
	client *nova.Client
}

type keypairListModel struct {
	UserID    types.String `tfsdk:"user_id"`
	Region    types.String `tfsdk:"region"`
	NameRegex types.String `tfsdk:"name_regex"`
	Type      types.String `tfsdk:"type"`
}

func (r *keypairListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keypair"
}

func (r *keypairListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the keypairs of a user in a region, for `terraform query`: each result is a keypair's identity " +
			"and, with `include_resource` (or `-generate-config-out`), its `nova_keypair` object. Nova's list is read in pages of 1000 " +
			"(compute microversion 2.35+) only as far as Terraform's `limit` needs.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "List another user's keypairs (admins, compute microversion 2.10). Defaults to the authenticated user.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.RegexMatches(noSlash, "must not contain `/`")},
			},
			"region": schema.StringAttribute{
				Optional:            true,
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
		},
	}
}

func (r *keypairListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// List streams the keypairs that match, in Nova's order, up to
// req.Limit. A failure is a result with the error, never a shorter list.
func (r *keypairListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg keypairListModel
	diags := req.Config.Get(ctx, &cfg)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	if r.client == nil {
		diags.AddError("Provider not configured", "The nova provider's configuration is not known yet, so it cannot list keypairs.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	region, ok := regionOr(ctx, r.client, cfg.Region, &diags)
	if !ok {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	userID := cfg.UserID.ValueString()
	var nameRE *regexp.Regexp
	if !cfg.NameRegex.IsNull() {
		nameRE = regexp.MustCompile(cfg.NameRegex.ValueString()) // validated
	}

	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		err := r.client.EachKeypair(ctx, region, userID, func(kp nova.Keypair) bool {
			kpType := cmp.Or(kp.Type, keys.TypeSSH)
			if nameRE != nil && !nameRE.MatchString(kp.Name) || !cfg.Type.IsNull() && cfg.Type.ValueString() != kpType {
				return true
			}
			sent++
			// Stop at the limit without reading another page.
			return push(r.result(ctx, req, kp, kpType, userID, region)) && (req.Limit <= 0 || sent < req.Limit)
		})
		if err != nil {
			var d diag.Diagnostics
			d.Append(regionalDiagnostic(err, cfg.Region, "Unable to list keypairs", fmt.Sprintf("Listing the keypairs of %s in region %q failed: %s", userDescription(userID), region, errorText(err, ""))))
			push(list.ListResult{Diagnostics: d})
		}
	}
}

// result is one listed keypair: its identity, and its resource object as
// a refresh after an import by that identity stores it, but without
// key_algorithm (which a configuration with public_key must not set).
func (r *keypairListResource) result(ctx context.Context, req list.ListRequest, kp nova.Keypair, kpType, userID, region string) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = kp.Name
	owner := cmp.Or(userID, r.client.UserID())
	state := keypairResourceModel{
		ID:          types.StringValue(keypairID(userID, kp.Name)),
		Name:        types.StringValue(kp.Name),
		PublicKey:   types.StringValue(kp.PublicKey),
		Type:        types.StringValue(kpType),
		UserID:      types.StringValue(owner),
		Region:      types.StringValue(region),
		Fingerprint: types.StringValue(kp.Fingerprint),
	}
	id := identityOf(state)
	result.Diagnostics.Append(result.Identity.Set(ctx, &id)...)
	if req.IncludeResource {
		result.Diagnostics.Append(result.Resource.Set(ctx, &state)...)
	}
	return result
}
