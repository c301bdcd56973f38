// Package nova is the one place where the provider talks to OpenStack.
//
// Resources and data sources call the methods of Client; they never build a
// gophercloud request themselves. Authentication, endpoint selection,
// microversion choice, retries, logging and request counting all live here,
// over gophercloud.
package nova

import (
	"context"
	"fmt"
	"strings"
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
	computeOverride string // endpoint_overrides["compute"], project id filled in
	maxMicroversion Microversion
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

func (c *Client) newComputeClient(region string) (*gophercloud.ServiceClient, error) {
	if c.computeOverride != "" {
		return &gophercloud.ServiceClient{
			ProviderClient: c.provider,
			Endpoint:       gophercloud.NormalizeURL(c.computeOverride),
			Type:           "compute",
		}, nil
	}
	eo := c.endpointOpts
	eo.Region = region
	sc, err := openstack.NewComputeV2(c.provider, eo)
	if err != nil {
		return nil, &EndpointError{Region: region, Interface: availabilityName(eo.Availability), Err: err}
	}
	return sc, nil
}

// EndpointError is a missing compute endpoint in the service catalog.
type EndpointError struct {
	Region    string
	Interface string
	Err       error
}

func (e *EndpointError) Error() string {
	return fmt.Sprintf("the service catalog has no compute endpoint for region %q and interface %q: check `region` (OS_REGION_NAME) and `endpoint_type` (OS_INTERFACE), or set `endpoint_overrides = { compute = \"https://...\" }`", e.Region, e.Interface)
}

func (e *EndpointError) Unwrap() error { return e.Err }

func availabilityName(a gophercloud.Availability) string {
	if a == "" {
		return string(gophercloud.AvailabilityPublic)
	}
	return string(a)
}

// expandProjectID fills the project id into an endpoint override written
// the way catalogs write it: %(project_id)s, $(project_id)s, {project_id},
// or the same with tenant_id.
func expandProjectID(url, projectID string) string {
	for _, p := range []string{"%(project_id)s", "$(project_id)s", "{project_id}", "%(tenant_id)s", "$(tenant_id)s", "{tenant_id}"} {
		url = strings.ReplaceAll(url, p, projectID)
	}
	return url
}
