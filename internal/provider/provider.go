// Package provider is the Terraform-facing half of terraform-provider-nova:
// the provider, its resources, data sources and functions. Every call to
// OpenStack goes through internal/nova.
package provider

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ provider.Provider                  = &novaProvider{}
	_ provider.ProviderWithFunctions     = &novaProvider{}
	_ provider.ProviderWithListResources = &novaProvider{}
)

// New returns a constructor for the provider at the given version, as
// providerserver.Serve and the acceptance tests want it.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &novaProvider{version: version}
	}
}

type novaProvider struct {
	version string
}

func (p *novaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "nova"
	resp.Version = p.version
}

// connectionSetting is a provider argument that gives one of internal/nova's
// connection settings: the one place that maps the two. Its environment
// variables and clouds.yaml key come from nova, where they are resolved.
type connectionSetting struct {
	attr    string
	setting nova.Setting
	desc    string
	// secret marks a sensitive argument.
	secret     bool
	validators []validator.String
}

var connectionSettings = []connectionSetting{
	{attr: "auth_url", setting: nova.AuthURL, desc: "Keystone's identity endpoint, e.g. `https://keystone.example.com:5000/v3`."},
	{attr: "region", setting: nova.Region, desc: "Region whose compute endpoint is used when a resource names none. When unset anywhere, the region of the first compute endpoint in the catalog."},
	{attr: "user_name", setting: nova.UserName, desc: "User to authenticate as, by name."},
	{attr: "user_id", setting: nova.UserID, desc: "User to authenticate as, by ID."},
	{attr: "password", setting: nova.Password, desc: "The user's password.", secret: true},
	{attr: "tenant_name", setting: nova.ProjectName, desc: "Project (tenant) to scope the token to, by name."},
	{attr: "tenant_id", setting: nova.ProjectID, desc: "Project (tenant) to scope the token to, by ID."},
	{attr: "user_domain_name", setting: nova.UserDomainName, desc: "Domain of the user, by name."},
	{attr: "user_domain_id", setting: nova.UserDomainID, desc: "Domain of the user, by ID."},
	{attr: "project_domain_name", setting: nova.ProjectDomainName, desc: "Domain of the project, by name."},
	{attr: "project_domain_id", setting: nova.ProjectDomainID, desc: "Domain of the project, by ID."},
	{attr: "domain_name", setting: nova.DomainName, desc: "Domain to scope the token to when no project is given; also the user's and project's domain when those are not given."},
	{attr: "domain_id", setting: nova.DomainID, desc: "Domain to scope the token to (by ID) when no project is given; also the user's and project's domain when those are not given."},
	{attr: "default_domain", setting: nova.DefaultDomain, desc: "Domain ID of the user and project when no domain is named anywhere. Defaults to `default`."},
	{attr: "token", setting: nova.Token, desc: "An existing Keystone token to use instead of a password. With `auth_url` alone (no project or domain), the token is used as it is, with its own scope and catalog; with a project or domain, it is exchanged for a token of that scope. It is never renewed (`allow_reauth` does not apply): a run that outlives it fails.", secret: true},
	{attr: "application_credential_id", setting: nova.ApplicationCredentialID, desc: "Application credential to authenticate with, by ID."},
	{attr: "application_credential_name", setting: nova.ApplicationCredentialName, desc: "Application credential to authenticate with, by name (with `user_name` or `user_id`)."},
	{attr: "application_credential_secret", setting: nova.ApplicationCredentialSecret, desc: "The application credential's secret.", secret: true},
	{attr: "system_scope", setting: nova.SystemScope, desc: "Scope the token to the system (`all`) instead of a project."},
	{attr: "insecure", setting: nova.Insecure, desc: "Skip verification of the TLS certificates of Keystone and Nova. Prefer `cacert_file`; the provider warns while verification is off. In clouds.yaml it is the opposite, `verify: false`."},
	{attr: "cacert_file", setting: nova.CACertFile, desc: "PEM file of the CA certificates that sign Keystone's and Nova's TLS certificates."},
	{attr: "cert", setting: nova.ClientCertFile, desc: "PEM file of a TLS client certificate."},
	{attr: "key", setting: nova.ClientKeyFile, desc: "PEM file of the TLS client certificate's private key."},
	{
		attr: "endpoint_type", setting: nova.EndpointType,
		desc:       "Which catalog endpoint of the compute service to use: " + quoted(endpointTypes) + ". Defaults to `public`.",
		validators: []validator.String{stringvalidator.OneOfCaseInsensitive(endpointTypes...)},
	},
	{
		attr: "max_microversion", setting: nova.MaxMicroversion,
		desc: "Highest compute API microversion the provider may use, e.g. `2.60`, for clouds with a broken newer microversion. " +
			"A feature that needs more is refused before any request. `2` and `2.0` (the major version alone), `latest` and `2.latest` mean no cap. " +
			"Unlike the openstack CLI, which sends `OS_COMPUTE_API_VERSION` as the version to use, the provider reads it as this cap and still chooses, per request, the lowest microversion that carries what the request needs.",
		validators: []validator.String{stringvalidator.RegexMatches(nova.MaxMicroversionSyntax, "must be a compute microversion like 2.60, or 2, latest or 2.latest (no cap)")},
	},
}

// attrOf is the provider argument that gives setting s.
func attrOf(s nova.Setting) string {
	for _, cs := range connectionSettings {
		if cs.setting == s {
			return cs.attr
		}
	}
	return s.String()
}

func (p *novaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"cloud": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Name of a cloud in clouds.yaml (found through `OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`, " +
				"`~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`; `secure.yaml` beside it and the cloud's `profile` in `clouds-public.yaml` are merged)." +
				envNote([]string{"OS_CLOUD"}),
		},
		"endpoint_overrides": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true,
			MarkdownDescription: "Endpoints to use instead of the catalog's, by service type. `compute` is used for every Nova request, e.g. " +
				"`{ compute = \"https://nova.example.com/v2.1\" }`. `%(project_id)s`, `$(project_id)s` and `{project_id}` are replaced with the token's project ID, " +
				"so legacy `/v2/%(project_id)s` and `/v1.1/%(project_id)s` endpoints work (as microversion 2.1).",
			Validators: []validator.Map{mapvalidator.KeysAre(stringvalidator.OneOf("compute"))},
		},
		"max_retries": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: fmt.Sprintf("How often one API request is retried after a connection error, a timeout, a 429 or a 5xx (default %d). ", nova.DefaultMaxRetries) +
				"429 and 503 wait for `Retry-After`; others back off exponentially with jitter. A keypair create whose answer is lost is resolved by reading the keypair back, never by creating it twice. `0` turns retries off.",
			Validators: []validator.Int64{int64validator.Between(0, 100)},
		},
		"allow_reauth": schema.BoolAttribute{
			Optional:            true,
			MarkdownDescription: "Authenticate again when the token expires during a run. Defaults to `true`; never with a `token` alone, which cannot be renewed.",
		},
	}
	for _, cs := range connectionSettings {
		desc := cs.desc + envNote(cs.setting.EnvVars()) + " clouds.yaml: `" + cs.setting.String() + "`."
		if cs.setting.Boolean() {
			attrs[cs.attr] = schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
			continue
		}
		attrs[cs.attr] = schema.StringAttribute{Optional: true, Sensitive: cs.secret, MarkdownDescription: desc, Validators: cs.validators}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages OpenStack Nova keypairs (the compute `os-keypairs` API). " +
			"Each setting left out of the provider block is taken from the cloud named by `cloud` " +
			"(or `OS_CLOUD`) in clouds.yaml, and then from its usual `OS_*` environment variable: " +
			"explicit setting > clouds.yaml > environment, for every setting (the openstack CLI differs: there `OS_*` variables override clouds.yaml). " +
			"The provider reads the compute endpoint's microversion range once and uses, per request, the lowest microversion that carries what the request needs.",
		Attributes: attrs,
	}
}

var endpointTypes = []string{"public", "internal", "admin", "publicURL", "internalURL", "adminURL"}

func envNote(env []string) string {
	if len(env) == 0 {
		return ""
	}
	return " Environment: " + quoted(env) + "."
}

func quoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = "`" + s + "`"
	}
	return strings.Join(q, ", ")
}

func (p *novaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	// A setting that comes from another resource is unknown during plan.
	// Authenticate only once every setting is known; resources then say
	// what they cannot do yet.
	if !req.Config.Raw.IsFullyKnown() {
		if req.ClientCapabilities.DeferralAllowed {
			resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
			return
		}
		tflog.Debug(ctx, "provider configuration not yet known; not authenticating")
		return
	}
	cfg, diags := p.novaConfig(ctx, req.Config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	// No request yet: the client authenticates when a resource first needs
	// the cloud (a plan that creates keypairs does, so that wrong
	// credentials fail the plan), and a walk that needs nothing sends
	// nothing.
	client, err := nova.New(cfg)
	if err != nil {
		resp.Diagnostics.Append(configureDiagnostic(err))
		return
	}
	if client.Insecure() {
		resp.Diagnostics.AddAttributeWarning(path.Root("insecure"), "TLS verification is off",
			"insecure = true (or OS_INSECURE, or verify: false in clouds.yaml) makes the provider accept any certificate from Keystone and Nova, "+
				"so a machine in the middle could read the password or token. Set cacert_file to the CA that signs them instead.")
	}
	tflog.Debug(ctx, "configured; authenticating on first need")

	resp.ResourceData = client
	resp.DataSourceData = client
	resp.ListResourceData = client
}

// novaConfig maps the provider block to internal/nova's Config: every
// connection setting through the connectionSettings table.
func (p *novaProvider) novaConfig(ctx context.Context, config tfsdk.Config) (nova.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	// The arguments that are not connection settings of internal/nova.
	var cloud types.String
	var overrides types.Map
	var maxRetries types.Int64
	var allowReauth types.Bool
	for attr, target := range map[string]any{"cloud": &cloud, "endpoint_overrides": &overrides, "max_retries": &maxRetries, "allow_reauth": &allowReauth} {
		diags.Append(config.GetAttribute(ctx, path.Root(attr), target)...)
	}
	if diags.HasError() {
		return nova.Config{}, diags
	}
	cfg := nova.Config{
		Cloud:             cloud.ValueString(),
		AllowReauth:       allowReauth.ValueBoolPointer(),
		EndpointOverrides: map[string]string{},
		UserAgent:         "terraform-provider-nova/" + p.version,
	}
	diags.Append(overrides.ElementsAs(ctx, &cfg.EndpointOverrides, false)...)
	if !maxRetries.IsNull() {
		n := int(maxRetries.ValueInt64())
		cfg.MaxRetries = &n
	}
	for _, cs := range connectionSettings {
		var value string
		if cs.setting.Boolean() {
			var b types.Bool
			diags.Append(config.GetAttribute(ctx, path.Root(cs.attr), &b)...)
			if !b.IsNull() {
				value = strconv.FormatBool(b.ValueBool())
			}
		} else {
			var s types.String
			diags.Append(config.GetAttribute(ctx, path.Root(cs.attr), &s)...)
			value = s.ValueString()
		}
		if err := cfg.Set(cs.setting, value); err != nil {
			diags.AddAttributeError(path.Root(cs.attr), "Invalid provider configuration", err.Error())
		}
	}
	return cfg, diags
}

func (p *novaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewKeypairResource,
	}
}

func (p *novaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewKeypairDataSource,
		NewKeypairsDataSource,
	}
}

// ListResources are the list resources of `terraform query` (Terraform
// 1.14+).
func (p *novaProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewKeypairListResource,
	}
}

func (p *novaProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewFingerprintFunction,
	}
}

// regionOr is the region of a resource or data source: v when set, else
// the provider's (which may authenticate, to read the catalog). ok is
// false, with the reason in diags, when it cannot be known.
func regionOr(ctx context.Context, client *nova.Client, v types.String, diags *diag.Diagnostics) (region string, ok bool) {
	if r := v.ValueString(); r != "" {
		return r, true
	}
	region, err := client.Region(ctx)
	if err != nil {
		diags.Append(clientDiagnostic(err, "Unable to find the default region", err.Error()))
		return "", false
	}
	return region, true
}

// clientFrom is the Configure of every resource and data source: the
// provider's shared Nova client, or nil while the provider is not
// configured yet.
func clientFrom(providerData any, diags *diag.Diagnostics) *nova.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(*nova.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected *nova.Client, got %T. Please report this issue to the provider developers.", providerData))
	}
	return client
}
