package provider_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-provider-nova/terraform-provider-nova/internal/acctest"
)

// TestAccKeypair_identity: on a CLI with resource identity, a created
// keypair records its identity (name, its owner's user ID, region), and an
// import block with that identity imports it with no change planned.
func TestAccKeypair_identity(t *testing.T) {
	acctest.SkipWithoutTFAcc(t)
	name := acctest.RandomName()
	publicKey, _ := sshKeygen(t, "ed25519")
	userID := acctest.UserID(t, "")

	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckKeypairDestroyed(""),
		Steps: []resource.TestStep{
			{
				Config: testAccKeypairConfigImported(name, publicKey),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(keypairAddr, map[string]knownvalue.Check{
						"name":    knownvalue.StringExact(name),
						"user_id": knownvalue.StringExact(userID),
						"region":  knownvalue.StringExact("RegionOne"),
					}),
				},
			},
			{
				ResourceName:    keypairAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
			},
		},
	})
}
