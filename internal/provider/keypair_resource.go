package provider

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/keys"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ resource.Resource                     = &keypairResource{}
	_ resource.ResourceWithConfigure        = &keypairResource{}
	_ resource.ResourceWithImportState      = &keypairResource{}
	_ resource.ResourceWithValidateConfig   = &keypairResource{}
	_ resource.ResourceWithModifyPlan       = &keypairResource{}
	_ resource.ResourceWithConfigValidators = &keypairResource{}
)

// Default timeouts of the keypair operations (each one API call, retried).
const (
	defaultCreateTimeout = 5 * time.Minute
	defaultReadTimeout   = 2 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
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

func (r *keypairResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()}
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}

	resp.Schema = schema.Schema{
		MarkdownDescription: "A Nova keypair: a named public key (OpenSSH, or an X.509 certificate) that Nova injects into the servers booted with it. " +
			"Keypairs belong to a user, not a project. Nova cannot change a keypair, so changing any argument replaces it. " +
			"Create is one POST (its answer fills the state) and destroy one DELETE. Refresh reads the user's keypair list once for every keypair of the provider instance " +
			"(one request per 1000 keypairs), not one GET per keypair; a keypair just imported is read with one GET.",
		Attributes: map[string]schema.Attribute{
			// Required
			"name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Name of the keypair, unique per user. 1 to 255 characters: letters, digits, space, `_` and `-`; " +
					"`@` and `.` too where the cloud supports compute microversion " + nova.FeatureExtendedNames.MinMicroversion().String() + " (checked at plan time). No whitespace at either end. " +
					"Set either `name` or `name_prefix`; with `name_prefix`, the name is computed.",
				Validators:    []validator.String{keypairNameValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown(), stringplanmodifier.RequiresReplace()},
			},
			"name_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Instead of `name`: the provider names the keypair `name_prefix` followed by %d characters (a UTC timestamp and a counter, in digits and `a`-`f`), ", generatedSuffixLength) +
					"so names are unique and sort in the order the keypairs were made. " +
					fmt.Sprintf("1 to %d characters, of those `name` allows (`@` and `.` from compute microversion %s), not starting with whitespace. ", namePrefixMaxLength, nova.FeatureExtendedNames.MinMicroversion()) +
					"With `lifecycle { create_before_destroy = true }`, a new key gets a new keypair before the old one is deleted: rotation without a moment with no keypair, and without a name conflict. " +
					"Changing `name_prefix` replaces the keypair only when its name does not start with the new prefix.",
				Validators:    []validator.String{namePrefixValidator{}},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplaceIf(nameLacksPrefix, "Replaces the keypair when its name does not start with the new prefix.", "Replaces the keypair when its name does not start with the new prefix.")},
			},

			// Optional
			"public_key": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The public key to import: one OpenSSH public key line (`ssh-ed25519`, `ecdsa-sha2-nistp256/384/521`, `ssh-rsa`, `ssh-dss`; " +
					"e.g. `file(\"~/.ssh/id_ed25519.pub\")`), or a PEM certificate when `type = \"x509\"`. Checked at plan time. " +
					"It is sent to Nova trimmed (Nova refuses a key with leading whitespace); surrounding whitespace (the trailing newline `file()` keeps) is not a change. " +
					"When omitted, the provider generates a key pair itself (see `key_algorithm`), imports its public half and returns the private half in `private_key`; " +
					"this works on every cloud, also from microversion " + nova.FeatureExtendedNames.MinMicroversion().String() + " where Nova no longer generates keys. " +
					"With `public_key_wo` set, computed: the key Nova stores.",
				PlanModifiers: []planmodifier.String{samePublicKey{}, stringplanmodifier.RequiresReplace(), stringplanmodifier.UseStateForUnknown()},
			},
			"public_key_wo": schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				MarkdownDescription: "Write-only (Terraform 1.11 and later, OpenTofu 1.11 and later): the public key to import, as `public_key` takes it and checked the same way, but never kept in the plan or the state. " +
					"It accepts ephemeral values, such as `ephemeral.tls_private_key.this.public_key_openssh`, so that the private half can go to a secret store without ever touching the state. " +
					"The state then holds the `public_key` Nova stores and its `fingerprint`. " +
					"Terraform cannot see a change of a write-only value, so changing only `public_key_wo` plans nothing: change `public_key_wo_version` to replace the keypair with the new key " +
					"(also when moving from `public_key` to `public_key_wo` with another key). " +
					"Conflicts with `public_key` and `key_algorithm`.",
				Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("public_key"), path.MatchRoot("key_algorithm"))},
			},
			"public_key_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number, recorded in the state: changing it replaces the keypair with the key `public_key_wo` has then. " +
					"Change it whenever `public_key_wo` changes (which Terraform cannot see). Requires `public_key_wo`.",
				Validators:    []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("public_key_wo"))},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"type": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(keys.TypeSSH),
				MarkdownDescription: "Keypair type: " + quoted(keys.Types) + " (default `ssh`). `x509` imports a certificate (Nova fingerprints it with SHA-1) and needs compute microversion " + nova.FeatureKeypairType.MinMicroversion().String() + "; " +
					"the provider does not generate certificates.",
				Validators:    []validator.String{stringvalidator.OneOf(keys.Types...)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"user_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "ID of the user who owns the keypair. Set it to manage another user's keypair; Nova allows that to admins, " +
					"from compute microversion " + nova.FeatureOtherUser.MinMicroversion().String() + ". When unset, the authenticated user, as Nova reports it.",
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1), stringvalidator.RegexMatches(noSlash, "must not contain `/`")},
				PlanModifiers: replace,
			},
			"key_algorithm": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Algorithm of the key pair the provider generates when `public_key` is omitted: " + quoted(keys.Algorithms) +
					fmt.Sprintf(" (default `rsa`, %d bits; `ecdsa` is P-256). ", keys.RSABits) +
					"Computed from the key otherwise (also after import), and null for keys of other kinds (`ssh-dss`, ECDSA on other curves, certificates).",
				Validators:    []validator.String{stringvalidator.OneOf(keys.Algorithms...)},
				PlanModifiers: replace,
			},
			"region": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Region whose Nova holds the keypair. Defaults to the provider's region.",
				PlanModifiers:       replace,
			},

			// Computed
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`name`, or `user_id/name` when `user_id` is set: the import ID.",
				PlanModifiers:       keep,
			},
			"fingerprint": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Fingerprint Nova computed: for `ssh`, the MD5 of the key blob in lowercase colon hex (as `ssh-keygen -l -E md5` prints it); " +
					"for `x509`, the SHA-1 of the certificate (as `openssl x509 -fingerprint -sha1` prints it, lowercased).",
				PlanModifiers: keep,
			},
			"private_key": schema.StringAttribute{
				Computed:  true,
				Sensitive: true,
				MarkdownDescription: "The generated private key (OpenSSH PEM, accepted by `ssh -i`), only when `public_key` and `public_key_wo` are omitted. " +
					"It is kept in the Terraform state, unencrypted: protect the state, or import a key made outside Terraform instead. " +
					"To keep the private key out of the state altogether, generate it with an ephemeral resource, store it with a secret store's write-only argument, and pass its public half in `public_key_wo` (the write-only recipe in the examples). " +
					"Nova never returns it, so it cannot be recovered by import.",
				PlanModifiers: keep,
			},
			"timeouts": timeouts.Attributes(ctx, keypairTimeoutsOpts),
		},
	}
}

func (r *keypairResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig checks, before any API call, what depends on more than
// one attribute: the public key against the keypair type, and what
// generation allows.
func (r *keypairResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	cfg := keypairModelOf(req.Config.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	keyType := cfg.Type.ValueString()
	checkPublicKey(path.Root("public_key"), cfg.PublicKey, cfg.Type, &resp.Diagnostics)
	checkPublicKey(path.Root("public_key_wo"), cfg.PublicKeyWO, cfg.Type, &resp.Diagnostics)
	if !cfg.PublicKeyWO.IsNull() && !req.ClientCapabilities.WriteOnlyAttributesAllowed {
		resp.Diagnostics.AddAttributeError(path.Root("public_key_wo"), "Write-only argument not supported by this CLI",
			"public_key_wo is a write-only argument, which Terraform 1.11 and later and OpenTofu 1.11 and later support; the CLI running this plan does not. "+
				"Upgrade it, or set public_key instead (a public key is no secret: it is then kept in the state).")
	}
	generated := cfg.PublicKey.IsNull() && cfg.PublicKeyWO.IsNull()
	if generated && keyType == keys.TypeX509 {
		resp.Diagnostics.AddAttributeError(path.Root("type"), "Cannot generate an x509 keypair",
			"The provider generates only OpenSSH key pairs. To register a certificate, make it outside Terraform and set public_key (or public_key_wo) to its PEM, with type = \"x509\".")
	}
	// key_algorithm repeating the key's own algorithm is allowed: the
	// configuration Terraform generates for an import has both.
	// Unknown values (count.index ? ... : null) are checked at plan time.
	known := !cfg.PublicKey.IsUnknown() && !cfg.KeyAlgorithm.IsUnknown()
	sameAlgorithm := string(keys.AlgorithmOf(cfg.PublicKey.ValueString())) == cfg.KeyAlgorithm.ValueString()
	if known && !cfg.PublicKey.IsNull() && !cfg.KeyAlgorithm.IsNull() && !sameAlgorithm {
		resp.Diagnostics.AddAttributeError(path.Root("key_algorithm"), "key_algorithm without generation",
			"key_algorithm chooses the key the provider generates when public_key is omitted; with public_key set it has no effect. Remove one of them.")
	}
}

// ConfigValidators: a keypair is named by `name` or by `name_prefix`.
func (r *keypairResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{resourcevalidator.ExactlyOneOf(path.MatchRoot("name"), path.MatchRoot("name_prefix"))}
}

// checkPublicKey adds an error on attribute at when key, known and set, is
// not a public key of keyType. The error never shows the value (it may be
// a private key pasted by mistake).
func checkPublicKey(at path.Path, key, keyType types.String, diags *diag.Diagnostics) {
	if key.IsNull() || key.IsUnknown() || keyType.IsUnknown() {
		return
	}
	if err := keys.CheckPublicKey(key.ValueString(), keyType.ValueString()); err != nil {
		what := "an OpenSSH public key"
		if keyType.ValueString() == keys.TypeX509 {
			what = "a PEM X.509 certificate (type = \"x509\")"
		}
		diags.AddAttributeError(at, "Invalid public key", fmt.Sprintf("%s must be %s, but %s.", at, what, err))
	}
}

// ModifyPlan checks, once the provider knows the cloud, what the cloud's
// compute API must support, so that an unsupported feature fails the plan
// rather than the apply; and plans the replacement of a generated keypair
// whose key was replaced outside Terraform.
func (r *keypairResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil {
		return
	}
	plan := keypairModelOf(req.Plan.Raw, &resp.Diagnostics)
	cfg := keypairModelOf(req.Config.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if !req.State.Raw.IsNull() {
		state := keypairModelOf(req.State.Raw, &resp.Diagnostics)
		// A generated key's keypair now given a key in public_key_wo:
		// Terraform sees no change of public_key (computed), but the key is
		// no longer the provider's to make.
		replaced := generatedKeyReplaced(state) || (!cfg.PublicKeyWO.IsNull() && !state.PrivateKey.IsNull() && state.PrivateKey.ValueString() != "")
		if replaced {
			plan.PublicKey = types.StringUnknown()
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("public_key"), plan.PublicKey)...)
			resp.RequiresReplace = append(resp.RequiresReplace, path.Root("public_key"))
		}
		if !replaced && !replacing(plan, state) {
			return // an update of timeouts, or nothing: no request
		}
	}

	// A create (or the create of a replacement): authenticate now, so that
	// wrong credentials or a missing endpoint fail the plan, and check
	// what the create needs of the compute API.
	if cfg.Region.IsUnknown() {
		return // known at apply; checked then
	}
	region, ok := regionOr(ctx, r.client, plan.Region, &resp.Diagnostics)
	if !ok {
		return
	}
	opts := createOpts(plan)
	var epErr *nova.EndpointError
	if err := r.client.Require(ctx, region); errors.As(err, &epErr) {
		detail := endpointDetail(epErr)
		if cfg.Region.ValueString() != "" {
			detail = regionDetail(epErr)
		}
		resp.Diagnostics.AddAttributeError(path.Root("region"), "No compute endpoint", detail)
		return
	} else if err != nil {
		resp.Diagnostics.Append(clientDiagnostic(err, "Unable to reach the cloud", err.Error()))
		return
	}
	for _, f := range opts.Features() {
		err := r.client.Require(ctx, region, f)
		var mvErr *nova.MicroversionError
		switch {
		case errors.As(err, &mvErr) && f == nova.FeatureExtendedNames && plan.Name.IsUnknown():
			resp.Diagnostics.AddAttributeError(path.Root("name_prefix"), microversionSummary(mvErr), fmt.Sprintf("In region %q, %s.", region,
				microversionDetailFor(mvErr, fmt.Sprintf("the keypair name prefix %q (with `@` or `.`)", opts.Name))))
		case errors.As(err, &mvErr):
			resp.Diagnostics.AddAttributeError(path.Root(featureAttr[f]), microversionSummary(mvErr), fmt.Sprintf("In region %q, %s.", region, microversionDetail(mvErr, opts.Name)))
		case err != nil:
			resp.Diagnostics.Append(clientDiagnostic(err, "Unable to read the compute API version", err.Error()))
			return
		}
	}
}

// replacing reports whether plan replaces the keypair of state: an
// argument that forces replacement changed, or is not known yet.
func replacing(plan, state keypairResourceModel) bool {
	for _, p := range [][2]types.String{
		{plan.Name, state.Name}, {plan.PublicKey, state.PublicKey}, {plan.Type, state.Type},
		{plan.UserID, state.UserID}, {plan.KeyAlgorithm, state.KeyAlgorithm}, {plan.Region, state.Region},
	} {
		if !p[0].Equal(p[1]) {
			return true
		}
	}
	return !plan.PublicKeyWOVersion.Equal(state.PublicKeyWOVersion)
}

// createOpts is what Create sends for plan (before the key is known, and
// with name_prefix for a name not generated yet), and what ModifyPlan
// checks against the cloud's microversions: a generated name's suffix
// needs no microversion, so its prefix asks for what the name will.
func createOpts(plan keypairResourceModel) nova.CreateKeypairOpts {
	opts := nova.CreateKeypairOpts{Name: plan.Name.ValueString(), PublicKey: plan.PublicKey.ValueString()}
	if plan.Name.IsUnknown() || plan.Name.IsNull() {
		opts.Name = plan.NamePrefix.ValueString()
	}
	if !plan.UserID.IsUnknown() && !plan.UserID.IsNull() {
		opts.UserID = plan.UserID.ValueString()
	}
	if t := plan.Type.ValueString(); t != keys.TypeSSH {
		opts.Type = t // ssh is Nova's default: not sending it keeps 2.1 clouds working
	}
	return opts
}

// generatedKeyReplaced reports whether the keypair's key is no longer the
// public half of the private key the provider generated for it: someone
// replaced the keypair outside Terraform under the same name.
func generatedKeyReplaced(state keypairResourceModel) bool {
	if state.PrivateKey.IsNull() || state.PrivateKey.ValueString() == "" || state.PublicKey.IsNull() {
		return false
	}
	derived, err := keys.PublicKeyOf(state.PrivateKey.ValueString())
	if err != nil {
		return false
	}
	return !sameKeyMaterial(derived, state.PublicKey.ValueString())
}

// sameKeyMaterial compares two OpenSSH public key lines without comments.
func sameKeyMaterial(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	return len(fa) >= 2 && len(fb) >= 2 && fa[0] == fb[0] && fa[1] == fb[1]
}

func (r *keypairResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan := keypairModelOf(req.Plan.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet (it depends on values known only after apply), so it cannot create a keypair.")
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cfg := keypairModelOf(req.Config.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	opts := createOpts(plan)
	prefixed := plan.Name.IsUnknown() || plan.Name.IsNull()
	if prefixed {
		opts.Name = generateName(plan.NamePrefix.ValueString())
	}
	name, userID := opts.Name, opts.UserID
	region, ok := regionOr(ctx, r.client, plan.Region, &resp.Diagnostics)
	if !ok {
		return
	}

	publicKey := opts.PublicKey
	privateKey := types.StringNull()
	writeOnly := !cfg.PublicKeyWO.IsNull()
	if writeOnly {
		// Never in the plan or the state; sent trimmed (Nova cannot
		// fingerprint a key with leading whitespace). A public key, it is in
		// TRACE logs of request bodies, as public_key is.
		publicKey = strings.TrimSpace(cfg.PublicKeyWO.ValueString())
	}
	algorithm := algorithmOf(publicKey)
	if !writeOnly && (plan.PublicKey.IsNull() || plan.PublicKey.IsUnknown()) {
		alg := keys.RSA
		if !plan.KeyAlgorithm.IsNull() && !plan.KeyAlgorithm.IsUnknown() {
			alg = keys.Algorithm(plan.KeyAlgorithm.ValueString())
		}
		pair, err := keys.Generate(alg)
		if err != nil {
			resp.Diagnostics.AddError("Unable to generate a key pair", fmt.Sprintf("Generating a %s key pair for keypair %q failed: %s", alg, name, err))
			return
		}
		publicKey = pair.PublicKey
		privateKey = types.StringValue(pair.PrivateKeyPEM)
		algorithm = types.StringValue(string(alg))
	}

	opts.PublicKey = strings.TrimSpace(publicKey) // Nova cannot fingerprint a key with leading whitespace; the state keeps the configured value
	kp, err := r.client.CreateKeypair(ctx, region, opts)
	for try := 1; prefixed && nova.IsConflict(err) && ctx.Err() == nil && try < maxNameTries; try++ {
		// Another keypair took the generated name (made at the same
		// moment elsewhere with the same prefix): take the next one.
		opts.Name = generateName(plan.NamePrefix.ValueString())
		name = opts.Name
		kp, err = r.client.CreateKeypair(ctx, region, opts)
	}
	var unsettled *nova.UnsettledError
	if errors.As(err, &unsettled) {
		// Nova may hold the keypair: keep track of it. With the error,
		// Terraform records it as tainted, so the next apply replaces it
		// (a refresh drops it first if Nova does not hold it).
		kp = &nova.Keypair{Name: name, PublicKey: publicKey, Type: plan.Type.ValueString(), UserID: userID}
	} else if err != nil {
		resp.Diagnostics.Append(clientDiagnostic(err, fmt.Sprintf("Unable to create keypair %q", name), createErrorDetail(name, userID, region, err)))
		return
	}
	if unsettled != nil {
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to create keypair %q", name), createErrorDetail(name, userID, region, err))
	} else {
		tflog.Debug(ctx, "created keypair", map[string]any{"name": kp.Name, "region": region, "fingerprint": kp.Fingerprint})
	}

	state := plan
	state.ID = types.StringValue(keypairID(userID, kp.Name))
	state.Name = types.StringValue(kp.Name)
	state.PublicKey = types.StringValue(publicKey)
	if writeOnly {
		// Public material, but what Nova stores rather than the write-only
		// value itself.
		state.PublicKey = types.StringValue(cmp.Or(kp.PublicKey, strings.TrimSpace(publicKey)))
	}
	state.PublicKeyWO = types.StringNull()
	state.PrivateKey = privateKey
	state.KeyAlgorithm = algorithm
	state.Fingerprint = types.StringValue(kp.Fingerprint)
	if unsettled != nil {
		state.Fingerprint = types.StringNull() // not known: the next refresh reads it with a GET
	}
	state.Type = types.StringValue(cmp.Or(kp.Type, plan.Type.ValueString()))
	state.UserID = types.StringValue(cmp.Or(kp.UserID, userID))
	state.Region = types.StringValue(region)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
}

func (r *keypairResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state := keypairModelOf(req.State.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// The framework wants an identity after every Read, also one that
	// keeps the state or removes the keypair from it.
	setIdentity(ctx, resp.Identity, state, &resp.Diagnostics)
	if r.client == nil {
		resp.Diagnostics.AddWarning("Keypair not refreshed", "The nova provider's configuration is not known yet, so keypair "+state.ID.String()+" keeps its recorded state.")
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	userID, name := parseKeypairID(state.ID.ValueString())
	region, ok := regionOr(ctx, r.client, state.Region, &resp.Diagnostics)
	if !ok {
		return
	}
	if userID == "" && !state.UserID.IsNull() && state.UserID.ValueString() != "" {
		// A state whose ID names no user, but whose user_id is not the
		// caller's (moved from openstack_compute_keypair_v2, which records
		// every owner): it is that user's keypair.
		if err := r.client.Authenticate(ctx); err != nil {
			resp.Diagnostics.Append(clientDiagnostic(err, fmt.Sprintf("Unable to read keypair %q", name), err.Error()))
			return
		}
		if owner := state.UserID.ValueString(); owner != r.client.UserID() {
			userID = owner
			state.ID = types.StringValue(keypairID(userID, name))
		}
	}

	// A keypair just imported is read on its own: one GET. Every other
	// refresh reads the user's keypair list, once for every keypair of the
	// walk (nova.Client.FindKeypair).
	var kp *nova.Keypair
	var err error
	if state.Fingerprint.IsNull() {
		kp, err = r.client.GetKeypair(ctx, region, name, userID)
	} else {
		kp, err = r.client.FindKeypair(ctx, region, name, userID)
	}
	if nova.IsNotFound(err) {
		tflog.Info(ctx, "keypair is gone; removing it from state", map[string]any{"name": name, "region": region})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(clientDiagnostic(err, fmt.Sprintf("Unable to read keypair %q", name), fmt.Sprintf("Reading keypair %q%s in region %q failed: %s", name, ofUser(userID), region, errorText(err, name))))
		return
	}

	state.Name = types.StringValue(kp.Name)
	if state.PublicKey.IsNull() || !keys.SamePublicKey(state.PublicKey.ValueString(), kp.PublicKey) {
		state.PublicKey = types.StringValue(kp.PublicKey)
	}
	if state.KeyAlgorithm.IsNull() {
		state.KeyAlgorithm = algorithmOf(state.PublicKey.ValueString())
	}
	state.Fingerprint = types.StringValue(kp.Fingerprint)
	state.Type = types.StringValue(cmp.Or(kp.Type, keys.TypeSSH)) // 2.1 endpoints have only ssh
	// A list entry has no user_id: the one recorded stays, or else (state
	// moved without one) the caller's, whose list it is.
	state.UserID = types.StringValue(cmp.Or(kp.UserID, state.UserID.ValueString(), userID, r.client.UserID()))
	state.Region = types.StringValue(region)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state, &resp.Diagnostics) // also for a state written before identities
}

// Update only records new timeouts: every other argument forces
// replacement.
func (r *keypairResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan := keypairModelOf(req.Plan.Raw, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan, &resp.Diagnostics)
}

func (r *keypairResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := keypairModelOf(req.State.Raw, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.client == nil {
		resp.Diagnostics.AddError("Provider not configured", "The nova provider's configuration is not known yet, so it cannot delete a keypair.")
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	userID, name := parseKeypairID(state.ID.ValueString())
	region, ok := regionOr(ctx, r.client, state.Region, &resp.Diagnostics)
	if !ok {
		return
	}
	err := r.client.DeleteKeypair(ctx, region, name, userID)
	if nova.IsNotFound(err) {
		tflog.Info(ctx, "keypair was already gone", map[string]any{"name": name, "region": region})
		return
	}
	var stillHeld *nova.StillHeldError
	switch {
	case errors.As(err, &stillHeld):
		resp.Diagnostics.AddError(fmt.Sprintf("Unable to delete keypair %q", name), fmt.Sprintf("Deleting keypair %q%s in region %q: %s. It stays in the state; the next apply deletes it (or its refresh drops it if the delete lands after all).", name, ofUser(userID), region, err))
	case err != nil:
		resp.Diagnostics.Append(clientDiagnostic(err, fmt.Sprintf("Unable to delete keypair %q", name), fmt.Sprintf("Deleting keypair %q%s in region %q failed: %s", name, ofUser(userID), region, errorText(err, name))))
	}
}

// ImportState takes the import ID `name` for the caller's own keypair, or
// `user_id/name` for another user's (admins, microversion 2.10), in the
// provider's region; or, from Terraform and OpenTofu 1.12, an identity
// (name, and optionally user_id and region).
func (r *keypairResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsFullyNull() {
		r.importByIdentity(ctx, req, resp)
		return
	}
	userID, name := parseKeypairID(req.ID)
	if name == "" || strings.Contains(name, "/") || strings.HasPrefix(req.ID, "/") {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("The import ID %q is not a keypair name or user_id/name. Use the keypair's name for your own keypair, or USER_ID/NAME for another user's.", req.ID))
		return
	}
	if why := keypairNameProblem(name); why != "" {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("The import ID %q does not end in a keypair name: the name %q %s. Use the keypair's name for your own keypair, or USER_ID/NAME for another user's.", req.ID, name, why))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), keypairID(userID, name))...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	if userID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("user_id"), userID)...)
	}
}

// keypairID is the resource ID: the name, or user_id/name for a keypair
// managed for another user. Names cannot contain "/".
func keypairID(userID, name string) string {
	if userID == "" {
		return name
	}
	return userID + "/" + name
}

func parseKeypairID(id string) (userID, name string) {
	if u, n, ok := strings.Cut(id, "/"); ok {
		return u, n
	}
	return "", id
}

// algorithmOf is key_algorithm for a public key: null for keys the
// provider does not generate.
func algorithmOf(publicKey string) types.String {
	if alg := keys.AlgorithmOf(publicKey); alg != "" {
		return types.StringValue(string(alg))
	}
	return types.StringNull()
}

func ofUser(userID string) string {
	if userID == "" {
		return ""
	}
	return fmt.Sprintf(" of user %q", userID)
}

// createdAt turns Nova's "2026-11-22T19:20:58.707318" (UTC, no zone) into
// RFC 3339.
func createdAt(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999", time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return types.StringValue(t.UTC().Format(time.RFC3339Nano))
		}
	}
	return types.StringValue(s)
}

// createErrorDetail says what a failed create means and what to do next.
func createErrorDetail(name, userID, region string, err error) string {
	var mvErr *nova.MicroversionError
	var unsettled *nova.UnsettledError
	switch {
	case errors.As(err, &mvErr):
		return fmt.Sprintf("In region %q, %s.", region, microversionDetail(mvErr, name))
	case errors.As(err, &unsettled):
		id := keypairID(userID, name)
		return fmt.Sprintf("Whether Nova made keypair %q%s in region %q could not be read back: %s. "+
			"It is kept in the state as tainted, so that it is not lost track of: the next apply replaces it (import ID %q), "+
			"or drops it from the state if Nova does not hold it.",
			name, ofUser(userID), region, err, id)
	case nova.IsConflict(err):
		id := keypairID(userID, name)
		return fmt.Sprintf("A keypair named %q already exists for %s in region %q; keypair names are unique per user. "+
			"Choose another name, or adopt the existing keypair with an import block (below). "+
			"If this is a replacement with create_before_destroy, the old keypair still holds the name: use name_prefix instead of name, so that each replacement gets a name of its own.\n\n"+
			"import {\n  to = nova_keypair.<resource name>\n  id = %q\n}\n\n"+
			"or: terraform import nova_keypair.<resource name> %s\n\nNova said: %s",
			name, userDescription(userID), region, id, id, nova.APIMessage(err))
	case nova.IsOverQuota(err):
		return fmt.Sprintf("The per-user keypair quota is reached: %s already has as many keypairs as the cloud allows in region %q. "+
			"Delete keypairs it no longer needs, or ask the cloud's administrators to raise its key_pairs quota.\n\nNova said: %s",
			userDescription(userID), region, nova.APIMessage(err))
	case nova.IsForbidden(err) && userID != "":
		return fmt.Sprintf("Nova's policy does not let the authenticated user manage keypairs of user %q: managing another user's keypairs (user_id) needs an admin. "+
			"Remove user_id to manage your own keypair, or authenticate as an admin or as that user.\n\nNova said: %s", userID, nova.APIMessage(err))
	}
	return fmt.Sprintf("Creating keypair %q%s in region %q failed: %s", name, ofUser(userID), region, errorText(err, name))
}

func userDescription(userID string) string {
	if userID == "" {
		return "the authenticated user"
	}
	return fmt.Sprintf("user %q", userID)
}
