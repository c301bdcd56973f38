package nova

import (
	"context"
	"net/url"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
)

// Keypair is a keypair as Nova returns it.
type Keypair struct {
	Name        string `json:"name"`
	PublicKey   string `json:"public_key"`
	PrivateKey  string `json:"private_key"`
	Fingerprint string `json:"fingerprint"`
	Type        string `json:"type"`
	UserID      string `json:"user_id"`
}

// CreateKeypairOpts is what a create sends. PublicKey is always set: the
// provider generates keys itself rather than asking Nova to (Nova 2.92+
// refuses to).
type CreateKeypairOpts struct {
	Name      string
	PublicKey string
}

// CreateKeypair imports a public key as a keypair: one POST. The response
// is the keypair; no read follows.
func (c *Client) CreateKeypair(ctx context.Context, region string, opts CreateKeypairOpts) (*Keypair, error) {
	sc, err := c.computeClient(region)
	if err != nil {
		return nil, err
	}
	var kp Keypair
	err = keypairs.Create(ctx, sc, keypairs.CreateOpts{
		Name:      opts.Name,
		PublicKey: opts.PublicKey,
	}).ExtractIntoStructPtr(&kp, "keypair")
	if err != nil {
		return nil, err
	}
	return &kp, nil
}

// GetKeypair reads one keypair of the caller: one GET. A missing keypair is
// an error for which IsNotFound is true.
func (c *Client) GetKeypair(ctx context.Context, region, name string) (*Keypair, error) {
	sc, err := c.computeClient(region)
	if err != nil {
		return nil, err
	}
	var kp Keypair
	err = keypairs.Get(ctx, sc, url.PathEscape(name), nil).ExtractIntoStructPtr(&kp, "keypair")
	if err != nil {
		return nil, err
	}
	return &kp, nil
}

// DeleteKeypair deletes one keypair of the caller: one DELETE. A keypair
// that is already gone is an error for which IsNotFound is true.
func (c *Client) DeleteKeypair(ctx context.Context, region, name string) error {
	sc, err := c.computeClient(region)
	if err != nil {
		return err
	}
	return keypairs.Delete(ctx, sc, url.PathEscape(name), nil).ExtractErr()
}
