package nova

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// The service catalog: which compute endpoint serves a region, and what
// the token says about its project and user.

func (c *Client) newComputeClient(region string) (*gophercloud.ServiceClient, error) {
	if c.computeOverride != "" {
		return &gophercloud.ServiceClient{
			ProviderClient: c.provider,
			Endpoint:       gophercloud.NormalizeURL(expandProjectID(c.computeOverride, tokenProjectID(c.provider))),
			Type:           "compute",
		}, nil
	}
	eo := c.endpointOpts
	eo.Region = region
	sc, err := openstack.NewComputeV2(c.provider, eo)
	if err != nil {
		return nil, &EndpointError{Region: region, Interface: availabilityName(eo.Availability), Regions: catalogRegions(c.provider, eo.Availability), Err: err}
	}
	return sc, nil
}

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

// ComputeEndpoint is the compute endpoint URL used for region ("" means
// the default region), from the catalog or Config.EndpointOverrides.
func (c *Client) ComputeEndpoint(ctx context.Context, region string) (string, error) {
	ep, err := c.endpoint(ctx, region)
	if err != nil {
		return "", err
	}
	return ep.sc.Endpoint, nil
}

// ProjectID is the ID of the project the token is scoped to ("" when it
// is not scoped to a project, or before the client has authenticated).
func (c *Client) ProjectID() string {
	return tokenProjectID(c.provider)
}

// UserID is the ID of the authenticated user; "" before the client has
// authenticated (see Authenticate).
func (c *Client) UserID() string {
	result, ok := tokenBodyOf(c.provider)
	if !ok {
		return ""
	}
	u, err := result.ExtractUser()
	if err != nil || u == nil {
		return ""
	}
	return u.ID
}

// tokenBody is what the provider client's token says: the answer to the
// authentication (tokens.CreateResult), or, for a token given as it is
// (auth_url and token alone, no scope), the answer to reading it
// (tokens.GetResult, gophercloud's pass-through).
type tokenBody interface {
	ExtractUser() (*tokens.User, error)
	ExtractProject() (*tokens.Project, error)
	ExtractServiceCatalog() (*tokens.ServiceCatalog, error)
}

func tokenBodyOf(pc *gophercloud.ProviderClient) (tokenBody, bool) {
	switch r := pc.GetAuthResult().(type) {
	case tokens.CreateResult:
		return r, true
	case tokens.GetResult:
		return r, true
	}
	return nil, false
}

func tokenProjectID(pc *gophercloud.ProviderClient) string {
	result, ok := tokenBodyOf(pc)
	if !ok {
		return ""
	}
	p, err := result.ExtractProject()
	if err != nil || p == nil {
		return ""
	}
	return p.ID
}

// catalogRegion finds the region of the first compute endpoint of the given
// interface in the token's catalog, for clouds configured without a region.
func catalogRegion(pc *gophercloud.ProviderClient, availability gophercloud.Availability) string {
	result, ok := tokenBodyOf(pc)
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
				return cmp.Or(ep.RegionID, ep.Region)
			}
		}
	}
	return ""
}

// catalogRegions are the regions of the token's catalog with a compute
// endpoint of the given interface, sorted, each once.
func catalogRegions(pc *gophercloud.ProviderClient, availability gophercloud.Availability) []string {
	result, ok := tokenBodyOf(pc)
	if !ok {
		return nil
	}
	catalog, err := result.ExtractServiceCatalog()
	if err != nil {
		return nil
	}
	iface := availabilityName(availability)
	var regions []string
	for _, entry := range catalog.Entries {
		if entry.Type != "compute" {
			continue
		}
		for _, ep := range entry.Endpoints {
			if r := cmp.Or(ep.RegionID, ep.Region); ep.Interface == iface && r != "" && !slices.Contains(regions, r) {
				regions = append(regions, r)
			}
		}
	}
	slices.Sort(regions)
	return regions
}
