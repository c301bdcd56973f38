// Package provider is the Terraform-facing half of terraform-provider-nova:
// the provider, its resources, data sources and functions. Every call to
// OpenStack goes through internal/nova.
package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

var _ provider.Provider = &novaProvider{}

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
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages OpenStack Nova keypairs (the compute `os-keypairs` API). " +
			"Each setting left out of the provider block is taken from the cloud named by `cloud` " +
			"(or `OS_CLOUD`) in clouds.yaml, and then from its usual `OS_*` environment variable: " +
			"explicit setting > clouds.yaml > environment.",
		Attributes: map[string]schema.Attribute{
			"auth_url": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Keystone's identity endpoint, e.g. `https://keystone.example.com:5000/v3`. Environment: `OS_AUTH_URL`.",
			},
			"cloud": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of a cloud in clouds.yaml (found through `OS_CLIENT_CONFIG_FILE`, then `./clouds.yaml`, " +
					"`~/.config/openstack/clouds.yaml`, `/etc/openstack/clouds.yaml`; `secure.yaml` beside it is merged). Environment: `OS_CLOUD`.",
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Region whose compute endpoint is used when a resource names none. When unset anywhere, the region of the first compute endpoint in the catalog. Environment: `OS_REGION_NAME`.",
			},
			"user_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "User to authenticate as. Environment: `OS_USERNAME`.",
			},
			"password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "The user's password. Environment: `OS_PASSWORD`.",
			},
			"tenant_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Project (tenant) to scope the token to. Environment: `OS_PROJECT_NAME`, then `OS_TENANT_NAME`.",
			},
			"user_domain_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Domain of the user. Environment: `OS_USER_DOMAIN_NAME`. The `default` domain when unset anywhere.",
			},
			"project_domain_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Domain of the project. Environment: `OS_PROJECT_DOMAIN_NAME`. The `default` domain when unset anywhere.",
			},
		},
	}
}

type providerModel struct {
	AuthURL           types.String `tfsdk:"auth_url"`
	Cloud             types.String `tfsdk:"cloud"`
	Region            types.String `tfsdk:"region"`
	UserName          types.String `tfsdk:"user_name"`
	Password          types.String `tfsdk:"password"`
	TenantName        types.String `tfsdk:"tenant_name"`
	UserDomainName    types.String `tfsdk:"user_domain_name"`
	ProjectDomainName types.String `tfsdk:"project_domain_name"`
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
	for _, v := range []types.String{data.AuthURL, data.Cloud, data.Region, data.UserName, data.Password, data.TenantName, data.UserDomainName, data.ProjectDomainName} {
		if v.IsUnknown() {
			tflog.Debug(ctx, "provider configuration not yet known; not authenticating")
			return
		}
	}

	cfg := nova.Config{
		AuthURL:           data.AuthURL.ValueString(),
		Cloud:             data.Cloud.ValueString(),
		Region:            data.Region.ValueString(),
		UserName:          data.UserName.ValueString(),
		Password:          data.Password.ValueString(),
		ProjectName:       data.TenantName.ValueString(),
		UserDomainName:    data.UserDomainName.ValueString(),
		ProjectDomainName: data.ProjectDomainName.ValueString(),
		UserAgent:         "terraform-provider-nova/" + p.version,
	}

	client, err := nova.NewClient(ctx, cfg)
	if err != nil {
		var cfgErr *nova.ConfigError
		var authErr *nova.AuthError
		switch {
		case errors.As(err, &cfgErr):
			resp.Diagnostics.AddError("Incomplete provider configuration",
				"The nova provider cannot authenticate: set "+joinAnd(cfgErr.Missing)+" in the provider block, in the clouds.yaml cloud it names, or in the environment.")
		case errors.As(err, &authErr):
			resp.Diagnostics.AddError("Unable to authenticate with OpenStack", "The nova provider could not get a token: "+err.Error())
		default:
			resp.Diagnostics.AddError("Unable to configure the nova provider", err.Error())
		}
		return
	}
	tflog.Debug(ctx, "authenticated", map[string]any{"region": client.Region()})

	resp.ResourceData = client
	resp.DataSourceData = client
}

func (p *novaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewKeypairResource,
	}
}

func (p *novaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
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
