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
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"golang.org/x/sync/singleflight"
)

// Client is a connection to one cloud, shared by every resource of a
// provider instance. It is safe for concurrent use.
//
// It sends no request before one is needed: the first call that needs the
// cloud authenticates, once for the instance; the compute version
// document is read once per region, by the first request that needs a
// microversion choice.
type Client struct {
	provider        *gophercloud.ProviderClient
	authOptions     gophercloud.AuthOptions
	who             string
	endpointOpts    gophercloud.EndpointOpts
	region          string // configured; see Region for the catalog's
	computeOverride string // Config.EndpointOverrides["compute"], project id not yet filled in
	maxMicroversion Microversion
	insecure        bool
	transport       *transport

	flights singleflight.Group // "auth", "versions <region>"

	mu       sync.Mutex
	authDone bool
	authErr  error // a failed authentication, kept: it is not retried
	compute  map[string]*computeEndpoint
	indexes  map[indexKey]*keypairIndex
}

// computeEndpoint is one region's compute endpoint, from the catalog, and
// what it supports, discovered on first need.
type computeEndpoint struct {
	sc         *gophercloud.ServiceClient
	discovered bool
	versions   versionRange
}

// Region is the region used when a resource names none: the configured
// one, or else the region of the catalog's first compute endpoint, which
// authenticates if the client has not yet.
func (c *Client) Region(ctx context.Context) (string, error) {
	if c.region != "" {
		return c.region, nil
	}
	if err := c.Authenticate(ctx); err != nil {
		return "", err
	}
	return catalogRegion(c.provider, c.endpointOpts.Availability), nil
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

// Authenticate gets the instance's token if it has none yet: one request
// to Keystone (retried like any request), shared by concurrent callers. A
// failure is an *AuthError; it is kept and returned to every later call
// without another request (retrying rejected credentials could lock the
// account), unless it was the caller's context ending.
func (c *Client) Authenticate(ctx context.Context) error {
	c.mu.Lock()
	done, err := c.authDone, c.authErr
	c.mu.Unlock()
	if done || err != nil {
		return err
	}
	_, err = shared(ctx, &c.flights, "auth", func(ctx context.Context) (struct{}, error) {
		c.mu.Lock()
		done, err := c.authDone, c.authErr
		c.mu.Unlock()
		if done || err != nil {
			return struct{}{}, err
		}
		err = openstack.Authenticate(ctx, c.provider, c.authOptions)
		if err != nil {
			err = &AuthError{AuthURL: c.authOptions.IdentityEndpoint, Who: c.who, Failure: classifyAuthFailure(err), Err: err}
			if ctx.Err() != nil {
				// The caller's time ran out (a timeout, Ctrl-C): said as an
				// authentication failure, but not kept; another call may
				// have the time.
				return struct{}{}, err
			}
		} else if tok := c.provider.Token(); tok != "" {
			c.transport.addSecret(tok)
		}
		c.mu.Lock()
		c.authDone, c.authErr = err == nil, err
		c.mu.Unlock()
		return struct{}{}, err
	})
	var authErr *AuthError
	if err != nil && !errors.As(err, &authErr) {
		// The caller's context ended while it waited.
		err = &AuthError{AuthURL: c.authOptions.IdentityEndpoint, Who: c.who, Failure: classifyAuthFailure(err), Err: err}
	}
	return err
}

// endpoint returns region's compute endpoint ("" means the default
// region), from the catalog or the override: it authenticates if needed,
// and sends nothing else.
func (c *Client) endpoint(ctx context.Context, region string) (*computeEndpoint, error) {
	if err := c.Authenticate(ctx); err != nil {
		return nil, err
	}
	if region == "" {
		var err error
		if region, err = c.Region(ctx); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ep, ok := c.compute[region]; ok {
		return ep, nil
	}
	sc, err := c.newComputeClient(region)
	if err != nil {
		return nil, err
	}
	ep := &computeEndpoint{sc: sc}
	if c.compute == nil {
		c.compute = map[string]*computeEndpoint{}
	}
	c.compute[region] = ep
	return ep, nil
}

// versions returns what region's compute endpoint supports, reading its
// version document on first use: one GET per region and instance, shared
// by concurrent callers. A failure is returned to the callers that waited
// for it; a later call tries again.
func (c *Client) versions(ctx context.Context, region string) (*computeEndpoint, versionRange, error) {
	ep, err := c.endpoint(ctx, region)
	if err != nil {
		return nil, versionRange{}, err
	}
	r, err := shared(ctx, &c.flights, "versions "+ep.sc.Endpoint, func(ctx context.Context) (versionRange, error) {
		c.mu.Lock()
		discovered, r := ep.discovered, ep.versions
		c.mu.Unlock()
		if discovered {
			return r, nil
		}
		r, err := c.discoverVersions(ctx, ep.sc.Endpoint)
		if err != nil {
			return r, err
		}
		c.mu.Lock()
		ep.discovered, ep.versions = true, r
		c.mu.Unlock()
		return r, nil
	})
	return ep, r, err
}

// serviceClient returns a compute client for region with the microversion
// chosen for what the request needs. A request that needs nothing beyond
// the keypair API (2.1) is sent without a microversion, so it costs no
// version document.
func (c *Client) serviceClient(ctx context.Context, region string, n need) (*gophercloud.ServiceClient, error) {
	if len(n.required) == 0 && len(n.wanted) == 0 {
		ep, err := c.endpoint(ctx, region)
		if err != nil {
			return nil, err
		}
		sc := *ep.sc
		return &sc, nil
	}
	ep, versions, err := c.versions(ctx, region)
	if err != nil {
		return nil, err
	}
	mv, err := versions.choose(n)
	if err != nil {
		return nil, err
	}
	sc := *ep.sc
	sc.Microversion = mv
	return &sc, nil
}

// maxIdleConnsPerHost is how many idle connections to Keystone and to
// Nova each client keeps: above Terraform's default -parallelism of 10.
const maxIdleConnsPerHost = 32

// New returns the client of the cloud that cfg describes, once cfg is
// complete and valid (a *SettingError, *MissingSettingsError or
// *CloudsYAMLError otherwise). It sends no request: see Authenticate.
func New(cfg Config) (*Client, error) {
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
		// Terraform runs 10 operations at once by default (-parallelism):
		// keep a connection for each, rather than net/http's 2 per host,
		// so that every request does not open (and, over TLS, handshake)
		// a new connection.
		t.MaxIdleConnsPerHost = maxIdleConnsPerHost
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

	return &Client{
		provider:        pc,
		authOptions:     r.authOptions,
		who:             r.who(),
		endpointOpts:    r.endpointOpts,
		region:          r.endpointOpts.Region,
		computeOverride: cfg.EndpointOverrides["compute"],
		maxMicroversion: r.maxMicroversion,
		insecure:        r.insecure,
		transport:       tr,
	}, nil
}

// NewClient is New, then Authenticate, then a check that the default
// region has a compute endpoint (an *EndpointError otherwise): a client
// known to work, for tools and tests.
func NewClient(ctx context.Context, cfg Config) (*Client, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := c.endpoint(ctx, ""); err != nil {
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
