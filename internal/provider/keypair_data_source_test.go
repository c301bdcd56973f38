package provider_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

const keypairDataAddr = "data.nova_keypair.test"

// TestAccKeypairDataSource_basic looks up the caller's own keypair: what
// Nova shows, equal to what the resource recorded.
func TestAccKeypairDataSource_basic(t *testing.T) {
	name := acctest.RandomName()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock() + testAccKeypairResourceGenerated(name) + `
data "nova_keypair" "test" {
  name = nova_keypair.test.name
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("type"), knownvalue.StringExact("ssh")),
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("user_id"), knownvalue.StringExact(acctest.UserID(t, acctest.AdminCloud))),
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339)),
					statecheck.CompareValuePairs(keypairDataAddr, tfjsonpath.New("fingerprint"), keypairAddr, tfjsonpath.New("fingerprint"), compare.ValuesSame()),
					statecheck.CompareValuePairs(keypairDataAddr, tfjsonpath.New("public_key"), keypairAddr, tfjsonpath.New("public_key"), compare.ValuesSame()),
				},
			},
		},
	})
}

// TestAccKeypairDataSource_otherUser: an admin looks up a keypair of the
// non-admin user with user_id.
func TestAccKeypairDataSource_otherUser(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	acctest.PreCheckDemoCloud(t)
	name := acctest.RandomName()
	demoID := acctest.UserID(t, acctest.DemoCloud)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: acctest.ProviderBlock() + fmt.Sprintf(`
resource "nova_keypair" "test" {
  name          = %q
  user_id       = %q
  key_algorithm = "ed25519"
}

data "nova_keypair" "test" {
  name    = nova_keypair.test.name
  user_id = nova_keypair.test.user_id
}
`, name, demoID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("id"), knownvalue.StringExact(demoID+"/"+name)),
					statecheck.ExpectKnownValue(keypairDataAddr, tfjsonpath.New("user_id"), knownvalue.StringExact(demoID)),
					statecheck.CompareValuePairs(keypairDataAddr, tfjsonpath.New("fingerprint"), keypairAddr, tfjsonpath.New("fingerprint"), compare.ValuesSame()),
				},
			},
		},
	})
}

// TestAccKeypairDataSource_missing: the error names the keypair, the user
// and the region.
func TestAccKeypairDataSource_missing(t *testing.T) {
	name := acctest.RandomName()
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      acctest.ProviderBlock() + fmt.Sprintf("data \"nova_keypair\" \"test\" {\n  name = %q\n}\n", name),
				ExpectError: diagnostic("Keypair not found", fmt.Sprintf(`Nova has no keypair %q for the authenticated user in region "RegionOne"`, name), "user_id", "Nova said: Keypair "+name+" not found for user"),
			},
		},
	})
}
