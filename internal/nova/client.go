// Package nova is the one place where the provider talks to OpenStack.
//
// Resources and data sources call the methods of Client; they never build a
// gophercloud request themselves. Authentication, endpoint selection and,
// later, microversion choice, retries, caching and request counting all live
// here, over gophercloud.
package nova

import (
	"fmt"
	"sync"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// Client is an authenticated connection to one cloud, shared by every
// resource of a provider instance. It is safe for concurrent use.
type Client struct {
	provider     *gophercloud.ProviderClient
	endpointOpts gophercloud.EndpointOpts
	region       string

	mu      sync.Mutex
	compute map[string]*gophercloud.ServiceClient
}

// Region is the region used when a resource names none.
func (c *Client) Region() string {
	return c.region
}

// computeClient returns the compute service client for region ("" means the
// client's default region), building it from the catalog on first use.
func (c *Client) computeClient(region string) (*gophercloud.ServiceClient, error) {
	if region == "" {
		region = c.region
	}

	c.mu.Lock()
	defer c.mu.Unlock()

	if sc, ok := c.compute[region]; ok {
		return sc, nil
	}

	eo := c.endpointOpts
	eo.Region = region
	sc, err := openstack.NewComputeV2(c.provider, eo)
	if err != nil {
		return nil, fmt.Errorf("no compute endpoint for region %q and interface %q in the service catalog: %w", region, availabilityName(eo.Availability), err)
	}
	if c.compute == nil {
		c.compute = map[string]*gophercloud.ServiceClient{}
	}
	c.compute[region] = sc

	return sc, nil
}

func availabilityName(a gophercloud.Availability) string {
	if a == "" {
		return string(gophercloud.AvailabilityPublic)
	}
	return string(a)
}
