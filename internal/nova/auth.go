package nova

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// Config holds the settings the user gave explicitly (in the provider
// block). Anything left empty is taken from clouds.yaml when a cloud is
// selected, and then from the usual OS_* environment variables:
// explicit setting > clouds.yaml > environment.
type Config struct {
	Cloud             string
	AuthURL           string
	Region            string
	UserName          string
	Password          string
	ProjectName       string
	UserDomainName    string
	ProjectDomainName string

	// UserAgent is prepended to gophercloud's User-Agent.
	UserAgent string

	// Getenv reads the environment; nil means os.Getenv. Tests replace it.
	Getenv func(string) string
}

// resolved is a Config after clouds.yaml and the environment have filled
// its gaps: what the client authenticates with.
type resolved struct {
	authOptions  gophercloud.AuthOptions
	endpointOpts gophercloud.EndpointOpts
	tlsConfig    *tls.Config
	cloud        string
}

// defaultDomainID is the domain used for the user and the project when
// none is named anywhere, as the openstack CLI and Keystone's bootstrap do.
const defaultDomainID = "default"

func (c Config) getenv(names ...string) string {
	get := c.Getenv
	if get == nil {
		get = os.Getenv
	}
	for _, n := range names {
		if v := get(n); v != "" {
			return v
		}
	}
	return ""
}

func coalesce(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// resolve applies clouds.yaml and the environment to c.
func (c Config) resolve() (resolved, error) {
	var r resolved
	r.cloud = coalesce(c.Cloud, c.getenv("OS_CLOUD"))

	ao := gophercloud.AuthOptions{AllowReauth: true}
	eo := gophercloud.EndpointOpts{}

	if r.cloud != "" {
		opts := []clouds.ParseOption{
			clouds.WithCloudName(r.cloud),
			// Always pass the explicit region, even empty, so that
			// clouds.yaml wins over OS_REGION_NAME.
			clouds.WithRegion(c.Region),
			clouds.WithEndpointType(c.getenv("OS_INTERFACE")),
		}
		if f := c.getenv("OS_CLIENT_CONFIG_FILE"); f != "" {
			opts = append(opts, clouds.WithLocations(f))
		}
		if c.AuthURL != "" {
			opts = append(opts, clouds.WithIdentityEndpoint(c.AuthURL))
		}
		if c.UserName != "" {
			opts = append(opts, clouds.WithUsername(c.UserName))
		}
		if c.Password != "" {
			opts = append(opts, clouds.WithPassword(c.Password))
		}
		if c.ProjectName != "" {
			opts = append(opts, clouds.WithProjectName(c.ProjectName))
		}
		cao, ceo, tlsConfig, err := clouds.Parse(opts...)
		if err != nil {
			return r, fmt.Errorf("reading cloud %q from clouds.yaml (set by `cloud` or OS_CLOUD): %w", r.cloud, err)
		}
		ao = cao
		ao.AllowReauth = true
		eo = ceo
		r.tlsConfig = tlsConfig
		if c.UserDomainName != "" {
			ao.DomainName, ao.DomainID = c.UserDomainName, ""
		}
		if c.ProjectDomainName != "" && ao.Scope != nil && ao.Scope.ProjectName != "" {
			ao.Scope.DomainName, ao.Scope.DomainID = c.ProjectDomainName, ""
		}
	} else {
		ao.Username = c.UserName
		ao.DomainName = c.UserDomainName
		if c.ProjectName != "" {
			ao.Scope = &gophercloud.AuthScope{ProjectName: c.ProjectName, DomainName: c.ProjectDomainName}
		}
	}

	// The environment fills what is still missing.
	ao.IdentityEndpoint = coalesce(ao.IdentityEndpoint, c.getenv("OS_AUTH_URL"))
	if ao.Username == "" && ao.UserID == "" && ao.TokenID == "" && ao.ApplicationCredentialID == "" {
		ao.Username = c.getenv("OS_USERNAME")
	}
	ao.Password = coalesce(ao.Password, c.getenv("OS_PASSWORD"))
	if ao.DomainName == "" && ao.DomainID == "" {
		ao.DomainName = c.getenv("OS_USER_DOMAIN_NAME")
	}
	if ao.Scope == nil {
		if p := c.getenv("OS_PROJECT_NAME", "OS_TENANT_NAME"); p != "" {
			ao.Scope = &gophercloud.AuthScope{ProjectName: p}
		}
	}
	if ao.Scope != nil && ao.Scope.ProjectName != "" && ao.Scope.DomainName == "" && ao.Scope.DomainID == "" {
		ao.Scope.DomainName = coalesce(c.ProjectDomainName, c.getenv("OS_PROJECT_DOMAIN_NAME"))
		if ao.Scope.DomainName == "" {
			ao.Scope.DomainID = defaultDomainID
		}
	}
	if ao.Username != "" && ao.DomainName == "" && ao.DomainID == "" {
		ao.DomainID = defaultDomainID
	}
	// gophercloud also reads TenantName when no scope is given; keep them
	// consistent so that neither path sees a stale value.
	if ao.Scope != nil {
		ao.TenantName, ao.TenantID = "", ""
	}
	eo.Region = coalesce(eo.Region, c.Region, c.getenv("OS_REGION_NAME"))

	r.authOptions = ao
	r.endpointOpts = eo

	return r, r.validate()
}

// validate reports a missing setting by the name a user can set.
func (r resolved) validate() error {
	ao := r.authOptions
	var missing []string
	if ao.IdentityEndpoint == "" {
		missing = append(missing, "`auth_url` (or OS_AUTH_URL, or `auth.auth_url` of a clouds.yaml cloud)")
	}
	if ao.Username == "" && ao.UserID == "" && ao.TokenID == "" && ao.ApplicationCredentialID == "" {
		missing = append(missing, "`user_name` (or OS_USERNAME)")
	}
	if ao.Username != "" && ao.Password == "" {
		missing = append(missing, "`password` (or OS_PASSWORD)")
	}
	if len(missing) > 0 {
		return &ConfigError{Missing: missing}
	}
	return nil
}

// ConfigError says which settings are missing before anything is sent.
type ConfigError struct {
	Missing []string
}

func (e *ConfigError) Error() string {
	return "missing provider settings: " + strings.Join(e.Missing, "; ")
}

// AuthError is a failed authentication, with what a user needs to fix it.
type AuthError struct {
	AuthURL  string
	UserName string
	Project  string
	Err      error
}

func (e *AuthError) Error() string {
	who := fmt.Sprintf("user %q", e.UserName)
	if e.Project != "" {
		who += fmt.Sprintf(" in project %q", e.Project)
	}
	hint := "check `auth_url` and that Keystone is reachable from here"
	var code gophercloud.ErrUnexpectedResponseCode
	if errors.As(e.Err, &code) {
		switch code.Actual {
		case http.StatusUnauthorized:
			hint = "check `user_name`, `password`, `user_domain_name`, `tenant_name` and `project_domain_name`: Keystone rejected them"
		case http.StatusNotFound:
			hint = "check `auth_url`: it should be Keystone's identity endpoint, e.g. https://keystone.example.com:5000/v3"
		}
	}
	return fmt.Sprintf("authenticating at %s as %s failed: %s (%v)", e.AuthURL, who, hint, e.Err)
}

func (e *AuthError) Unwrap() error { return e.Err }

// NewClient authenticates with the cloud that cfg describes and returns the
// client shared by every resource of a provider instance.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}

	pc, err := openstack.NewClient(r.authOptions.IdentityEndpoint)
	if err != nil {
		return nil, fmt.Errorf("`auth_url` %q is not a usable URL: %w", r.authOptions.IdentityEndpoint, err)
	}
	if r.tlsConfig != nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.TLSClientConfig = r.tlsConfig
		pc.HTTPClient.Transport = transport
	}
	if cfg.UserAgent != "" {
		pc.UserAgent.Prepend(cfg.UserAgent)
	}

	if err := openstack.Authenticate(ctx, pc, r.authOptions); err != nil {
		project := ""
		if r.authOptions.Scope != nil {
			project = r.authOptions.Scope.ProjectName
		}
		return nil, &AuthError{AuthURL: r.authOptions.IdentityEndpoint, UserName: r.authOptions.Username, Project: project, Err: err}
	}

	c := &Client{provider: pc, endpointOpts: r.endpointOpts, region: r.endpointOpts.Region}
	if c.region == "" {
		c.region = catalogRegion(pc, r.endpointOpts.Availability)
	}
	// Fail now, with the settings named, if there is no compute endpoint.
	if _, err := c.computeClient(c.region); err != nil {
		return nil, fmt.Errorf("%w; check `region` (or OS_REGION_NAME)", err)
	}

	return c, nil
}

// catalogRegion finds the region of the first compute endpoint of the given
// interface in the token's catalog, for clouds configured without a region.
func catalogRegion(pc *gophercloud.ProviderClient, availability gophercloud.Availability) string {
	result, ok := pc.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return ""
	}
	catalog, err := result.ExtractServiceCatalog()
	if err != nil {
		return ""
	}
	iface := availabilityName(availability)
	for _, entry := range catalog.Entries {
		if entry.Type != "compute" {
			continue
		}
		for _, ep := range entry.Endpoints {
			if ep.Interface == iface {
				return coalesce(ep.RegionID, ep.Region)
			}
		}
	}
	return ""
}
