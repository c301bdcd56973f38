package nova

import "context"

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
