package nova

import (
	"net/http"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
)

// TestTokenBody_passThrough: a token used as it is (auth_url and token
// alone) leaves gophercloud with the answer to reading it
// (tokens.GetResult), not to creating one; its user, project and catalog
// are read all the same, so the region comes from the catalog.
func TestTokenBody_passThrough(t *testing.T) {
	var r tokens.GetResult
	r.Header = http.Header{"X-Subject-Token": {"t"}}
	r.Body = map[string]any{"token": map[string]any{
		"user":    map[string]any{"id": "u1", "name": "admin"},
		"project": map[string]any{"id": "p1", "name": "admin"},
		"catalog": []any{map[string]any{"type": "compute", "name": "nova", "endpoints": []any{
			map[string]any{"interface": "public", "region_id": "RegionOne", "region": "RegionOne", "url": "http://nova/v2.1"},
			map[string]any{"interface": "internal", "region_id": "RegionTwo", "region": "RegionTwo", "url": "http://nova2/v2.1"},
			map[string]any{"interface": "public", "region_id": "RegionThree", "region": "RegionThree", "url": "http://nova3/v2.1"},
		}}},
	}}
	pc := &gophercloud.ProviderClient{}
	if err := pc.SetTokenAndAuthResult(r); err != nil {
		t.Fatal(err)
	}
	c := &Client{provider: pc}
	if got := c.UserID(); got != "u1" {
		t.Errorf("UserID %q", got)
	}
	if got := tokenProjectID(pc); got != "p1" {
		t.Errorf("project %q", got)
	}
	if got := catalogRegion(pc, gophercloud.AvailabilityPublic); got != "RegionOne" {
		t.Errorf("region %q", got)
	}
	if got := catalogRegions(pc, gophercloud.AvailabilityPublic); len(got) != 2 || got[0] != "RegionOne" || got[1] != "RegionThree" {
		t.Errorf("regions %q", got)
	}
}
