package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ resource.Resource                = &keypairResource{}
	_ resource.ResourceWithConfigure   = &keypairResource{}
	_ resource.ResourceWithImportState = &keypairResource{}
)

// NewKeypairResource is the constructor the provider registers.
func NewKeypairResource() resource.Resource {
	return &keypairResource{}
}

type keypairResource struct {
	client *nova.Client
}

func (r *keypairResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_keypair"
}

func (r *keypairResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Nova keypair: a named public key that Nova injects into the servers booted with it. " +
			"Nova cannot change a keypair, so every change of an argument replaces it.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "Name of the keypair, unique per user (not per project). Changing it replaces the keypair.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},

			// Optional
			"public_key": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "OpenSSH public key line to import, e.g. `file(\"~/.ssh/id_ed25519.pub\")`. " +
					"Nova stores it verbatim. When omitted, the provider generates a key pair itself (RSA, " +
					fmt.Sprint(keys.RSABits) + " bits), imports its public half and returns the private half in `private_key`. " +
					"Changing it replaces the keypair.",
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
					stringplanmodifier.UseStateForUnknown(),
				},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Region whose Nova holds the keypair. Defaults to the provider's region. Changing it replaces the keypair.",
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplace(),
					stringplanmodifier.UseStateForUnknown(),
				},
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The keypair's name, which is how Nova addresses it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"fingerprint": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Fingerprint Nova computed for the public key: the MD5 of the key blob in lowercase colon hex, as `ssh-keygen -l -E md5` prints it.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"private_key": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The generated private key (OpenSSH PEM), only when `public_key` is omitted. " +
					"It is kept in the Terraform state only, unencrypted: protect the state, or import a key made outside Terraform instead. " +
					"It cannot be recovered after import.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

func (r *keypairResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	client, ok := req.ProviderData.(*nova.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("Expected *nova.Client, got %T. Please report this issue to the provider developers.", req.ProviderData))
		return
	}
	r.client = client
}

func (r *keypairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan keypairResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet (it depends on values known only after apply), so it cannot create a keypair.")
		return
	}

	name := plan.Name.ValueString()
	region := r.region(plan.Region)

	publicKey := plan.PublicKey.ValueString()
	privateKey := types.StringNull()
	if plan.PublicKey.IsNull() || plan.PublicKey.IsUnknown() {
		pair, err := keys.Generate(keys.RSA)
		if err != nil {
			resp.Diagnostics.AddError("Unable to generate a key pair", fmt.Sprintf("Generating a key pair for keypair %q failed: %s", name, err))
			return
		}
		publicKey = pair.PublicKey
		privateKey = types.StringValue(pair.PrivateKeyPEM)
	}

	kp, err := r.client.CreateKeypair(ctx, region, nova.CreateKeypairOpts{Name: name, PublicKey: publicKey})
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to create keypair %q", name), createErrorDetail(name, region, err))
		return
	}
	tflog.Debug(ctx, "created keypair", map[string]any{"name": kp.Name, "region": region, "fingerprint": kp.Fingerprint})

	state := keypairResourceModel{
		ID:          types.StringValue(kp.Name),
		Name:        types.StringValue(kp.Name),
		PublicKey:   types.StringValue(publicKey),
		PrivateKey:  privateKey,
		Fingerprint: types.StringValue(kp.Fingerprint),
		Region:      types.StringValue(region),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *keypairResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state keypairResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddWarning("Keypair not refreshed", "The nova provider's configuration is not known yet, so keypair "+state.ID.String()+" keeps its recorded state.")
		return
	}

	name := state.ID.ValueString()
	region := r.region(state.Region)

	kp, err := r.client.GetKeypair(ctx, region, name, "")
	if nova.IsNotFound(err) {
		tflog.Info(ctx, "keypair is gone; removing it from state", map[string]any{"name": name, "region": region})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to read keypair %q", name), fmt.Sprintf("Reading keypair %q in region %q failed: %s", name, region, nova.APIMessage(err)))
		return
	}

	state.ID = types.StringValue(kp.Name)
	state.Name = types.StringValue(kp.Name)
	state.PublicKey = types.StringValue(kp.PublicKey)
	state.Fingerprint = types.StringValue(kp.Fingerprint)
	state.Region = types.StringValue(region)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update is never called with a change: every argument forces replacement.
func (r *keypairResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan keypairResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *keypairResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state keypairResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet, so it cannot delete a keypair.")
		return
	}

	name := state.ID.ValueString()
	region := r.region(state.Region)
	err := r.client.DeleteKeypair(ctx, region, name, "")
	if nova.IsNotFound(err) {
		tflog.Info(ctx, "keypair was already gone", map[string]any{"name": name, "region": region})
		return
	}
	if err != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to delete keypair %q", name), fmt.Sprintf("Deleting keypair %q in region %q failed: %s", name, region, nova.APIMessage(err)))
	}
}

// ImportState takes the keypair's name as the import ID.
func (r *keypairResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

type keypairResourceModel struct {
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	PublicKey   types.String `tfsdk:"public_key"`
	PrivateKey  types.String `tfsdk:"private_key"`
	Fingerprint types.String `tfsdk:"fingerprint"`
	Region      types.String `tfsdk:"region"`
}

// region is the keypair's region: its own when set, else the provider's.
func (r *keypairResource) region(v types.String) string {
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		return r.client.Region()
	}
	return v.ValueString()
}

// createErrorDetail says what a failed create means and what to do next.
func createErrorDetail(name, region string, err error) string {
	var conflict *nova.ConflictError
	if nova.IsConflict(err) || errors.As(err, &conflict) {
		return fmt.Sprintf("A keypair named %q already exists for this user in region %q. "+
			"Keypair names are unique per user. Choose another name, or adopt the existing keypair with an import block:\n\n"+
			"import {\n  to = nova_keypair.<resource name>\n  id = %q\n}\n\n"+
			"or: terraform import nova_keypair.<resource name> %s\n\nNova said: %s",
			name, region, name, name, nova.APIMessage(err))
	}
	return fmt.Sprintf("Creating keypair %q in region %q failed: %s", name, region, nova.APIMessage(err))
}
