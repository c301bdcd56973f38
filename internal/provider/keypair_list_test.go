package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
	"github.com/terraform-provider-nova/terraform-provider-nova/internal/nova"
)

// TestAccKeypairList_query: `terraform query` lists the keypairs made out
// of band, the admin's own and another user's, with their identities.
func TestAccKeypairList_query(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	prefix := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	demoID := acctest.UserID(t, acctest.DemoCloud)
	for i := range 3 {
		preCreate(t, nova.CreateKeypairOpts{Name: fmt.Sprintf("%s-%d", prefix, i), PublicKey: publicKey})
	}
	preCreate(t, nova.CreateKeypairOpts{Name: prefix + "-demo", PublicKey: publicKey, UserID: demoID})

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			// The query step keeps this step's .tf file, whose terraform block
			// (not allowed in a .tfquery.hcl) names the provider's source.
			{Config: acctest.ProviderBlock()},
			{
				Query: true,
				Config: fmt.Sprintf(`
list "nova_keypair" "mine" {
  provider = nova
  config {
    name_regex = "^%[1]s-[0-9]$"
  }
}

list "nova_keypair" "demo" {
  provider = nova
  config {
    user_id    = %[2]q
    name_regex = "^%[1]s-"
  }
}
`, prefix, demoID),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("nova_keypair.mine", 3),
					querycheck.ExpectIdentity("nova_keypair.mine", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(prefix + "-1"), "user_id": knownvalue.NotNull(), "region": knownvalue.StringExact("RegionOne"),
					}),
					querycheck.ExpectLength("nova_keypair.demo", 1),
					querycheck.ExpectIdentity("nova_keypair.demo", map[string]knownvalue.Check{
						"name": knownvalue.StringExact(prefix + "-demo"), "user_id": knownvalue.StringExact(demoID), "region": knownvalue.StringExact("RegionOne"),
					}),
				},
			},
		},
	})
}
