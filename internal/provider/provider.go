// Package provider is the Terraform-facing half of terraform-provider-nova:
// the provider, its resources, data sources and functions. Every call to
// OpenStack goes through internal/nova.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var (
	_ provider.Provider              = &novaProvider{}
	_ provider.ProviderWithFunctions = &novaProvider{}
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

func (p *novaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := func(desc string, env ...string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, MarkdownDescription: desc + envNote(env)}
	}
	secret := func(desc string, env ...string) schema.StringAttribute {
		a := str(desc, env...)
		a.Sensitive = true
		return a
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages OpenStack Nova keypairs (the compute `os-keypairs` API). " +
			"Each setting left out of the provider block is taken from the cloud named by `cloud` " +
			"(or `OS_CLOUD`) in clouds.yaml, and then from its usual `OS_*` environment variable: " +
			"explicit setting > clouds.yaml > environment. The provider reads the compute endpoint's " +
			"microversion range once and uses, per request, the lowest microversion that carries what the request needs.",
		Attributes: map[string]schema.Attribute{
			"auth_url": str("Keystone's identity endpoint, e.g. `https://keystone.example.com:5000/v3`.", "OS_AUTH_URL"),
			"cloud": str("Name of a cloud in clouds.yaml (found through `OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`, "+
				"`~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`; `secure.yaml` beside it is merged).", "OS_CLOUD"),
			"region":                        str("Region whose compute endpoint is used when a resource names none. When unset anywhere, the region of the first compute endpoint in the catalog.", "OS_REGION_NAME"),
			"user_name":                     str("User to authenticate as, by name.", "OS_USERNAME"),
			"user_id":                       str("User to authenticate as, by ID.", "OS_USER_ID"),
			"password":                      secret("The user's password.", "OS_PASSWORD"),
			"tenant_name":                   str("Project (tenant) to scope the token to, by name.", "OS_PROJECT_NAME", "OS_TENANT_NAME"),
			"tenant_id":                     str("Project (tenant) to scope the token to, by ID.", "OS_PROJECT_ID", "OS_TENANT_ID"),
			"user_domain_name":              str("Domain of the user, by name.", "OS_USER_DOMAIN_NAME"),
			"user_domain_id":                str("Domain of the user, by ID.", "OS_USER_DOMAIN_ID"),
			"project_domain_name":           str("Domain of the project, by name.", "OS_PROJECT_DOMAIN_NAME"),
			"project_domain_id":             str("Domain of the project, by ID.", "OS_PROJECT_DOMAIN_ID"),
			"domain_name":                   str("Domain to scope the token to when no project is given; also the user's and project's domain when those are not given.", "OS_DOMAIN_NAME"),
			"domain_id":                     str("Domain to scope the token to (by ID) when no project is given; also the user's and project's domain when those are not given.", "OS_DOMAIN_ID"),
			"default_domain":                str("Domain ID of the user and project when no domain is named anywhere. Defaults to `default`.", "OS_DEFAULT_DOMAIN"),
			"token":                         secret("An existing Keystone token to use instead of a password. It cannot be renewed when it expires.", "OS_TOKEN", "OS_AUTH_TOKEN"),
			"application_credential_id":     str("Application credential to authenticate with, by ID.", "OS_APPLICATION_CREDENTIAL_ID"),
			"application_credential_name":   str("Application credential to authenticate with, by name (with `user_name` or `user_id`).", "OS_APPLICATION_CREDENTIAL_NAME"),
			"application_credential_secret": secret("The application credential's secret.", "OS_APPLICATION_CREDENTIAL_SECRET"),
			"system_scope": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Scope the token to the system (`all`) instead of a project." + envNote([]string{"OS_SYSTEM_SCOPE"}),
			},
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip verification of the TLS certificates of Keystone and Nova. Prefer `cacert_file`." + envNote([]string{"OS_INSECURE"}),
			},
			"cacert_file": str("PEM file of the CA certificates that sign Keystone's and Nova's TLS certificates.", "OS_CACERT"),
			"cert":        str("PEM file of a TLS client certificate.", "OS_CERT"),
			"key":         str("PEM file of the TLS client certificate's private key.", "OS_KEY"),
			"endpoint_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Which catalog endpoint of the compute service to use: " + quoted(endpointTypes) + ". Defaults to `public`." + envNote([]string{"OS_INTERFACE", "OS_ENDPOINT_TYPE"}),
				Validators:          []validator.String{stringvalidator.OneOf(endpointTypes...)},
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
				MarkdownDescription: "Authenticate again when the token expires during a run. Defaults to `true`.",
			},
			"max_microversion": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Highest compute API microversion the provider may use, e.g. `2.60`, for clouds with a broken newer microversion. " +
					"A feature that needs more is refused before any request." + envNote([]string{"OS_COMPUTE_API_VERSION"}),
				Validators: []validator.String{stringvalidator.RegexMatches(regexp.MustCompile(`^2\.\d+$`), "must be a compute microversion like 2.60")},
			},
		},
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

type providerModel struct {
	AuthURL                     types.String `tfsdk:"auth_url"`
	Cloud                       types.String `tfsdk:"cloud"`
	Region                      types.String `tfsdk:"region"`
	UserName                    types.String `tfsdk:"user_name"`
	UserID                      types.String `tfsdk:"user_id"`
	Password                    types.String `tfsdk:"password"`
	TenantName                  types.String `tfsdk:"tenant_name"`
	TenantID                    types.String `tfsdk:"tenant_id"`
	UserDomainName              types.String `tfsdk:"user_domain_name"`
	UserDomainID                types.String `tfsdk:"user_domain_id"`
	ProjectDomainName           types.String `tfsdk:"project_domain_name"`
	ProjectDomainID             types.String `tfsdk:"project_domain_id"`
	DomainName                  types.String `tfsdk:"domain_name"`
	DomainID                    types.String `tfsdk:"domain_id"`
	DefaultDomain               types.String `tfsdk:"default_domain"`
	Token                       types.String `tfsdk:"token"`
	ApplicationCredentialID     types.String `tfsdk:"application_credential_id"`
	ApplicationCredentialName   types.String `tfsdk:"application_credential_name"`
	ApplicationCredentialSecret types.String `tfsdk:"application_credential_secret"`
	SystemScope                 types.Bool   `tfsdk:"system_scope"`
	Insecure                    types.Bool   `tfsdk:"insecure"`
	CACertFile                  types.String `tfsdk:"cacert_file"`
	Cert                        types.String `tfsdk:"cert"`
	Key                         types.String `tfsdk:"key"`
	EndpointType                types.String `tfsdk:"endpoint_type"`
	EndpointOverrides           types.Map    `tfsdk:"endpoint_overrides"`
	MaxRetries                  types.Int64  `tfsdk:"max_retries"`
	AllowReauth                 types.Bool   `tfsdk:"allow_reauth"`
	MaxMicroversion             types.String `tfsdk:"max_microversion"`
}

func (p *novaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var data providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A setting that comes from another resource is unknown during plan.
	// Authenticate only once every setting is known; resources then say
	// what they cannot do yet.
	if !req.ClientCapabilities.DeferralAllowed && anyUnknown(data) {
		tflog.Debug(ctx, "provider configuration not yet known; not authenticating")
		return
	}
	if anyUnknown(data) {
		resp.Deferred = &provider.Deferred{Reason: provider.DeferredReasonProviderConfigUnknown}
		return
	}

	overrides := map[string]string{}
	resp.Diagnostics.Append(data.EndpointOverrides.ElementsAs(ctx, &overrides, false)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := nova.Config{
		AuthURL:                     data.AuthURL.ValueString(),
		Cloud:                       data.Cloud.ValueString(),
		Region:                      data.Region.ValueString(),
		UserName:                    data.UserName.ValueString(),
		UserID:                      data.UserID.ValueString(),
		Password:                    data.Password.ValueString(),
		ProjectName:                 data.TenantName.ValueString(),
		ProjectID:                   data.TenantID.ValueString(),
		UserDomainName:              data.UserDomainName.ValueString(),
		UserDomainID:                data.UserDomainID.ValueString(),
		ProjectDomainName:           data.ProjectDomainName.ValueString(),
		ProjectDomainID:             data.ProjectDomainID.ValueString(),
		DomainName:                  data.DomainName.ValueString(),
		DomainID:                    data.DomainID.ValueString(),
		DefaultDomain:               data.DefaultDomain.ValueString(),
		Token:                       data.Token.ValueString(),
		ApplicationCredentialID:     data.ApplicationCredentialID.ValueString(),
		ApplicationCredentialName:   data.ApplicationCredentialName.ValueString(),
		ApplicationCredentialSecret: data.ApplicationCredentialSecret.ValueString(),
		SystemScope:                 data.SystemScope.ValueBoolPointer(),
		Insecure:                    data.Insecure.ValueBoolPointer(),
		CACertFile:                  data.CACertFile.ValueString(),
		ClientCertFile:              data.Cert.ValueString(),
		ClientKeyFile:               data.Key.ValueString(),
		EndpointType:                data.EndpointType.ValueString(),
		EndpointOverrides:           overrides,
		AllowReauth:                 data.AllowReauth.ValueBoolPointer(),
		MaxMicroversion:             coalesce(data.MaxMicroversion.ValueString(), os.Getenv("OS_COMPUTE_API_VERSION")),
		UserAgent:                   "terraform-provider-nova/" + p.version,
	}
	if !data.MaxRetries.IsNull() {
		n := int(data.MaxRetries.ValueInt64())
		cfg.MaxRetries = &n
	}

	client, err := nova.NewClient(ctx, cfg)
	if err != nil {
		var cfgErr *nova.ConfigError
		var authErr *nova.AuthError
		var epErr *nova.EndpointError
		switch {
		case errors.As(err, &cfgErr) && len(cfgErr.Missing) > 0:
			resp.Diagnostics.AddError("Incomplete provider configuration",
				"The nova provider cannot authenticate: set "+joinAnd(cfgErr.Missing)+" in the provider block, in the clouds.yaml cloud it names, or in the environment.")
		case errors.As(err, &cfgErr):
			resp.Diagnostics.AddError("Invalid provider configuration", cfgErr.Error())
		case errors.As(err, &authErr):
			resp.Diagnostics.AddError("Unable to authenticate with OpenStack", "The nova provider could not get a token: "+err.Error())
		case errors.As(err, &epErr):
			resp.Diagnostics.AddError("No compute endpoint", "The nova provider authenticated, but "+err.Error()+".")
		default:
			resp.Diagnostics.AddError("Unable to configure the nova provider", err.Error())
		}
		return
	}
	tflog.Debug(ctx, "authenticated", map[string]any{"region": client.Region()})

	resp.ResourceData = client
	resp.DataSourceData = client
}

func anyUnknown(data providerModel) bool {
	for _, v := range []attr.Value{
		data.AuthURL, data.Cloud, data.Region, data.UserName, data.UserID, data.Password, data.TenantName, data.TenantID,
		data.UserDomainName, data.UserDomainID, data.ProjectDomainName, data.ProjectDomainID, data.DomainName, data.DomainID,
		data.DefaultDomain, data.Token, data.ApplicationCredentialID, data.ApplicationCredentialName, data.ApplicationCredentialSecret,
		data.SystemScope, data.Insecure, data.CACertFile, data.Cert, data.Key, data.EndpointType, data.EndpointOverrides,
		data.MaxRetries, data.AllowReauth, data.MaxMicroversion,
	} {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

func coalesce(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
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

func (p *novaProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewFingerprintFunction,
	}
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	out := ""
	for i, s := range items {
		switch {
		case i == 0:
		case i == len(items)-1:
			out += " and "
		default:
			out += ", "
		}
		out += s
	}
	return out
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
