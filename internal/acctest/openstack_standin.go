package acctest

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// OpenStackStandIn serves, inside the test binary, a provider named
// openstack with two resources: openstack_compute_instance_v2 (see
// standInServer) and openstack_compute_keypair_v2, shaped like
// terraform-provider-openstack's (schema version 0: id, region, name,
// public_key, private_key, fingerprint, user_id, value_specs) and
// managing real keypairs of the environment's cloud. Tests of `moved`
// blocks use it to write the incumbent's state, since the registry
// cannot be reached. Like the incumbent v3.4.0, it records user_id only
// when configured ("" for the caller's own keypair), IDs another user's
// keypair user_id:name, and generates a key when public_key is omitted.
func OpenStackStandIn() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&standInProvider{})()
}

type standInProvider struct{}

func (p *standInProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "openstack"
}

// Schema: the stand-in takes no arguments; it uses the environment's cloud.
func (p *standInProvider) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}

func (p *standInProvider) Configure(_ context.Context, _ provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	c, err := Client("")
	if err != nil {
		resp.Diagnostics.AddError("stand-in openstack provider", err.Error())
		return
	}
	resp.ResourceData = c
}

func (p *standInProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &standInKeypair{} },
		func() resource.Resource { return &standInServer{} },
	}
}

func (p *standInProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

type standInKeypair struct{ client *nova.Client }

type standInKeypairModel struct {
	ID          types.String `tfsdk:"id"`
	Region      types.String `tfsdk:"region"`
	Name        types.String `tfsdk:"name"`
	PublicKey   types.String `tfsdk:"public_key"`
	PrivateKey  types.String `tfsdk:"private_key"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	UserID      types.String `tfsdk:"user_id"`
	ValueSpecs  types.Map    `tfsdk:"value_specs"`
}

func (r *standInKeypair) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "openstack_compute_keypair_v2"
}

func (r *standInKeypair) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":          schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"region":      schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: replace},
		"name":        schema.StringAttribute{Required: true, PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()}},
		"public_key":  schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: replace},
		"private_key": schema.StringAttribute{Computed: true, Sensitive: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"fingerprint": schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"user_id":     schema.StringAttribute{Optional: true, Computed: true, PlanModifiers: replace},
		"value_specs": schema.MapAttribute{Optional: true, ElementType: types.StringType},
	}}
}

func (r *standInKeypair) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	r.client, _ = req.ProviderData.(*nova.Client)
}

func (r *standInKeypair) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m standInKeypairModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := nova.CreateKeypairOpts{Name: m.Name.ValueString(), PublicKey: m.PublicKey.ValueString(), UserID: m.UserID.ValueString()}
	m.PrivateKey = types.StringValue("")
	if opts.PublicKey == "" {
		pair, err := keys.Generate(keys.RSA)
		if err != nil {
			resp.Diagnostics.AddError("stand-in create", err.Error())
			return
		}
		opts.PublicKey, m.PrivateKey = pair.PublicKey, types.StringValue(pair.PrivateKeyPEM)
	}
	kp, err := r.client.CreateKeypair(ctx, m.Region.ValueString(), opts)
	if err != nil {
		resp.Diagnostics.AddError("stand-in create", err.Error())
		return
	}
	region, err := r.client.Region(ctx)
	if err != nil {
		resp.Diagnostics.AddError("stand-in create", err.Error())
		return
	}
	// As v3.4.0 records them: the ID is the name, or user_id:name for
	// another user's keypair; user_id is "" unless configured.
	m.ID = types.StringValue(kp.Name)
	if opts.UserID != "" {
		m.ID = types.StringValue(opts.UserID + ":" + kp.Name)
	}
	m.PublicKey = types.StringValue(opts.PublicKey)
	m.Fingerprint = types.StringValue(kp.Fingerprint)
	m.UserID = types.StringValue(opts.UserID)
	if m.Region.IsUnknown() || m.Region.IsNull() {
		m.Region = types.StringValue(region)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *standInKeypair) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var m standInKeypairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if _, err := r.client.GetKeypair(ctx, m.Region.ValueString(), m.Name.ValueString(), m.UserID.ValueString()); err != nil {
		if nova.IsNotFound(err) {
			resp.State.RemoveResource(ctx)
			return
		}
		resp.Diagnostics.AddError("stand-in read", fmt.Sprintf("%s: %s", m.Name.ValueString(), err))
	}
}

func (r *standInKeypair) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}

func (r *standInKeypair) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m standInKeypairModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	if err := r.client.DeleteKeypair(ctx, m.Region.ValueString(), m.Name.ValueString(), m.UserID.ValueString()); err != nil && !nova.IsNotFound(err) {
		resp.Diagnostics.AddError("stand-in delete", err.Error())
	}
}
