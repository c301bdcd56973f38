package nova

import (
	"context"

	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// ComputeEndpoint is the compute endpoint URL used for region ("" means
// the default region), from the catalog or endpoint_overrides.
func (c *Client) ComputeEndpoint(ctx context.Context, region string) (string, error) {
	ep, err := c.endpoint(ctx, region)
	if err != nil {
		return "", err
	}
	return ep.sc.Endpoint, nil
}

// ProjectID is the ID of the project the token is scoped to ("" when it
// is not scoped to a project).
func (c *Client) ProjectID() string {
	return tokenProjectID(c.provider)
}

// UserID is the ID of the authenticated user.
func (c *Client) UserID() string {
	result, ok := c.provider.GetAuthResult().(tokens.CreateResult)
	if !ok {
		return ""
	}
	u, err := result.ExtractUser()
	if err != nil || u == nil {
		return ""
	}
	return u.ID
}
