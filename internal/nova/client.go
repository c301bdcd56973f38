// Package nova is the one place where the provider talks to OpenStack.
//
// Resources and data sources call the methods of Client; they never build a
// gophercloud request themselves. Authentication, endpoint selection,
// microversion choice, retries, logging and request counting all live here,
// over gophercloud.
package nova

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// Client is an authenticated connection to one cloud, shared by every
// resource of a provider instance. It is safe for concurrent use.
type Client struct {
	provider        *gophercloud.ProviderClient
	endpointOpts    gophercloud.EndpointOpts
	region          string
	computeOverride string // Config.EndpointOverrides["compute"], project id filled in
	maxMicroversion Microversion
	insecure        bool
	transport       *transport

	mu      sync.Mutex
	compute map[string]*computeEndpoint
}

// computeEndpoint is one region's compute endpoint and what it supports,
// discovered once.
type computeEndpoint struct {
	once     sync.Once
	sc       *gophercloud.ServiceClient
	versions versionRange
	err      error
}

// Region is the region used when a resource names none.
func (c *Client) Region() string {
	return c.region
}

// Insecure reports whether TLS verification is off (Config.Insecure,
// verify: false in clouds.yaml, or OS_INSECURE).
func (c *Client) Insecure() bool {
	return c.insecure
}

// Requests is the number of HTTP requests this client has sent, retries
// included.
func (c *Client) Requests() int64 {
	return c.transport.requests.Load()
}

// endpoint returns region's compute endpoint ("" means the default
// region), discovering it and its microversions on first use.
func (c *Client) endpoint(ctx context.Context, region string) (*computeEndpoint, error) {
	if region == "" {
		region = c.region
	}
	c.mu.Lock()
	ep, ok := c.compute[region]
	if !ok {
		ep = &computeEndpoint{}
		if c.compute == nil {
			c.compute = map[string]*computeEndpoint{}
		}
		c.compute[region] = ep
	}
	c.mu.Unlock()

	ep.once.Do(func() {
		ep.sc, ep.err = c.newComputeClient(region)
		if ep.err != nil {
			return
		}
		ep.versions, ep.err = c.discoverVersions(ctx, ep.sc.Endpoint)
	})
	if ep.err != nil {
		// Let a later call try again: the failure may have been passing.
		c.mu.Lock()
		if c.compute[region] == ep {
			delete(c.compute, region)
		}
		c.mu.Unlock()
		return nil, ep.err
	}
	return ep, nil
}

// serviceClient returns a compute client for region with the microversion
// chosen for what the request needs.
func (c *Client) serviceClient(ctx context.Context, region string, n need) (*gophercloud.ServiceClient, error) {
	ep, err := c.endpoint(ctx, region)
	if err != nil {
		return nil, err
	}
	mv, err := ep.versions.choose(n)
	if err != nil {
		return nil, err
	}
	sc := *ep.sc
	sc.Microversion = mv
	return &sc, nil
}

// NewClient authenticates with the cloud that cfg describes and returns the
// client shared by every resource of a provider instance.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	r, err := cfg.prepare()
	if err != nil {
		return nil, err
	}
	pc, err := openstack.NewClient(r.authOptions.IdentityEndpoint)
	if err != nil {
		return nil, &SettingError{Setting: AuthURL, Value: r.authOptions.IdentityEndpoint, Reason: "is not a usable URL", Err: err}
	}

	base := cfg.HTTPTransport
	if base == nil {
		defaultTransport, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("http.DefaultTransport is a %T, not an *http.Transport", http.DefaultTransport)
		}
		tlsConfig, err := r.tlsConfig()
		if err != nil {
			return nil, err
		}
		t := defaultTransport.Clone()
		t.TLSClientConfig = tlsConfig
		t.ResponseHeaderTimeout = responseHeaderTimeout
		base = t
	}
	maxRetries := DefaultMaxRetries
	if cfg.MaxRetries != nil {
		maxRetries = max(0, *cfg.MaxRetries)
	}
	tr := newTransport(base, maxRetries)
	for _, s := range []string{r.authOptions.Password, r.authOptions.ApplicationCredentialSecret, r.authOptions.TokenID} {
		tr.addSecret(s)
	}
	pc.HTTPClient = http.Client{Transport: tr}
	if cfg.UserAgent != "" {
		pc.UserAgent.Prepend(cfg.UserAgent)
	}

	if err := openstack.Authenticate(ctx, pc, r.authOptions); err != nil {
		return nil, &AuthError{AuthURL: r.authOptions.IdentityEndpoint, Who: r.who(), Failure: classifyAuthFailure(err), Err: err}
	}
	if tok := pc.Token(); tok != "" {
		tr.addSecret(tok)
	}

	c := &Client{
		provider:        pc,
		endpointOpts:    r.endpointOpts,
		region:          r.endpointOpts.Region,
		maxMicroversion: r.maxMicroversion,
		insecure:        r.insecure,
		transport:       tr,
	}
	if o := cfg.EndpointOverrides["compute"]; o != "" {
		c.computeOverride = expandProjectID(o, tokenProjectID(pc))
	}
	if c.region == "" {
		c.region = catalogRegion(pc, r.endpointOpts.Availability)
	}
	// Fail now, with the settings named, if there is no compute endpoint.
	if _, err := c.newComputeClient(c.region); err != nil {
		return nil, err
	}
	return c, nil
}

// who describes the identity being authenticated, with no secret in it.
func (r resolved) who() string {
	ao := r.authOptions
	var who string
	switch {
	case ao.ApplicationCredentialID != "":
		who = fmt.Sprintf("application credential %q", ao.ApplicationCredentialID)
	case ao.ApplicationCredentialName != "":
		who = fmt.Sprintf("application credential %q of user %q", ao.ApplicationCredentialName, cmp.Or(ao.Username, ao.UserID))
	case ao.TokenID != "" && ao.Username == "" && ao.UserID == "":
		who = "the given token"
	default:
		who = fmt.Sprintf("user %q", cmp.Or(ao.Username, ao.UserID))
	}
	if sc := ao.Scope; sc != nil {
		switch {
		case sc.System:
			who += " with system scope"
		case sc.ProjectID != "":
			who += fmt.Sprintf(" in project %q", sc.ProjectID)
		case sc.ProjectName != "":
			who += fmt.Sprintf(" in project %q", sc.ProjectName)
		case sc.DomainID != "" || sc.DomainName != "":
			who += fmt.Sprintf(" in domain %q", cmp.Or(sc.DomainName, sc.DomainID))
		}
	}
	return who
}
