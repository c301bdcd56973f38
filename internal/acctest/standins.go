package acctest

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	ephemeralschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// Stand-ins, inside the test binary, for the other providers of the
// write-only recipe (examples/resources/nova_keypair/resource-write-only.tf),
// since the registry cannot be reached: hashicorp/tls's ephemeral
// tls_private_key, hashicorp/vault's vault_kv_secret_v2 (with its
// write-only data_json_wo), and terraform-provider-openstack's
// openstack_compute_instance_v2 (in OpenStackStandIn). Each takes the
// arguments the recipe uses, under the same names.

// TLSStandIn serves a provider named tls with the ephemeral resource
// tls_private_key: a fresh key pair on every open, never in any state.
func TLSStandIn() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&tlsStandIn{})()
}

type tlsStandIn struct{}

var _ provider.ProviderWithEphemeralResources = &tlsStandIn{}

func (p *tlsStandIn) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "tls"
}
func (p *tlsStandIn) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (p *tlsStandIn) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p *tlsStandIn) Resources(context.Context) []func() resource.Resource       { return nil }
func (p *tlsStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }
func (p *tlsStandIn) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{func() ephemeral.EphemeralResource { return &tlsPrivateKey{} }}
}

type tlsPrivateKey struct{}

type tlsPrivateKeyModel struct {
	Algorithm         types.String `tfsdk:"algorithm"`
	PrivateKeyOpenSSH types.String `tfsdk:"private_key_openssh"`
	PublicKeyOpenSSH  types.String `tfsdk:"public_key_openssh"`
}

func (e *tlsPrivateKey) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = "tls_private_key"
}

func (e *tlsPrivateKey) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = ephemeralschema.Schema{Attributes: map[string]ephemeralschema.Attribute{
		"algorithm":           ephemeralschema.StringAttribute{Required: true},
		"private_key_openssh": ephemeralschema.StringAttribute{Computed: true, Sensitive: true},
		"public_key_openssh":  ephemeralschema.StringAttribute{Computed: true},
	}}
}

func (e *tlsPrivateKey) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m tlsPrivateKeyModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pair, err := keys.Generate(keys.Algorithm(strings.ToLower(m.Algorithm.ValueString())))
	if err != nil {
		resp.Diagnostics.AddError("stand-in tls_private_key", err.Error())
		return
	}
	// As hashicorp/tls has it: the key line without comment, and a newline.
	f := strings.Fields(pair.PublicKey)
	m.PublicKeyOpenSSH = types.StringValue(f[0] + " " + f[1] + "\n")
	m.PrivateKeyOpenSSH = types.StringValue(pair.PrivateKeyPEM)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// Secrets is what the stand-in vault_kv_secret_v2 was given, by
// "mount/name": the data_json_wo of its last create or update.
var Secrets sync.Map

// VaultStandIn serves a provider named vault with the resource
// vault_kv_secret_v2, which keeps data_json_wo in Secrets (in memory) and
// nowhere else.
func VaultStandIn() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(&vaultStandIn{})()
}

type vaultStandIn struct{}

func (p *vaultStandIn) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "vault"
}
func (p *vaultStandIn) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (p *vaultStandIn) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (p *vaultStandIn) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{func() resource.Resource { return &vaultSecret{} }}
}
func (p *vaultStandIn) DataSources(context.Context) []func() datasource.DataSource { return nil }

type vaultSecret struct{}

type vaultSecretModel struct {
	ID                types.String `tfsdk:"id"`
	Mount             types.String `tfsdk:"mount"`
	Name              types.String `tfsdk:"name"`
	DataJSONWO        types.String `tfsdk:"data_json_wo"`
	DataJSONWOVersion types.Int64  `tfsdk:"data_json_wo_version"`
}

func (r *vaultSecret) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "vault_kv_secret_v2"
}

func (r *vaultSecret) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                   schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"mount":                schema.StringAttribute{Required: true, PlanModifiers: replace},
		"name":                 schema.StringAttribute{Required: true, PlanModifiers: replace},
		"data_json_wo":         schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true},
		"data_json_wo_version": schema.Int64Attribute{Optional: true},
	}}
}

// store keeps the configuration's data_json_wo, as Vault would.
func (r *vaultSecret) store(ctx context.Context, config tfsdk.Config, plan tfsdk.Plan, state *tfsdk.State) error {
	var cfg, m vaultSecretModel
	if d := config.Get(ctx, &cfg); d.HasError() {
		return fmt.Errorf("%v", d)
	}
	if d := plan.Get(ctx, &m); d.HasError() {
		return fmt.Errorf("%v", d)
	}
	key := m.Mount.ValueString() + "/" + m.Name.ValueString()
	Secrets.Store(key, cfg.DataJSONWO.ValueString())
	m.ID = types.StringValue(m.Mount.ValueString() + "/data/" + m.Name.ValueString())
	m.DataJSONWO = types.StringNull()
	if d := state.Set(ctx, &m); d.HasError() {
		return fmt.Errorf("%v", d)
	}
	return nil
}

func (r *vaultSecret) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if err := r.store(ctx, req.Config, req.Plan, &resp.State); err != nil {
		resp.Diagnostics.AddError("stand-in vault_kv_secret_v2", err.Error())
	}
}

func (r *vaultSecret) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *vaultSecret) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if err := r.store(ctx, req.Config, req.Plan, &resp.State); err != nil {
		resp.Diagnostics.AddError("stand-in vault_kv_secret_v2", err.Error())
	}
}

func (r *vaultSecret) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var m vaultSecretModel
	resp.Diagnostics.Append(req.State.Get(ctx, &m)...)
	Secrets.Delete(m.Mount.ValueString() + "/" + m.Name.ValueString())
}

// Boots is what the stand-in openstack_compute_instance_v2 saw when it
// booted a server, by server name.
var Boots sync.Map

// Boot is one server boot of the stand-in openstack_compute_instance_v2.
type Boot struct {
	// KeyPair is the keypair the server was booted with, as Nova held
	// it (read out of band when the server was created).
	KeyPair *nova.Keypair
	// Keypairs are the names of all the caller's keypairs in Nova at that
	// moment.
	Keypairs []string
}

type standInServer struct{ client *nova.Client }

type standInServerModel struct {
	ID         types.String `tfsdk:"id"`
	Name       types.String `tfsdk:"name"`
	ImageName  types.String `tfsdk:"image_name"`
	FlavorName types.String `tfsdk:"flavor_name"`
	KeyPair    types.String `tfsdk:"key_pair"`
	Network    types.List   `tfsdk:"network"`
}

func (r *standInServer) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "openstack_compute_instance_v2"
}

// Schema: as terraform-provider-openstack's, changing key_pair replaces
// the server (Nova injects the key at boot only).
func (r *standInServer) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		Attributes: map[string]schema.Attribute{
			"id":          schema.StringAttribute{Computed: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"name":        schema.StringAttribute{Required: true},
			"image_name":  schema.StringAttribute{Optional: true, PlanModifiers: replace},
			"flavor_name": schema.StringAttribute{Optional: true},
			"key_pair":    schema.StringAttribute{Optional: true, PlanModifiers: replace},
		},
		Blocks: map[string]schema.Block{
			"network": schema.ListNestedBlock{NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Optional: true},
			}}},
		},
	}
}

func (r *standInServer) Configure(_ context.Context, req resource.ConfigureRequest, _ *resource.ConfigureResponse) {
	r.client, _ = req.ProviderData.(*nova.Client)
}

// Create "boots" the server: like Nova, it refuses a key_pair the caller
// does not have (400 "Invalid key_name provided."), and it records in
// Boots the keypair and every keypair the caller has at that moment.
func (r *standInServer) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var m standInServerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var boot Boot
	if name := m.KeyPair.ValueString(); name != "" {
		kp, err := r.client.GetKeypair(ctx, "", name, "")
		if err != nil {
			resp.Diagnostics.AddError("stand-in openstack_compute_instance_v2", fmt.Sprintf("Invalid key_name provided (%q): %s", name, err))
			return
		}
		boot.KeyPair = kp
		all, err := r.client.ListKeypairs(ctx, "", "")
		if err != nil {
			resp.Diagnostics.AddError("stand-in openstack_compute_instance_v2", err.Error())
			return
		}
		for _, k := range all {
			boot.Keypairs = append(boot.Keypairs, k.Name)
		}
	}
	Boots.Store(m.Name.ValueString(), boot)
	m.ID = types.StringValue(rand.Text())
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *standInServer) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *standInServer) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var m standInServerModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &m)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (r *standInServer) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}
